package main

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/browsertest"
	"github.com/guestpass/guestpass/internal/oauth2proxytest"
)

// TestBrowserOAuth2Proxy signs a guest in to an app behind oauth2-proxy,
// GuestPass being its OIDC provider (--provider=oidc), in headless
// chromium: the proxy sends the browser to the tenant's issuer, the guest
// gets the email code and consents on the real pages, the proxy exchanges
// the code (PKCE S256, client_secret_basic), verifies the ID token and
// lets the browser through to the upstream with the guest's identity.
func TestBrowserOAuth2Proxy(t *testing.T) {
	oauth2proxytest.Binary(t) // skips, naming how to build it, when absent
	b := browsertest.New(t)   // skips when chromium is absent; CI installs it
	ts := mustStart(t, nil)
	tid := ts.mustTenant(t, nil)
	inv := ts.mustInvite(t, tid, "ana@fabrikam.example")

	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Wiki</title><p id="email">%s</p><p id="user">%s</p>`,
			html.EscapeString(r.Header.Get("X-Forwarded-Email")), html.EscapeString(r.Header.Get("X-Forwarded-User")))
	}))
	t.Cleanup(upstream.Close)

	ln := oauth2proxytest.Listener(t)
	proxy := oauth2proxytest.URL(ln)
	var app struct{ ID, ClientID, ClientSecret string }
	if st := ts.api(t, "POST", "/api/v1/tenants/"+tid+"/applications", map[string]any{"displayName": "Wiki", "type": "oidc",
		"redirectUris": []string{proxy + "/oauth2/callback"}}, &app); st != http.StatusCreated || app.ClientSecret == "" {
		t.Fatalf("create app: %d %+v", st, app)
	}
	// With offline_access and --cookie-refresh, as docs/oidc.md advises,
	// the proxy notices a revoked guest at its next refresh.
	oauth2proxytest.Start(t, oauth2proxytest.Options{Listener: ln, Issuer: ts.URL + "/t/" + tid,
		ClientID: app.ClientID, ClientSecret: app.ClientSecret, Upstream: upstream.URL,
		Flags: []string{"--scope=openid email profile offline_access", "--cookie-refresh=1s"}})

	// The app itself is where the guest starts: oauth2-proxy sends the
	// browser to GuestPass, which asks for the address (the invitation was
	// never opened).
	b.Navigate(t, proxy+"/", "form#send-code")
	if u := b.URL(t); !strings.HasPrefix(u, ts.URL+"/t/"+tid+"/signin") {
		t.Fatalf("the proxy sent the browser to %s", u)
	}
	ts.enterCode(t, b, "ana@fabrikam.example", 1)
	b.WaitVisible(t, "form#consent")
	b.Submit(t, `form#consent button[value=yes]`)
	b.WaitVisible(t, "#email")
	if u := b.URL(t); u != proxy+"/" {
		t.Fatalf("after sign-in at %s, want the app %s/", u, proxy)
	}
	if email := b.Text(t, "#email"); email != "ana@fabrikam.example" {
		t.Fatalf("X-Forwarded-Email at the upstream: %q", email)
	}
	if user := b.Text(t, "#user"); user != inv.InvitedUser.ID {
		t.Fatalf("X-Forwarded-User at the upstream: %q, want the guest id %s", user, inv.InvitedUser.ID)
	}

	// The proxy's clock is its own, and it counts a cookie's age in whole
	// seconds: 2 s is past --cookie-refresh=1s.
	refreshDue := func() { time.Sleep(2 * time.Second) }
	t.Run("RefreshKeepsAGuestIn", func(t *testing.T) {
		refreshDue()
		b.Navigate(t, proxy+"/", "#email")
		if email := b.Text(t, "#email"); email != "ana@fabrikam.example" {
			t.Fatalf("after a refresh: %q", email)
		}
	})
	t.Run("RevokedGuestIsSentToSignIn", func(t *testing.T) {
		if st := ts.api(t, "POST", "/api/v1/tenants/"+tid+"/guests/"+inv.InvitedUser.ID+"/revokeSignInSessions", nil, nil); st != http.StatusOK {
			t.Fatalf("revoke: %d", st)
		}
		refreshDue()
		b.Navigate(t, proxy+"/", "form#send-code")
		if u := b.URL(t); !strings.HasPrefix(u, ts.URL+"/t/"+tid+"/signin") {
			t.Fatalf("after revocation the proxy let the browser to %s", u)
		}
	})
}
