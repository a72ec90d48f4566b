package oidc

import (
	"strings"
	"testing"
	"unicode/utf8"
)

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
