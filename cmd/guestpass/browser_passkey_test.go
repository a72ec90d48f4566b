package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/browsertest"
)

// TestBrowserPasskey walks a tenant that requires a second factor in headless
// chromium with a virtual WebAuthn authenticator (CDP WebAuthn domain):
// email code, passkey registration (passkey.js, the real navigator.credentials),
// recovery codes, sign-out; email code and the passkey again, giving a session
// whose amr names a hardware key and user verification; then a second passkey,
// from another authenticator, added on the security page. The server is
// named localhost: an IP address cannot be a WebAuthn RP ID.
func TestBrowserPasskey(t *testing.T) {
	b := browsertest.New(t) // skips when chromium is absent; CI installs it
	ts := mustStart(t, func(_ testing.TB, m *Main) {
		m.Config.BaseURL = strings.Replace(m.Config.BaseURL, "127.0.0.1", "localhost", 1)
	})
	ts.URL = ts.Config.BaseURL
	tid := ts.mustTenant(t, map[string]any{"requireMfaForGuests": true})
	inv := ts.mustInvite(t, tid, "ana@fabrikam.example")
	session := "__Host-gp-session-" + tid
	first := b.AddAuthenticator(t)

	b.Navigate(t, inv.InviteRedeemURL, "form#send-code")
	ts.enterCode(t, b, "", 1)
	b.WaitVisible(t, "form#consent")
	b.Submit(t, `form#consent button[value=yes]`)
	b.WaitVisible(t, "form#passkey button") // shown by passkey.js
	b.Click(t, "form#passkey button")
	b.WaitVisible(t, "#recovery-codes")
	if codes := strings.Fields(b.Text(t, "#recovery-codes")); len(codes) != 10 {
		t.Fatalf("recovery codes after a passkey registration: %q", codes)
	}
	if n := len(first.Credentials(t)); n != 1 {
		t.Fatalf("the authenticator holds %d credentials", n)
	}
	b.Submit(t, "form#continue button")
	b.WaitVisible(t, "form#signout")

	b.Submit(t, "form#signout button")
	b.WaitVisible(t, "form#send-code")
	ts.Clock.Advance(time.Minute)
	ts.enterCode(t, b, "ana@fabrikam.example", 2)
	b.WaitVisible(t, "form#passkey button")
	if b.Cookie(t, session) != nil {
		t.Fatal("a session before the second factor")
	}
	b.Click(t, "form#passkey button")
	b.WaitVisible(t, "form#signout")
	ck := b.Cookie(t, session)
	if ck == nil {
		t.Fatal("no session after the passkey")
	}
	sess, _, err := ts.Service.SessionByToken(t.Context(), tid, ck.Value)
	if err != nil || !slices.Equal(sess.AMR, []string{"otp", "hwk", "user", "mfa"}) {
		t.Fatalf("session amr: %+v %v", sess, err)
	}

	t.Run("SecurityPageAddsPasskey", func(t *testing.T) {
		first.Remove(t) // the new passkey comes from another authenticator
		second := b.AddAuthenticator(t)
		b.Navigate(t, ts.URL+"/t/"+tid+"/security", "form#add-passkey button")
		b.Click(t, "form#add-passkey button")
		b.WaitVisible(t, "[role=status]")
		if st := b.Text(t, "[role=status]"); !strings.Contains(st, "new sign-in method was added") {
			t.Fatalf("notice %q", st)
		}
		if got := strings.Count(b.Text(t, "#methods"), "Passkey"); got != 2 || len(second.Credentials(t)) != 1 {
			t.Fatalf("methods after adding: %q", b.Text(t, "#methods"))
		}
	})
}
