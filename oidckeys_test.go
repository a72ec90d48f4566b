package guestpass_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func TestSigningKeysSharedRotatedRetired(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gp.db")
	clock := guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	a := newNode(t, path, clock, &recordingMailer{}, nil)
	b := newNode(t, path, clock, &recordingMailer{}, nil)

	keysA, err := a.svc.SigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	keysB, err := b.svc.SigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(keysA) != 2 || len(keysB) != 2 || keysA[0].ID != keysB[0].ID || keysA[1].ID != keysB[1].ID {
		t.Fatalf("nodes disagree on the first keys: %v / %v", ids(keysA), ids(keysB))
	}
	stored, err := a.store.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range stored {
		if len(k.Sealed) < 100 {
			t.Errorf("key %s stored in %d bytes: not a sealed private key", k.ID, len(k.Sealed))
		}
	}
	old, err := a.svc.CurrentSigningKey(t.Context(), guestpass.AlgRS256)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := a.svc.RotateSigningKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	cur, err := a.svc.CurrentSigningKey(t.Context(), guestpass.AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID != old.ID {
		t.Fatalf("the new key signs before its activation")
	}
	published, _ := a.svc.SigningKeys(t.Context())
	if len(published) != 4 {
		t.Fatalf("published %d keys right after rotation, want 4 (old and new)", len(published))
	}

	clock.Advance(guestpass.SigningKeyActivation + time.Minute) // past b's cache too
	for _, n := range []*env{a, b} {
		cur, err := n.svc.CurrentSigningKey(t.Context(), guestpass.AlgRS256)
		if err != nil {
			t.Fatal(err)
		}
		if cur.ID == old.ID {
			t.Fatal("the old key still signs after activation")
		}
		if keys, _ := n.svc.SigningKeys(t.Context()); len(keys) != 4 {
			t.Fatalf("old key left JWKS too early: %v", ids(keys))
		}
	}
	clock.Advance(guestpass.SigningKeyRetention)
	if keys, _ := a.svc.SigningKeys(t.Context()); len(keys) != 2 {
		t.Fatalf("after retention JWKS holds %v, want only the 2 new keys", ids(keys))
	}
	if _, err := a.svc.RotateSigningKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	stored, _ = a.store.ListSigningKeys(t.Context())
	if len(stored) != 4 {
		t.Fatalf("second rotation left %d stored keys, want 4 (expired ones deleted)", len(stored))
	}
}

func TestSigningKeysNeedTheirSecretKey(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.SigningKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	keys, _ := guestpass.NewKeys([]byte("another root key of 32 bytes!!!!"))
	other, err := guestpass.NewService(guestpass.Config{Store: e.store, Keys: keys, BaseURL: "http://localhost:8080", Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.SigningKeys(t.Context()); guestpass.KindOf(err) != guestpass.KindInternal {
		t.Fatalf("keys opened under another secret key: %v", err)
	}
}

func ids(keys []guestpass.ServerKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Alg + ":" + k.ID
	}
	return out
}
