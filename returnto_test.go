package guestpass_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/guestpass/guestpass"
)

func returnToService(tb testing.TB) *guestpass.Service {
	keys, _ := guestpass.NewKeys([]byte(strings.Repeat("k", 32)))
	svc, err := guestpass.NewService(guestpass.Config{Store: nilStore{}, Keys: keys, BaseURL: "https://id.example.com"})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// nilStore satisfies the constructor; CleanReturnTo never touches it.
type nilStore struct{ guestpass.Store }

func TestCleanReturnTo(t *testing.T) {
	svc := returnToService(t)
	good := map[string]string{
		"":                                     "",
		"/t/abc/apps":                          "https://id.example.com/t/abc/apps",
		"/t/abc/apps?x=1":                      "https://id.example.com/t/abc/apps?x=1",
		"https://id.example.com/t/abc/apps":    "https://id.example.com/t/abc/apps",
		"https://ID.example.com/authorize?a=b": "https://ID.example.com/authorize?a=b",
	}
	for in, want := range good {
		if got, ok := svc.CleanReturnTo(in); !ok || got != want {
			t.Errorf("CleanReturnTo(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{
		"//evil.com", "///evil.com", "/\\evil.com", "https://evil.com/", "http://id.example.com/", "javascript:alert(1)",
		"https://id.example.com@evil.com/", "https://user@id.example.com/", "relative/path", "https://id.example.com.evil.com/",
		"/x\r\nSet-Cookie: a=b", "data:text/html,hi", "https:evil.com", "%2F0", "%2F%2Fevil.com",
	} {
		if got, ok := svc.CleanReturnTo(in); ok {
			t.Errorf("CleanReturnTo(%q) accepted as %q", in, got)
		}
	}
}

// FuzzCleanReturnTo: whatever is accepted stays on GuestPass's own origin.
func FuzzCleanReturnTo(f *testing.F) {
	for _, s := range []string{"/t/a/apps", "//evil.com", "https://id.example.com/x", "/\\evil", "https://evil.com", "/%2F%2Fevil.com", "/..//evil.com"} {
		f.Add(s)
	}
	svc := returnToService(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := svc.CleanReturnTo(s)
		if !ok || got == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "https" || !strings.EqualFold(u.Host, "id.example.com") || u.User != nil {
			t.Fatalf("CleanReturnTo(%q) = %q leaves the origin", s, got)
		}
	})
}
