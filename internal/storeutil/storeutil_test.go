package storeutil

import (
	"encoding/base64"
	"testing"

	"github.com/guestpass/guestpass"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestCursor(t *testing.T) {
	for _, k := range []Key{{0, ""}, {-5, "a"}, {1<<63 - 1, "x:y:z"}, {42, "ünïcode"}} {
		got, ok, err := DecodeCursor(EncodeCursor(k))
		if err != nil || !ok || got != k {
			t.Errorf("round trip of %+v: %+v %v %v", k, got, ok, err)
		}
	}
	t.Run("EmptyIsFirstPage", func(t *testing.T) {
		if _, ok, err := DecodeCursor(""); ok || err != nil {
			t.Fatalf("ok %v, error %v", ok, err)
		}
	})
	for name, c := range map[string]string{
		"NotBase64":   "!!",
		"NoSeparator": b64("12345"),
		"NotANumber":  b64("x:id"),
		"Overflow":    b64("99999999999999999999:id"),
	} {
		t.Run(name+"IsInvalid", func(t *testing.T) {
			_, _, err := DecodeCursor(c)
			if guestpass.KindOf(err) != guestpass.KindInvalid {
				t.Fatalf("error %v", err)
			}
		})
	}
}

// FuzzCursor feeds arbitrary After values, which come from API callers: a
// cursor is either rejected as invalid or survives a round trip.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"", "!!", b64("1:a"), b64("-1:"), b64(":"), b64("1:a:b"), EncodeCursor(Key{7, "id"})} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok, err := DecodeCursor(s)
		if err != nil {
			if guestpass.KindOf(err) != guestpass.KindInvalid {
				t.Fatalf("error kind %q", guestpass.KindOf(err))
			}
			return
		}
		if ok != (s != "") {
			t.Fatalf("ok %v for %q", ok, s)
		}
		if !ok {
			return
		}
		again, _, err := DecodeCursor(EncodeCursor(k))
		if err != nil || again != k {
			t.Fatalf("re-decoded %+v, %v; want %+v", again, err, k)
		}
	})
}

func TestLimit(t *testing.T) {
	for in, want := range map[int]int{-1: 100, 0: 100, 1: 1, 1000: 1000, 1001: 1000} {
		if got := Limit(guestpass.Page{Limit: in}); got != want {
			t.Errorf("Limit(%d) = %d, want %d", in, got, want)
		}
	}
}
