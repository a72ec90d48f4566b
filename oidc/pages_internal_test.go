package oidc

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
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

// FuzzErrorRedirectParams: op's own error redirect (AuthResponseURL, as
// AuthRequestError builds it) to a redirect URI is recognized with its
// parameters; and whatever location is recognized is that redirect URI with
// error parameters added and nothing else, so the form never posts where
// op would not have redirected.
func FuzzErrorRedirectParams(f *testing.F) {
	f.Add("https://app.example/cb", "code_challenge_method is not supported", "st", "https://app.example/cb?error=x&state=1")
	f.Add("http://127.0.0.1:9/callback?tenant=a&x=1", "", "", "http://127.0.0.1:9/callback?error=x&tenant=a&x=1")
	f.Add("https://app.example/cb?state=mine", "d", "s", "https://evil.example/cb?error=x")
	f.Fuzz(func(t *testing.T, redirectURI, desc, state, other string) {
		if p, ok := errorRedirectParams(other, redirectURI); ok {
			u, _ := url.Parse(other)
			ru, _ := url.Parse(redirectURI)
			q := u.Query()
			for k := range p {
				if k != "error" && k != "error_description" && k != "state" {
					t.Fatalf("%q for %q: recognized %v", other, redirectURI, p)
				}
				q.Del(k)
			}
			if u.Scheme != ru.Scheme || u.Host != ru.Host || u.Path != ru.Path || q.Encode() != ru.Query().Encode() {
				t.Fatalf("%q recognized as an error redirect to %q", other, redirectURI)
			}
		}
		if guestpass.ValidateAppRedirectURI(redirectURI) != nil {
			return // op redirects only to a redirect URI of a client
		}
		ru, err := url.Parse(redirectURI)
		if err != nil {
			return
		}
		rq, err := url.ParseQuery(ru.RawQuery)
		if err != nil || rq.Has("error") || rq.Has("error_description") || rq.Has("state") {
			return // the redirect URI itself says error or state: not recognized, op's query answer goes out
		}
		e := oidc.ErrInvalidRequest().WithDescription("%s", desc)
		e.State = state
		loc, err := op.AuthResponseURL(redirectURI, oidc.ResponseTypeCode, oidc.ResponseModeQuery, e, errorEncoder{})
		if err != nil {
			return
		}
		p, ok := errorRedirectParams(loc, redirectURI)
		if !ok || p.Get("error") != "invalid_request" || p.Get("error_description") != desc || p.Get("state") != state {
			t.Fatalf("op's redirect %q for %q: %v %v", loc, redirectURI, p, ok)
		}
	})
}

// errorEncoder encodes an *oidc.Error as op's schema encoder does (its
// schema tags), so that op.AuthResponseURL builds the redirect.
type errorEncoder struct{}

func (errorEncoder) Encode(src any, dst map[string][]string) error {
	e := src.(*oidc.Error)
	dst["error"] = []string{string(e.ErrorType)}
	if e.Description != "" {
		dst["error_description"] = []string{e.Description}
	}
	if e.State != "" {
		dst["state"] = []string{e.State}
	}
	return nil
}

func TestErrorRedirectParamsRefuses(t *testing.T) {
	const cb = "https://app.example/cb"
	for _, loc := range []string{
		"https://evil.example/cb?error=invalid_request",       // another host
		"https://app.example/cb2?error=invalid_request",       // another path
		"https://app.example/cb?error=invalid_request&code=x", // more than an error
		"https://app.example/cb?state=s",                      // no error
		"https://app.example/cb?error=a&error=b",              // two
		"/t/x/oidc/login?id=1&error=invalid_request",          // op's login redirect
		"http://app.example/cb?error=invalid_request",         // another scheme
	} {
		if p, ok := errorRedirectParams(loc, cb); ok {
			t.Errorf("%s recognized as an error redirect to %s: %v", loc, cb, p)
		}
	}
	if _, ok := errorRedirectParams("https://app.example/cb?error=x", ""); ok {
		t.Error("recognized without a redirect_uri")
	}
}
