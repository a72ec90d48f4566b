package oidc

import (
	"testing"
	"time"
)

func TestAccessTokenIDRoundTrip(t *testing.T) {
	exp := time.Unix(1893456000, 0)
	g := grant{sessionID: "0472108d-c60a-4c1a-b06c-a55897c06396", grantID: "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg",
		clientID: "9c4f4f7e-3f0e-4b7e-9a41-2f7c1b8e5d21"}
	id := accessTokenID(g, exp)
	want := tokenRef{sessionID: g.sessionID, grantID: g.grantID, clientID: g.clientID, exp: exp}
	if got, ok := parseAccessTokenID(id); !ok || got != want {
		t.Fatalf("parse(%q) = %+v %v", id, got, ok)
	}
	// The v2 form named no client, so the app's checks could not run on it.
	for _, bad := range []string{"", "v2", "v2." + g.sessionID + ".1893456000." + g.grantID, "v2.a.1.b", "v1.a.1.x", "v3.a.1.x", "v2..1.x", "v2.a.1.", "v2.a.-1.x", "v2.a.x.x", "v2.a.1",
		"v2.a.1.x.y", "v2.a.99999999999999999999.x", "v3.a.1.x.", "v3..1.x.c", "v3.a.1..c", "v3.a.1.x.c.d", "v4.a.1.x.c"} {
		if _, ok := parseAccessTokenID(bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzParseAccessTokenID: the token ID comes out of a decrypted bearer
// token; whatever it holds, parsing must not panic, and what it accepts
// must name a session, a grant, a positive expiry and a client.
func FuzzParseAccessTokenID(f *testing.F) {
	f.Add("v3.0472108d-c60a-4c1a-b06c-a55897c06396.1893456000.Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg.9c4f4f7e-3f0e-4b7e-9a41-2f7c1b8e5d21")
	f.Add("v2.a.1.b")
	f.Add("v2.a.99999999999999999999.b")
	f.Fuzz(func(t *testing.T, s string) {
		ref, ok := parseAccessTokenID(s)
		if ok && (ref.sessionID == "" || ref.grantID == "" || ref.exp.Unix() <= 0 || ref.clientID == "") {
			t.Fatalf("accepted %q as %+v", s, ref)
		}
	})
}
