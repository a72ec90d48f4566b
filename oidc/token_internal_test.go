package oidc

import (
	"testing"
	"time"
)

func TestAccessTokenIDRoundTrip(t *testing.T) {
	exp := time.Unix(1893456000, 0)
	id, err := accessTokenID("0472108d-c60a-4c1a-b06c-a55897c06396", exp)
	if err != nil {
		t.Fatal(err)
	}
	sid, got, ok := parseAccessTokenID(id)
	if !ok || sid != "0472108d-c60a-4c1a-b06c-a55897c06396" || !got.Equal(exp) {
		t.Fatalf("parse(%q) = %q %v %v", id, sid, got, ok)
	}
	for _, bad := range []string{"", "v1", "v2.a.1.x", "v1..1.x", "v1.a.-1.x", "v1.a.x.x", "v1.a.1", "v1.a.1.x.y"} {
		if _, _, ok := parseAccessTokenID(bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzParseAccessTokenID: the token ID comes out of a decrypted bearer
// token; whatever it holds, parsing must not panic, and what it accepts
// must name a session and a positive expiry.
func FuzzParseAccessTokenID(f *testing.F) {
	f.Add("v1.0472108d-c60a-4c1a-b06c-a55897c06396.1893456000.abcdefghijklmnop")
	f.Add("v1.a.1.b")
	f.Add("v1.a.99999999999999999999.b")
	f.Fuzz(func(t *testing.T, s string) {
		sid, exp, ok := parseAccessTokenID(s)
		if ok && (sid == "" || exp.Unix() <= 0) {
			t.Fatalf("accepted %q as %q %v", s, sid, exp)
		}
	})
}
