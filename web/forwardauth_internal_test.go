package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestSplitOriginalURL(t *testing.T) {
	for raw, want := range map[string][4]string{
		"https://wiki.example.com/a?b=c":  {"https", "wiki.example.com", "/a?b=c", "ok"},
		"HTTP://wiki.example.com:8080":    {"http", "wiki.example.com:8080", "/", "ok"},
		"https://wiki.example.com?x":      {"https", "wiki.example.com", "?x", ""},
		"https://u@wiki.example.com/":     {"", "", "", ""},
		"https:///path":                   {"", "", "", ""},
		"ftp://wiki.example.com/":         {"", "", "", ""},
		"wiki.example.com/":               {"", "", "", ""},
		"https://wiki.example.com#frag":   {"", "", "", ""},
		"https://wiki example.com/":       {"", "", "", ""},
		"https://wiki.example.com\\@evil": {"", "", "", ""},
	} {
		proto, host, uri, ok := splitOriginalURL(raw)
		if want[3] == "" {
			if ok {
				t.Errorf("%q accepted as %s %s %s", raw, proto, host, uri)
			}
			continue
		}
		if got := [4]string{proto, host, uri, "ok"}; !ok || got != want {
			t.Errorf("%q: %q (ok %v), want %q", raw, got, ok, want)
		}
	}
}

// FuzzSplitOriginalURL: whatever X-Original-URL says, an accepted split
// agrees with net/url on scheme and host and yields a path-absolute URI.
func FuzzSplitOriginalURL(f *testing.F) {
	for _, s := range []string{"https://wiki.example.com/a?b", "http://h:1", "https://a@b/", "https://h/%zz", "https://[::1]:80/x", "https://h?x#y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		proto, host, uri, ok := splitOriginalURL(raw)
		if !ok {
			return
		}
		if proto != "http" && proto != "https" || host == "" || uri == "" || uri[0] != '/' && uri[0] != '?' {
			t.Fatalf("%q split into %q %q %q", raw, proto, host, uri)
		}
		if strings.ContainsAny(host, "/?#@\\") {
			t.Fatalf("%q: host %q carries URL syntax", raw, host)
		}
		if u, err := url.Parse(raw); err == nil && !strings.EqualFold(u.Host, host) {
			t.Fatalf("%q: host %q, net/url says %q", raw, host, u.Host)
		}
	})
}

func TestFindCookie(t *testing.T) {
	h := http.Header{"Cookie": {`a=1; __Host-gp-session-t=tok; b="q"`, "c=3"}}
	for name, want := range map[string]string{"a": "1", "__Host-gp-session-t": "tok", "b": "q", "c": "3", "d": "", "__Host-gp-session-": ""} {
		if got := findCookie(h, name); got != want {
			t.Errorf("findCookie(%q) = %q, want %q", name, got, want)
		}
	}
	if got := findCookie(http.Header{"Cookie": {"a=x y"}}, "a"); got != "" {
		t.Errorf("value with a space accepted: %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { findCookie(h, "c") }); n != 0 {
		t.Fatalf("findCookie allocates %v times", n)
	}
}

// FuzzFindCookie: the forward-auth cookie reader never finds a value that
// net/http's parser would not, for the same name.
func FuzzFindCookie(f *testing.F) {
	for _, s := range []string{"a=1; b=2", `a="x"`, "a=1;a=2", " a = 1 ", "a=\x00", "a=1,b=2", "=; a"} {
		f.Add(s, "a")
	}
	f.Fuzz(func(t *testing.T, line, name string) {
		if strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			return // GuestPass's cookie names are tokens of these characters
		}
		got := findCookie(http.Header{"Cookie": {line}}, name)
		if got == "" || strings.Count(line, ";") >= 3000 {
			return // net/http refuses a header of more than 3,000 cookies (GODEBUG httpcookiemaxnum)
		}
		r := &http.Request{Header: http.Header{"Cookie": {line}}}
		ck, err := r.Cookie(name)
		if err != nil || ck.Value != got {
			t.Fatalf("Cookie %q, name %q: found %q, net/http says %v %v", line, name, got, ck, err)
		}
	})
}

// FuzzProxiedRequest feeds arbitrary X-Forwarded-* and X-Original-* values
// from a trusted proxy: the result is always a method, an http(s) scheme,
// and a URI; the host is whatever was claimed, judged later by the host
// index (FuzzHostTableLookup).
func FuzzProxiedRequest(f *testing.F) {
	f.Add("GET", "https", "wiki.example.com", "/a", "https://wiki.example.com/a")
	f.Add("", "HTTP", "", "", "::")
	s := &Server{trusted: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	f.Fuzz(func(t *testing.T, method, proto, host, uri, original string) {
		for _, mode := range []authzMode{modeForwardAuth, modeAuthRequest} {
			r := httptest.NewRequest(http.MethodGet, "http://guestpass.test/api/authz", nil)
			r.RemoteAddr = "192.0.2.1:1234"
			r.Header["X-Forwarded-Method"] = []string{method}
			r.Header["X-Forwarded-Proto"] = []string{proto}
			r.Header["X-Forwarded-Host"] = []string{host}
			r.Header["X-Forwarded-Uri"] = []string{uri}
			r.Header["X-Original-Url"] = []string{original}
			p := s.proxiedRequest(r, mode)
			if p.proto != "http" && p.proto != "https" || p.method == "" || p.uri == "" {
				t.Fatalf("mode %d: %+v", mode, p)
			}
		}
	})
}
