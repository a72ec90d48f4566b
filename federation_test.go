package guestpass_test

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/testop"
)

// fedEnv is a tenant whose guests at fabrikam.com sign in at a real
// upstream provider (zitadel's example OP).
type fedEnv struct {
	*env
	op  *testop.OP
	idp *guestpass.IdentityProvider
}

const upstreamPassword = "correct horse"

// The upstream's accounts: ann and jo as invited; bob is someone else at
// Fabrikam; una's address is not verified upstream.
var fabrikamUsers = []testop.User{
	{Username: "ann", Password: upstreamPassword, Email: "Ann@Fabrikam.com", EmailVerified: true},
	{Username: "jo", Password: upstreamPassword, Email: "jo@fabrikam.com", EmailVerified: true},
	{Username: "bob", Password: upstreamPassword, Email: "bob@fabrikam.com", EmailVerified: true},
	{Username: "una", Password: upstreamPassword, Email: "una@fabrikam.com", EmailVerified: false},
}

// newFedEnv runs the service on the wall clock's date (the upstream signs
// with real time) with flows that outlive an ID token, so that a test can
// let the token expire while the flow is still good.
func newFedEnv(t *testing.T, withIDP bool) *fedEnv {
	t.Helper()
	e := newNode(t, filepath.Join(t.TempDir(), "gp.db"), guestpass.NewFakeClock(time.Now()), &recordingMailer{}, nil,
		func(c *guestpass.Config) { c.FlowLifetime = 3 * time.Hour })
	var err error
	e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso", VerifiedDomains: []string{"contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fedEnv{env: e, op: e.startOP(t, fabrikamUsers...)}
	if withIDP {
		f.idp = f.mustIDP(t)
	}
	return f
}

func (f *fedEnv) mustIDP(t *testing.T) *guestpass.IdentityProvider {
	t.Helper()
	p, err := f.svc.CreateIdentityProviderLocal(t.Context(), f.tenant.ID, &guestpass.IdentityProviderInput{
		DisplayName: ptr("Fabrikam"), Issuer: &f.op.Issuer, ClientID: &f.op.ClientID, ClientSecret: &f.op.ClientSecret,
		Domains: &[]string{"fabrikam.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// start presses the button of addr's redemption link.
func (f *fedEnv) start(t *testing.T, inv *guestpass.InviteResult) *guestpass.SendCodeResult {
	t.Helper()
	res, err := f.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: f.tenant.ID, Ticket: mustTicketOf(t, inv.RedeemURL), Client: client})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// callback plays the browser's return from the upstream.
func (f *fedEnv) callback(t *testing.T, flow string, back *url.URL) (*guestpass.SignInResult, error) {
	t.Helper()
	q := back.Query()
	if want := f.svc.FederationRedirectURI(f.tenant.ID); !strings.HasPrefix(back.String(), want+"?") {
		t.Fatalf("upstream redirected to %s, want %s", back, want)
	}
	return f.svc.CompleteUpstream(t.Context(), guestpass.UpstreamCallbackRequest{TenantID: f.tenant.ID, FlowToken: flow,
		State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), Client: client})
}

// federated runs a whole upstream sign-in of inv's guest as username.
func (f *fedEnv) federated(t *testing.T, inv *guestpass.InviteResult, username string) (*guestpass.SignInResult, string, error) {
	t.Helper()
	res := f.start(t, inv)
	if res.UpstreamURL == "" {
		t.Fatal("no upstream sign-in: the redemption order chose the email code")
	}
	back := f.op.Login(t, res.UpstreamURL, username, upstreamPassword)
	out, err := f.callback(t, res.FlowToken, back)
	return out, res.FlowToken, err
}

func (f *fedEnv) consent(t *testing.T, flow string) *guestpass.SignInResult {
	t.Helper()
	res, err := f.svc.Consent(t.Context(), guestpass.ConsentRequest{TenantID: f.tenant.ID, FlowToken: flow, Accept: true, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// signInLog is the tenant's sign-in log as "action outcome reason".
func (f *fedEnv) signInLog(t *testing.T) []string {
	t.Helper()
	es, _, err := f.store.ListAudit(t.Context(), f.tenant.ID, guestpass.AuditSignIn, guestpass.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, strings.TrimSpace(e.Action+" "+e.Outcome+" "+e.Reason))
	}
	return out
}

func wantRefused(t *testing.T, err error, code string) {
	t.Helper()
	if codeOf(err) != code || guestpass.KindOf(err) != guestpass.KindForbidden {
		t.Fatalf("err %v, want forbidden %s", err, code)
	}
}

func TestFederationRedemptionOrder(t *testing.T) {
	f := newFedEnv(t, true)
	t.Run("DomainMatchSignsInUpstream", func(t *testing.T) {
		inv := f.invite(t, "ann@fabrikam.com")
		res, flow, err := f.federated(t, inv, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if !res.NeedConsent {
			t.Fatalf("first redemption skipped consent: %+v", res)
		}
		res = f.consent(t, flow)
		sess := res.Session.Session
		if sess.IDP != f.op.Issuer || !slices.Equal(sess.AMR, []string{"pwd"}) || sess.ExpiresAt.Sub(sess.AuthTime) != 24*time.Hour {
			t.Fatalf("session idp %q amr %q lifetime %s", sess.IDP, sess.AMR, sess.ExpiresAt.Sub(sess.AuthTime))
		}
		g, _ := f.store.GetGuest(t.Context(), f.tenant.ID, inv.Guest.ID)
		if g.State != guestpass.GuestAccepted || g.RedeemedWith != f.op.Issuer {
			t.Fatalf("guest %s redeemed with %q", g.State, g.RedeemedWith)
		}
		settle()
		if n := len(f.mailer.sent(guestpass.MailCode, "ann@fabrikam.com")); n != 0 {
			t.Fatalf("%d code emails to a federated guest", n)
		}
		if log := f.signInLog(t); !slices.Contains(log, "signIn.route success domain_provider") || !slices.Contains(log, "upstream.verify success") {
			t.Fatalf("sign-in log %q", log)
		}
		t.Run("NextSignInIsStickyAndSkipsConsent", func(t *testing.T) {
			res, _, err := f.federated(t, inv, "ann")
			if err != nil || res.Session == nil {
				t.Fatalf("%+v %v", res, err)
			}
			if log := f.signInLog(t); !slices.Contains(log, "signIn.route success sticky_identity") {
				t.Fatalf("sign-in log %q", log)
			}
		})
		t.Run("SessionSurvivesEmailOTPOff", func(t *testing.T) {
			off := guestpass.EmailOTPDisabled
			if _, err := f.svc.UpdateTenant(t.Context(), mustOperator(t, f.env), f.tenant.ID, &guestpass.TenantPatch{EmailOTP: &off}); err != nil {
				t.Fatal(err)
			}
			op := mustOperator(t, f.env)
			t.Cleanup(func() {
				def := guestpass.EmailOTPDefault
				_, _ = f.svc.UpdateTenant(context.Background(), op, f.tenant.ID, &guestpass.TenantPatch{EmailOTP: &def})
			})
			if !f.sessionLive(t, res.Session.Token) {
				t.Fatal("a federated session ended when email codes were switched off")
			}
			if _, _, err := f.federated(t, inv, "ann"); err != nil {
				t.Fatalf("upstream sign-in with codes off: %v", err)
			}
		})
	})
	t.Run("UnmatchedDomainGetsCode", func(t *testing.T) {
		inv := f.invite(t, "kim@partner.example")
		if res := f.start(t, inv); res.UpstreamURL != "" {
			t.Fatalf("sent upstream: %s", res.UpstreamURL)
		}
		f.waitCodes(t, "kim@partner.example", 1)
		if log := f.signInLog(t); !slices.Contains(log, "signIn.route success no_domain_provider") {
			t.Fatalf("sign-in log %q", log)
		}
	})
	t.Run("EmailMismatchRefused", func(t *testing.T) {
		inv := f.invite(t, "jo@fabrikam.com")
		_, flow, err := f.federated(t, inv, "bob")
		wantRefused(t, err, "email_mismatch")
		if _, err := f.svc.Consent(t.Context(), guestpass.ConsentRequest{TenantID: f.tenant.ID, FlowToken: flow, Accept: true, Client: client}); codeOf(err) != "flow_expired" {
			t.Fatalf("consent after a refused upstream sign-in: %v", err)
		}
		if g, _ := f.store.GetGuest(t.Context(), f.tenant.ID, inv.Guest.ID); g.State != guestpass.GuestPendingAcceptance || g.RedeemedWith != "" {
			t.Fatalf("guest %s %q after a mismatch", g.State, g.RedeemedWith)
		}
		if log := f.signInLog(t); !slices.Contains(log, "upstream.verify failure email_mismatch") {
			t.Fatalf("sign-in log %q", log)
		}
	})
	t.Run("UnverifiedEmailRefused", func(t *testing.T) {
		_, _, err := f.federated(t, f.invite(t, "una@fabrikam.com"), "una")
		wantRefused(t, err, "email_not_verified")
	})
	t.Run("UninvitedAddressRefusedAfterUpstream", func(t *testing.T) {
		res, err := f.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: f.tenant.ID, Email: "bob@fabrikam.com", Client: client})
		if err != nil || res.UpstreamURL == "" {
			t.Fatalf("an uninvited address in a provider's domain: %+v %v (must look like any other)", res, err)
		}
		_, err = f.callback(t, res.FlowToken, f.op.Login(t, res.UpstreamURL, "bob", upstreamPassword))
		wantRefused(t, err, "not_invited")
	})
}

func TestFederationRefusesForgedAnswers(t *testing.T) {
	f := newFedEnv(t, true)
	inv := f.invite(t, "ann@fabrikam.com")
	t.Run("BadState", func(t *testing.T) {
		res := f.start(t, inv)
		back := f.op.Login(t, res.UpstreamURL, "ann", upstreamPassword)
		forged := *back
		q := forged.Query()
		q.Set("state", strings.Repeat("A", 43))
		forged.RawQuery = q.Encode()
		_, err := f.callback(t, res.FlowToken, &forged)
		wantRefused(t, err, "invalid_state")
		// The state is spent: the genuine answer no longer works either.
		if _, err := f.callback(t, res.FlowToken, back); codeOf(err) != "flow_expired" {
			t.Fatalf("genuine answer after a forged one: %v", err)
		}
	})
	t.Run("AnotherBrowsersAnswer", func(t *testing.T) {
		victim, attacker := f.start(t, inv), f.start(t, inv)
		back := f.op.Login(t, attacker.UpstreamURL, "ann", upstreamPassword)
		_, err := f.callback(t, victim.FlowToken, back)
		wantRefused(t, err, "invalid_state")
	})
	t.Run("BadNonce", func(t *testing.T) {
		res := f.start(t, inv)
		u, _ := url.Parse(res.UpstreamURL)
		q := u.Query()
		q.Set("nonce", "replayed-"+q.Get("nonce"))
		u.RawQuery = q.Encode()
		_, err := f.callback(t, res.FlowToken, f.op.Login(t, u.String(), "ann", upstreamPassword))
		wantRefused(t, err, "invalid_nonce")
	})
	t.Run("ExpiredIDToken", func(t *testing.T) {
		res := f.start(t, inv)
		back := f.op.Login(t, res.UpstreamURL, "ann", upstreamPassword)
		f.clock.Advance(2 * time.Hour) // the example OP's ID tokens live 1 h
		_, err := f.callback(t, res.FlowToken, back)
		wantRefused(t, err, "id_token_expired")
	})
	t.Run("UpstreamError", func(t *testing.T) {
		res := f.start(t, inv)
		u, _ := url.Parse(res.UpstreamURL)
		back, _ := url.Parse(f.svc.FederationRedirectURI(f.tenant.ID) + "?error=access_denied&state=" + url.QueryEscape(u.Query().Get("state")))
		_, err := f.callback(t, res.FlowToken, back)
		wantRefused(t, err, "upstream_error")
	})
	t.Run("CodeWithoutVerifier", func(t *testing.T) {
		// PKCE: a code alone is worth nothing. Another flow's verifier is
		// what GuestPass sends, so the upstream refuses the exchange.
		a, b := f.start(t, inv), f.start(t, inv)
		backA := f.op.Login(t, a.UpstreamURL, "ann", upstreamPassword)
		bq, _ := url.Parse(b.UpstreamURL)
		forged, _ := url.Parse(f.svc.FederationRedirectURI(f.tenant.ID) + "?code=" + url.QueryEscape(backA.Query().Get("code")) +
			"&state=" + url.QueryEscape(bq.Query().Get("state")))
		_, err := f.callback(t, b.FlowToken, forged)
		wantRefused(t, err, "upstream_token")
	})
	if g, _ := f.store.GetGuest(t.Context(), f.tenant.ID, inv.Guest.ID); g.State != guestpass.GuestPendingAcceptance {
		t.Fatalf("a forged answer redeemed the invitation: %s", g.State)
	}
}

func TestFederationStickyIdentityAndReset(t *testing.T) {
	f := newFedEnv(t, false)
	inv := f.invite(t, "jo@fabrikam.com")
	code := f.signedIn(t, "jo@fabrikam.com", 1)
	f.idp = f.mustIDP(t)
	if res := f.start(t, inv); res.UpstreamURL != "" {
		t.Fatal("a guest who redeemed by code was sent upstream before any reset")
	}
	t.Run("ResetSwitchesToProvider", func(t *testing.T) {
		re, err := f.svc.InviteLocal(t.Context(), f.tenant.ID, guestpass.InviteRequest{Email: "jo@fabrikam.com", ResetRedemption: true, SendMessage: true})
		if err != nil {
			t.Fatal(err)
		}
		if re.Guest.ID != inv.Guest.ID || re.Guest.State != guestpass.GuestPendingAcceptance || re.Guest.RedeemedWith != "" {
			t.Fatalf("after reset: %+v", re.Guest)
		}
		if f.sessionLive(t, code) {
			t.Fatal("the code session survived the reset")
		}
		waitMail(t, f.mailer, guestpass.MailInvitation, "jo@fabrikam.com", 2) // the first invitation and the reset's
		res, flow, err := f.federated(t, re, "jo")
		if err != nil || !res.NeedConsent {
			t.Fatalf("%+v %v", res, err)
		}
		if s := f.consent(t, flow).Session.Session; s.IDP != f.op.Issuer {
			t.Fatalf("session idp %q", s.IDP)
		}
		es, _, _ := f.store.ListAudit(t.Context(), f.tenant.ID, "", guestpass.Page{Limit: 100})
		if !slices.ContainsFunc(es, func(e *guestpass.AuditEvent) bool {
			return e.Action == "invitation.resetRedemption" && e.GuestID == inv.Guest.ID
		}) ||
			!slices.ContainsFunc(es, func(e *guestpass.AuditEvent) bool { return e.Action == "code.send" && e.GuestID == inv.Guest.ID }) {
			t.Fatal("the reset is not audited, or the guest's history was lost")
		}
	})
	t.Run("ProviderGoneIsRefused", func(t *testing.T) {
		if err := f.svc.DeleteIdentityProvider(t.Context(), mustOperator(t, f.env), f.tenant.ID, f.idp.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: f.tenant.ID, Email: "jo@fabrikam.com", Client: client})
		wantRefused(t, err, "identity_provider_gone")
	})
}

func TestFederationWithEmailOTPDisabled(t *testing.T) {
	f := newFedEnv(t, true)
	off := guestpass.EmailOTPDisabled
	if _, err := f.svc.UpdateTenant(t.Context(), mustOperator(t, f.env), f.tenant.ID, &guestpass.TenantPatch{EmailOTP: &off}); err != nil {
		t.Fatal(err)
	}
	t.Run("NoProviderRefused", func(t *testing.T) {
		_, err := f.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: f.tenant.ID, Ticket: mustTicketOf(t, f.invite(t, "kim@partner.example").RedeemURL), Client: client})
		wantRefused(t, err, "email_otp_disabled")
		if log := f.signInLog(t); !slices.Contains(log, "signIn.route failure email_otp_disabled") {
			t.Fatalf("sign-in log %q", log)
		}
	})
	t.Run("ProviderStillWorks", func(t *testing.T) {
		if _, _, err := f.federated(t, f.invite(t, "ann@fabrikam.com"), "ann"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFederationThenMFA(t *testing.T) {
	f := newFedEnv(t, true)
	on := true
	if _, err := f.svc.UpdateTenant(t.Context(), mustOperator(t, f.env), f.tenant.ID, &guestpass.TenantPatch{RequireMFAForGuests: &on}); err != nil {
		t.Fatal(err)
	}
	res, flow, err := f.federated(t, f.invite(t, "ann@fabrikam.com"), "ann")
	if err != nil || !res.NeedConsent {
		t.Fatalf("%+v %v", res, err)
	}
	if res = f.consent(t, flow); !res.NeedMFA || res.Session != nil {
		t.Fatalf("a federated sign-in skipped the tenant's second factor: %+v", res)
	}
}

// waitMail waits until n messages of kind reached addr.
func waitMail(t *testing.T, m *recordingMailer, kind guestpass.MailKind, addr string, n int) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for len(m.sent(kind, addr)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d %s emails for %s, want %d", len(m.sent(kind, addr)), kind, addr, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFederatedStartsKeepNoSendLimits: pressing the button for an address
// routed to its identity provider gives back the send limits the press took
// (it commits rather than rolls back, so that it never fails a transaction
// it shares with other writes), so federated sign-ins never spend what the
// email code's limits allow the same network.
func TestFederatedStartsKeepNoSendLimits(t *testing.T) {
	f := newFedEnv(t, true)
	fed := f.invite(t, "jo@fabrikam.com")
	for range guestpass.DefaultLimits().SendPerIP.Burst + 5 {
		if res := f.start(t, fed); res.UpstreamURL == "" {
			t.Fatal("the email code was chosen for a federated address")
		}
	}
	f.invite(t, "kim@northwind.example")
	f.send(t, "", "kim@northwind.example")
	f.waitCodes(t, "kim@northwind.example", 1) // a limited send would be a decoy, never mailed
	for _, line := range f.signInLog(t) {
		if strings.Contains(line, "rate_limited") {
			t.Errorf("sign-in log: %q", line)
		}
	}
}
