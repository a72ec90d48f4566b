package oidc

import (
	"testing"
	"time"
)

func TestAccessTokenIDRoundTrip(t *testing.T) {
	exp := time.Unix(1893456000, 0)
	id := accessTokenID("0472108d-c60a-4c1a-b06c-a55897c06396", "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg", exp)
	sid, gid, got, ok := parseAccessTokenID(id)
	if !ok || sid != "0472108d-c60a-4c1a-b06c-a55897c06396" || gid != "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg" || !got.Equal(exp) {
		t.Fatalf("parse(%q) = %q %q %v %v", id, sid, gid, got, ok)
	}
	for _, bad := range []string{"", "v2", "v1.a.1.x", "v3.a.1.x", "v2..1.x", "v2.a.1.", "v2.a.-1.x", "v2.a.x.x", "v2.a.1",
		"v2.a.1.x.y", "v2.a.99999999999999999999.x"} {
		if _, _, _, ok := parseAccessTokenID(bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzParseAccessTokenID: the token ID comes out of a decrypted bearer
// token; whatever it holds, parsing must not panic, and what it accepts
// must name a session and a positive expiry.
func FuzzParseAccessTokenID(f *testing.F) {
	f.Add("v2.0472108d-c60a-4c1a-b06c-a55897c06396.1893456000.Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg")
	f.Add("v2.a.1.b")
	f.Add("v2.a.99999999999999999999.b")
	f.Fuzz(func(t *testing.T, s string) {
		sid, gid, exp, ok := parseAccessTokenID(s)
		if ok && (sid == "" || gid == "" || exp.Unix() <= 0) {
			t.Fatalf("accepted %q as %q %q %v", s, sid, gid, exp)
		}
	})
}
