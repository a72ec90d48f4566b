package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestProxiedRequestTrust: X-Forwarded-* and X-Original-* are read from a
// trusted peer only; from any other peer the request itself is judged and
// the warning is logged once, not once per request.
func TestProxiedRequestTrust(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil)), trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	req := func(peer string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "http://login.example.com/api/authz/forward-auth", nil)
		r.RemoteAddr = peer + ":4711"
		r.Header.Set("X-Forwarded-Method", "POST")
		r.Header.Set("X-Forwarded-Proto", "http")
		r.Header.Set("X-Forwarded-Host", "wiki.example.com")
		r.Header.Set("X-Forwarded-Uri", "/page?q=1")
		r.Header.Set("X-Original-URL", "https://docs.example.com/x")
		r.Header.Set("X-Original-Method", "PUT")
		return r
	}
	if got, want := s.proxiedRequest(req("10.1.2.3"), modeForwardAuth), (proxied{"POST", "http", "wiki.example.com", "/page?q=1"}); got != want {
		t.Errorf("trusted forward-auth: %+v, want %+v", got, want)
	}
	if got, want := s.proxiedRequest(req("10.1.2.3"), modeAuthRequest), (proxied{"PUT", "https", "docs.example.com", "/x"}); got != want {
		t.Errorf("trusted auth-request: %+v, want %+v", got, want)
	}
	bad := req("10.1.2.3")
	bad.Header.Set("X-Original-URL", "javascript:alert(1)")
	if got := s.proxiedRequest(bad, modeAuthRequest); got.host != "" {
		t.Errorf("malformed X-Original-URL judged host %q", got.host)
	}
	if logs.Len() != 0 {
		t.Fatalf("trusted peer logged: %s", logs.String())
	}
	own := proxied{"GET", "http", "login.example.com", "/api/authz/forward-auth"}
	for range 3 {
		for _, mode := range []authzMode{modeForwardAuth, modeAuthRequest} {
			if got := s.proxiedRequest(req("192.0.2.1"), mode); got != own {
				t.Errorf("untrusted peer: %+v, want the request itself %+v", got, own)
			}
		}
	}
	if n := strings.Count(logs.String(), "ignoring X-Forwarded-*"); n != 1 {
		t.Fatalf("untrusted headers logged %d times, want once: %s", n, logs.String())
	}
}
