package guestpass

import (
	"bytes"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/oathtool"
)

func TestTOTPMatchesOathtool(t *testing.T) {
	key, secret, err := NewTOTPSecret(bytes.NewReader(bytes.Repeat([]byte{7, 42, 99, 200}, 5)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 19, 0, 10, 0, time.UTC)
	for _, off := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		code := oathtool.TOTP(t, secret, now.Add(off))
		step, ok := matchTOTP(key, code, now)
		if !ok || step != totpStepAt(now.Add(off)) {
			t.Errorf("offset %v: oathtool code %s refused (step %d ok %v)", off, code, step, ok)
		}
	}
	for _, off := range []time.Duration{-90 * time.Second, 90 * time.Second} {
		if _, ok := matchTOTP(key, oathtool.TOTP(t, secret, now.Add(off)), now); ok {
			t.Errorf("offset %v: out-of-window code accepted", off)
		}
	}
}

// RFC 6238 Appendix B, SHA-1 key "12345678901234567890", truncated to 6 digits.
func TestTOTPRFCVectors(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := totpCode(key, totpStepAt(time.Unix(v.unix, 0))); got != v.want {
			t.Errorf("T=%d: got %s want %s", v.unix, got, v.want)
		}
	}
}

func TestNormalizeTOTP(t *testing.T) {
	for in, want := range map[string]bool{"123456": true, "123 456": true, "12345": false, "1234567": false, "12345a": false, "": false} {
		if _, ok := NormalizeTOTP(in); ok != want {
			t.Errorf("%q: ok=%v", in, ok)
		}
	}
}

func FuzzNormalizeTOTP(f *testing.F) {
	f.Add("123 456")
	f.Fuzz(func(t *testing.T, s string) {
		if c, ok := NormalizeTOTP(s); ok && len(c) != 6 {
			t.Fatalf("%q -> %q", s, c)
		}
	})
}
