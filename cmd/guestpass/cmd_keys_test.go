package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLIKeysRotate(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "gp.db")
	type key struct {
		ID, Alg    string
		Generation int
		RetiredAt  *string
	}
	rotate := func() []key {
		t.Helper()
		var out, errOut strings.Builder
		if err := run(t.Context(), []string{"keys", "rotate", "--database", db, "--log-level", "error"}, &out, &errOut); err != nil {
			t.Fatalf("keys rotate: %v\n%s", err, errOut.String())
		}
		if strings.Contains(strings.ToLower(out.String()), "sealed") || strings.Contains(out.String(), "PRIVATE") {
			t.Fatalf("keys rotate printed key material: %s", out.String())
		}
		var keys []key
		if err := json.Unmarshal([]byte(out.String()), &keys); err != nil {
			t.Fatalf("output %q: %v", out.String(), err)
		}
		return keys
	}
	first := rotate()
	if len(first) != 2 {
		t.Fatalf("first rotation: %d keys, want RS256+ES256: %+v", len(first), first)
	}
	second := rotate()
	if len(second) != 4 {
		t.Fatalf("second rotation: %d keys, want 4 (old ones kept for JWKS): %+v", len(second), second)
	}
	retired, algs := 0, map[string]int{}
	for _, k := range second {
		if k.RetiredAt != nil {
			retired++
			if k.Generation != 1 {
				t.Errorf("retired a generation %d key", k.Generation)
			}
		}
		algs[k.Alg]++
	}
	if retired != 2 || algs["RS256"] != 2 || algs["ES256"] != 2 {
		t.Errorf("after rotation: %d retired, algs %v: %+v", retired, algs, second)
	}

	var out strings.Builder
	for _, args := range [][]string{{"keys"}, {"keys", "list"}, {"keys", "rotate", "--database", db, "extra"}} {
		if err := run(t.Context(), args, &out, &out); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
