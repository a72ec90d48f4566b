package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/browsertest"
	"github.com/guestpass/guestpass/internal/oathtool"
)

// TestBrowserMFA walks a tenant that requires a second factor in headless
// chromium: email code, TOTP registration (secret read off the page, codes
// from Debian's oathtool), recovery codes, sign-out; then email code and
// TOTP; then email code and a recovery code; new recovery codes on the
// security page, after which the old ones are refused. The server runs on a fake
// clock, moved a minute between sign-ins so each TOTP is a new time step.
func TestBrowserMFA(t *testing.T) {
	b := browsertest.New(t) // skips when chromium is absent; CI installs it
	ts := mustStart(t, nil)
	tid := ts.mustTenant(t, map[string]any{"requireMfaForGuests": true})
	inv := ts.mustInvite(t, tid, "ana@fabrikam.example")
	session := "__Host-gp-session-" + tid

	b.Navigate(t, inv.InviteRedeemURL, "form#send-code")
	ts.enterCode(t, b, "", 1)
	b.WaitVisible(t, "form#consent")
	b.Submit(t, `form#consent button[value=yes]`)
	b.WaitVisible(t, "form#mfa")
	secret := strings.TrimSpace(b.Text(t, "#totp-secret"))
	if len(secret) < 16 || b.Cookie(t, session) != nil {
		t.Fatalf("registration: secret %q, session before the second factor: %v", secret, b.Cookie(t, session) != nil)
	}
	b.WaitVisible(t, "img#totp-qr")
	b.Fill(t, "form#mfa input[name=code]", oathtool.TOTP(t, secret, ts.Clock.Now()))
	b.Submit(t, "form#mfa button")
	b.WaitVisible(t, "#recovery-codes")
	codes := strings.Fields(b.Text(t, "#recovery-codes"))
	if len(codes) != 10 {
		t.Fatalf("recovery codes: %q", codes)
	}
	b.Submit(t, "form#continue button")
	b.WaitVisible(t, "form#signout")
	// A GET form without fields leaves an empty query ("?") on the URL.
	if u := strings.TrimSuffix(b.URL(t), "?"); u != ts.URL+"/t/"+tid+"/apps" {
		t.Fatalf("after registration at %s", u)
	}
	signOutAndSendCode := func(t *testing.T, nth int) {
		t.Helper()
		b.Submit(t, "form#signout button")
		b.WaitVisible(t, "form#send-code")
		if b.Cookie(t, session) != nil {
			t.Fatal("session cookie survived sign-out")
		}
		ts.Clock.Advance(time.Minute)
		ts.enterCode(t, b, "ana@fabrikam.example", nth)
		b.WaitVisible(t, "form#mfa")
	}

	t.Run("TOTP", func(t *testing.T) {
		signOutAndSendCode(t, 2)
		if strings.Contains(b.Text(t, "main"), secret) {
			t.Fatal("the secret is shown again on a later sign-in")
		}
		b.Fill(t, "form#mfa input[name=code]", "000000")
		b.Submit(t, "form#mfa button")
		if alert := b.Text(t, "[role=alert]"); alert == "" {
			t.Fatal("a wrong TOTP code shows no alert")
		}
		b.Fill(t, "form#mfa input[name=code]", oathtool.TOTP(t, secret, ts.Clock.Now()))
		b.Submit(t, "form#mfa button")
		b.WaitVisible(t, "form#signout")
		if ck := b.Cookie(t, session); ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie after TOTP: %+v", ck)
		}
	})
	t.Run("RecoveryCode", func(t *testing.T) {
		signOutAndSendCode(t, 3)
		b.Fill(t, "form#mfa input[name=code]", codes[0])
		b.Submit(t, "form#mfa button")
		b.WaitVisible(t, "form#continue")
		if st := b.Text(t, "[role=status]"); !strings.Contains(st, "9 recovery codes left") {
			t.Fatalf("recovery sign-in status: %q", st)
		}
		b.Submit(t, "form#continue button")
		b.WaitVisible(t, "form#signout")
		if b.Cookie(t, session) == nil {
			t.Fatal("no session after a recovery code")
		}
	})
	t.Run("SecurityPageNewRecoveryCodes", func(t *testing.T) {
		b.Navigate(t, ts.URL+"/t/"+tid+"/security", "#methods")
		if txt := b.Text(t, "#codes-left"); !strings.Contains(txt, "9") {
			t.Fatalf("codes left: %q", txt)
		}
		b.Submit(t, "form#regenerate button")
		b.WaitVisible(t, "#recovery-codes")
		if fresh := strings.Fields(b.Text(t, "#recovery-codes")); len(fresh) != 10 || fresh[0] == codes[0] {
			t.Fatalf("new recovery codes: %q", fresh)
		}
		b.Navigate(t, ts.URL+"/t/"+tid+"/apps", "form#signout")
	})
	t.Run("RecoveryCodeWorksOnce", func(t *testing.T) {
		signOutAndSendCode(t, 4)
		b.Fill(t, "form#mfa input[name=code]", codes[0])
		b.Submit(t, "form#mfa button")
		if alert := b.Text(t, "[role=alert]"); alert == "" || b.Cookie(t, session) != nil {
			t.Fatalf("a used recovery code: alert %q, session %v", alert, b.Cookie(t, session) != nil)
		}
	})
}
