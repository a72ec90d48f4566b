package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/browsertest"
)

// TestBrowserRedeemAndSignIn walks the guest pages in headless chromium as
// a person would: invitation link, Send code, the code from the email,
// consent, the app list, sign-out, and a German sign-in page.
func TestBrowserRedeemAndSignIn(t *testing.T) {
	b := browsertest.New(t) // skips when chromium is absent; CI installs it
	ts := mustStart(t, nil)
	tid := ts.mustTenant(t, nil)
	inv := ts.mustInvite(t, tid, "ana@fabrikam.example")

	if st := b.Navigate(t, inv.InviteRedeemURL, "form#send-code"); st != http.StatusOK {
		t.Fatalf("redeem page: %d", st)
	}
	if txt := b.Text(t, "main"); !strings.Contains(txt, "a•••@fabrikam.example") || !strings.Contains(txt, "Contoso") {
		t.Fatalf("redeem page text: %q", txt)
	}
	b.Submit(t, "form#send-code button")
	b.WaitVisible(t, "form#verify-code")
	code := ts.mustCode(t, "ana@fabrikam.example", 1)

	b.Fill(t, "form#verify-code input[name=code]", otherCode(code))
	b.Submit(t, "form#verify-code button")
	if alert := b.Text(t, "[role=alert]"); !strings.Contains(alert, "not right") {
		t.Fatalf("wrong code alert: %q", alert)
	}
	b.Fill(t, "form#verify-code input[name=code]", code)
	b.Submit(t, "form#verify-code button")
	b.WaitVisible(t, "form#consent")
	b.Submit(t, `form#consent button[value=yes]`)
	b.WaitVisible(t, "form#signout")
	if u := b.URL(t); u != ts.URL+"/t/"+tid+"/apps" {
		t.Fatalf("after consent at %s", u)
	}
	ck := b.Cookie(t, "__Host-gp-session-"+tid)
	if ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie in the browser: %+v", ck)
	}
	b.Screenshot(t, filepath.Join(t.TempDir(), "apps.png"))

	b.Submit(t, "form#signout button")
	b.WaitVisible(t, "form#send-code")
	if b.Cookie(t, "__Host-gp-session-"+tid) != nil {
		t.Fatal("session cookie survived sign-out")
	}

	t.Run("SignInAgainTypingTheAddress", func(t *testing.T) {
		ts.Clock.Advance(time.Minute)
		ts.enterCode(t, b, "Ana@Fabrikam.example", 2)
		b.WaitVisible(t, "form#signout") // no consent the second time
	})
}

// enterCode asks for a code on the open form#send-code, typing typed into
// it unless it is empty (a redeem link knows the address), and enters the
// nth code mailed to ana@fabrikam.example.
func (ts *testServer) enterCode(t *testing.T, b *browsertest.Browser, typed string, nth int) {
	t.Helper()
	if typed != "" {
		b.Fill(t, "form#send-code input[name=email]", typed)
	}
	b.Submit(t, "form#send-code button")
	b.WaitVisible(t, "form#verify-code")
	b.Fill(t, "form#verify-code input[name=code]", ts.mustCode(t, "ana@fabrikam.example", nth))
	b.Submit(t, "form#verify-code button")
}
