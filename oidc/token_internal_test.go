package oidc

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

// FuzzOpDetail: what op said about a refused request (text or JSON that
// can echo request parameters) is shown on a page: whatever it holds, the
// detail is short, one line, and valid UTF-8.
func FuzzOpDetail(f *testing.F) {
	f.Add([]byte("redirect_uri is not registered for this client\n"))
	f.Add([]byte(`{"error":"invalid_request","error_description":"The post_logout_redirect_uri is missing"}`))
	f.Add([]byte(`{"error":"invalid_client"}`))
	f.Add([]byte("\xff\xfe\r\nSet-Cookie: x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := opDetail(b)
		if d == "" || !utf8.ValidString(d) || utf8.RuneCountInString(d) > 201 || strings.ContainsAny(d, "\r\n\t\x00") {
			t.Fatalf("opDetail(%q) = %q", b, d)
		}
	})
}
