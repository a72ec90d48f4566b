package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/guestpass/guestpass/internal/browsertest"
)

// TestBrowserFederatedRedemption walks a federated redemption in headless
// chromium: the invitation's Continue with Fabrikam, the upstream
// provider's own login page, its redirect back, consent, the app list.
func TestBrowserFederatedRedemption(t *testing.T) {
	b := browsertest.New(t) // skips when chromium is absent; CI installs it
	f := newFedPages(t)
	inv := f.invite(t, "ann@fabrikam.com")
	if st := b.Navigate(t, inv.RedeemURL, "form#idp"); st != http.StatusOK {
		t.Fatalf("redeem page: %d", st)
	}
	if txt := b.Text(t, "form#idp button"); txt != "Continue with Fabrikam" {
		t.Fatalf("button %q", txt)
	}
	b.Submit(t, "form#idp button")
	b.WaitVisible(t, "input#username")
	if u := b.URL(t); !strings.HasPrefix(u, f.op.Issuer+"/login") {
		t.Fatalf("upstream login at %s", u)
	}
	b.Fill(t, "input#username", "ann")
	b.Fill(t, "input#password", fedPassword)
	b.Submit(t, "input#password")
	b.WaitVisible(t, "form#consent")
	b.Submit(t, `form#consent button[value=yes]`)
	b.WaitVisible(t, "form#signout")
	if u := b.URL(t); u != f.URL+f.path("/apps") {
		t.Fatalf("after consent at %s", u)
	}
	if b.Cookie(t, "__Host-gp-session-"+f.tenant.ID) == nil || b.Cookie(t, "__Host-gp-flow-"+f.tenant.ID) != nil {
		t.Fatal("after a federated redemption: no session cookie, or the flow cookie kept")
	}
}
