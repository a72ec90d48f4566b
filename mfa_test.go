package guestpass_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/oathtool"
)

func newMFAEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	tn, err := e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Strict", VerifiedDomains: []string{"strict.com"},
		Settings: guestpass.TenantSettings{RequireMFAForGuests: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !tn.Settings.RequireMFAForGuests {
		t.Fatal("setting not kept")
	}
	e.tenant = tn
	return e
}

// firstFactor signs addr in with the nth emailed code (and consent) and
// returns the flow, which must now be waiting for the second factor.
func (e *env) firstFactor(t *testing.T, addr string, nth int) string {
	t.Helper()
	flow := e.send(t, "", addr)
	res, err := e.verify(t, flow, e.waitCodes(t, addr, nth)[nth-1])
	if err != nil {
		t.Fatal(err)
	}
	if res.NeedConsent {
		res, err = e.svc.Consent(t.Context(), guestpass.ConsentRequest{TenantID: e.tenant.ID, FlowToken: flow, Accept: true, Client: client})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !res.NeedMFA || res.Session != nil {
		t.Fatalf("after first factor: %+v", res)
	}
	return flow
}

func (e *env) mfa(t *testing.T, flow, code, recovery string) (*guestpass.SignInResult, error) {
	t.Helper()
	return e.svc.VerifyMFA(t.Context(), guestpass.VerifyMFARequest{TenantID: e.tenant.ID, FlowToken: flow, Code: code, RecoveryCode: recovery, Client: client})
}

// registered runs a first sign-in through TOTP registration and returns the
// secret and the recovery codes.
func (e *env) registered(t *testing.T, addr string) (string, []string) {
	t.Helper()
	e.invite(t, addr)
	flow := e.firstFactor(t, addr, 1)
	v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
	if err != nil || !v.Register || v.Secret == "" || !strings.HasPrefix(v.URI, "otpauth://totp/") {
		t.Fatalf("view = %+v, %v", v, err)
	}
	again, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
	if again.Secret != v.Secret {
		t.Fatal("reloading the registration changed the secret")
	}
	res, err := e.mfa(t, flow, oathtool.TOTP(t, v.Secret, e.clock.Now()), "")
	if err != nil || res.Session == nil {
		t.Fatalf("register = %+v, %v", res, err)
	}
	if amr := res.Session.Session.AMR; !slices.Contains(amr, "otp") || !slices.Contains(amr, "mfa") {
		t.Fatalf("amr %v", amr)
	}
	if len(res.RecoveryCodes) != 10 {
		t.Fatalf("%d recovery codes", len(res.RecoveryCodes))
	}
	return v.Secret, res.RecoveryCodes
}

func TestMFA(t *testing.T) {
	t.Run("NoSessionBeforeSecondFactor", func(t *testing.T) {
		e := newMFAEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.firstFactor(t, "jo@fabrikam.com", 1)
		if _, err := e.verify(t, flow, "12345678"); codeOf(err) != "flow_expired" {
			t.Fatalf("email code on an MFA flow: %v", err)
		}
		if _, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, "bogus"); codeOf(err) != "flow_expired" {
			t.Fatalf("foreign flow: %v", err)
		}
	})
	t.Run("RegisterThenSignInWithOathtoolCode", func(t *testing.T) {
		e := newMFAEnv(t)
		secret, _ := e.registered(t, "jo@fabrikam.com")
		e.clock.Advance(time.Minute)
		flow := e.firstFactor(t, "jo@fabrikam.com", 2)
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || v.Register || v.Secret != "" {
			t.Fatalf("second sign-in must not re-register or show the secret: %+v %v", v, err)
		}
		// The previous step (clock drift) is accepted.
		res, err := e.mfa(t, flow, oathtool.TOTP(t, secret, e.clock.Now().Add(-30*time.Second)), "")
		if err != nil || res.Session == nil || len(res.RecoveryCodes) != 0 {
			t.Fatalf("sign in = %+v, %v", res, err)
		}
	})
	t.Run("ReplayWrongOutOfWindowRefused", func(t *testing.T) {
		e := newMFAEnv(t)
		secret, _ := e.registered(t, "jo@fabrikam.com")
		used := oathtool.TOTP(t, secret, e.clock.Now())
		flow := e.firstFactor(t, "jo@fabrikam.com", 2)
		if _, err := e.mfa(t, flow, used, ""); codeOf(err) != "mfa_code_used" {
			t.Fatalf("replay: %v", err)
		}
		e.clock.Advance(5 * time.Minute)
		if _, err := e.mfa(t, flow, oathtool.TOTP(t, secret, e.clock.Now().Add(-90*time.Second)), ""); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("out of window (past): %v", err)
		}
		if _, err := e.mfa(t, flow, oathtool.TOTP(t, secret, e.clock.Now().Add(90*time.Second)), ""); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("out of window (future): %v", err)
		}
		good := oathtool.TOTP(t, secret, e.clock.Now())
		wrong := []byte(good)
		wrong[0] = '0' + (wrong[0]-'0'+1)%10
		if _, err := e.mfa(t, flow, string(wrong), ""); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("wrong: %v", err)
		}
		for _, bad := range []string{"", "12345", "abcdef", "1234567"} {
			if _, err := e.mfa(t, flow, bad, ""); codeOf(err) != "invalid_mfa_code_format" {
				t.Fatalf("%q: %v", bad, err)
			}
		}
		if res, err := e.mfa(t, flow, good, ""); err != nil || res.Session == nil {
			t.Fatalf("good code after failures: %+v %v", res, err)
		}
	})
	t.Run("RecoveryCodeWorksOnce", func(t *testing.T) {
		e := newMFAEnv(t)
		_, codes := e.registered(t, "jo@fabrikam.com")
		flow := e.firstFactor(t, "jo@fabrikam.com", 2)
		res, err := e.mfa(t, flow, "", strings.ToLower(codes[3]))
		if err != nil || res.Session == nil || !res.UsedRecoveryCode || res.RecoveryCodesLeft != 9 {
			t.Fatalf("recovery = %+v, %v", res, err)
		}
		flow = e.firstFactor(t, "jo@fabrikam.com", 3)
		if _, err := e.mfa(t, flow, "", codes[3]); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("reused recovery code: %v", err)
		}
		if _, err := e.mfa(t, flow, "", "not-a-code"); codeOf(err) != "invalid_recovery_code_format" {
			t.Fatalf("malformed: %v", err)
		}
		if res, err := e.mfa(t, flow, "", codes[4]); err != nil || res.RecoveryCodesLeft != 8 {
			t.Fatalf("next code: %+v %v", res, err)
		}
	})
	t.Run("WrongCodesLockTheGuest", func(t *testing.T) {
		e := newMFAEnv(t)
		e.registered(t, "jo@fabrikam.com")
		flow := e.firstFactor(t, "jo@fabrikam.com", 2)
		var err error
		for i := 0; i < 100; i++ {
			if _, err = e.mfa(t, flow, "000000", ""); codeOf(err) != "wrong_mfa_code" {
				break
			}
		}
		if codeOf(err) != "locked" {
			t.Fatalf("after many wrong codes: %v", err)
		}
		// The lock is the email-code lock: a new email code is refused too.
		if _, err := e.verify(t, flow, "12345678"); err == nil {
			t.Fatal("verify after lock succeeded")
		}
	})
}

func (e *env) methods(t *testing.T, addr string) []*guestpass.MFAMethod {
	t.Helper()
	g, err := e.store.GetGuestByMail(t.Context(), e.tenant.ID, addr)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := e.store.ListMFAMethods(t.Context(), e.tenant.ID, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestPendingRegistration(t *testing.T) {
	t.Run("ReloadsAndNewFlowsReuseOneRow", func(t *testing.T) {
		e := newMFAEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.firstFactor(t, "jo@fabrikam.com", 1)
		first, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		for range 5 {
			if v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); err != nil || v.Secret != first.Secret {
				t.Fatalf("reload = %+v %v", v, err)
			}
		}
		e.clock.Advance(time.Minute)
		flow = e.firstFactor(t, "jo@fabrikam.com", 2)
		if v, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); v.Secret != first.Secret {
			t.Fatal("a second sign-in within the hour got a new secret")
		}
		if ms := e.methods(t, "jo@fabrikam.com"); len(ms) != 1 || !ms[0].Pending() {
			t.Fatalf("methods = %+v", ms)
		}
	})
	t.Run("StaleRegistrationReplaced", func(t *testing.T) {
		e := newMFAEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.firstFactor(t, "jo@fabrikam.com", 1)
		old, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		e.clock.Advance(guestpass.PendingMFALifetime + time.Minute)
		flow = e.firstFactor(t, "jo@fabrikam.com", 2)
		// The old secret stops working once the row is stale, even before
		// the page is shown again.
		if _, err := e.mfa(t, flow, oathtool.TOTP(t, old.Secret, e.clock.Now()), ""); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("stale secret: %v", err)
		}
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || v.Secret == old.Secret {
			t.Fatalf("stale registration kept its secret: %+v %v", v, err)
		}
		if ms := e.methods(t, "jo@fabrikam.com"); len(ms) != 1 {
			t.Fatalf("%d method rows, want 1", len(ms))
		}
		if res, err := e.mfa(t, flow, oathtool.TOTP(t, v.Secret, e.clock.Now()), ""); err != nil || res.Session == nil {
			t.Fatalf("new secret: %+v %v", res, err)
		}
	})
	t.Run("StaleWhileThePageStandsOpen", func(t *testing.T) {
		// Flow A makes the secret; flow B, 50 minutes later, reuses it and
		// outlives it. Viewing never replaces it: StartTOTP (a POST) does.
		e := newMFAEnv(t)
		e.invite(t, "jo@fabrikam.com")
		e.firstFactor(t, "jo@fabrikam.com", 1)
		e.clock.Advance(50 * time.Minute)
		flow := e.firstFactor(t, "jo@fabrikam.com", 2)
		old, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		e.clock.Advance(15 * time.Minute)
		for range 3 {
			v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
			if err != nil || !v.Register || v.Secret != "" || v.URI != "" {
				t.Fatalf("stale view = %+v %v", v, err)
			}
		}
		if ms := e.methods(t, "jo@fabrikam.com"); len(ms) != 1 || ms[0].CreatedAt.After(e.clock.Now().Add(-time.Hour)) {
			t.Fatalf("viewing replaced the stale row: %+v", ms)
		}
		if err := e.svc.StartTOTP(t.Context(), e.tenant.ID, flow); err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || v.Secret == "" || v.Secret == old.Secret {
			t.Fatalf("after StartTOTP: %+v %v", v, err)
		}
		if err := e.svc.StartTOTP(t.Context(), e.tenant.ID, flow); err != nil {
			t.Fatal(err)
		}
		if again, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); again.Secret != v.Secret {
			t.Fatal("a second StartTOTP replaced a fresh secret")
		}
		if err := e.svc.StartTOTP(t.Context(), e.tenant.ID, "bogus-flow-token-bogus"); codeOf(err) != "flow_expired" {
			t.Fatalf("foreign flow: %v", err)
		}
	})
	t.Run("PurgeRemovesAbandonedRegistrations", func(t *testing.T) {
		e := newMFAEnv(t)
		e.registered(t, "jo@fabrikam.com")
		e.invite(t, "al@fabrikam.com")
		flow := e.firstFactor(t, "al@fabrikam.com", 1)
		if _, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(guestpass.PendingMFALifetime)
		if _, err := e.svc.Purge(t.Context()); err != nil {
			t.Fatal(err)
		}
		if ms := e.methods(t, "al@fabrikam.com"); len(ms) != 0 {
			t.Fatalf("abandoned registration kept: %+v", ms)
		}
		if ms := e.methods(t, "jo@fabrikam.com"); len(ms) != 1 {
			t.Fatal("purge removed a confirmed method")
		}
	})
}

func TestAdminResetsMFA(t *testing.T) {
	e := newMFAEnv(t)
	e.registered(t, "jo@fabrikam.com")
	op := mustOperator(t, e)
	g, err := e.store.GetGuestByMail(t.Context(), e.tenant.ID, "jo@fabrikam.com")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := e.svc.GuestMFAMethods(t.Context(), op, e.tenant.ID, g.ID)
	if err != nil || len(ms) != 1 || ms[0].Kind != guestpass.MFATOTP {
		t.Fatalf("methods = %+v, %v", ms, err)
	}
	if _, err := e.svc.ResetGuestMFA(t.Context(), op, e.tenant.ID, "nope"); guestpass.KindOf(err) != guestpass.KindNotFound {
		t.Fatalf("reset unknown guest: %v", err)
	}
	flow := e.firstFactor(t, "jo@fabrikam.com", 2)
	if _, err := e.mfa(t, flow, "", ""); codeOf(err) != "invalid_mfa_code_format" {
		t.Fatalf("empty code: %v", err)
	}
	if n, err := e.svc.ResetGuestMFA(t.Context(), op, e.tenant.ID, g.ID); n != 1 || err != nil {
		t.Fatalf("reset = %d, %v", n, err)
	}
	if ms, _ := e.svc.GuestMFAMethods(t.Context(), op, e.tenant.ID, g.ID); len(ms) != 0 {
		t.Fatal("methods survive reset")
	}
	logs, _, err := e.svc.ListAudit(t.Context(), op, e.tenant.ID, guestpass.AuditAdmin, guestpass.Page{Limit: 100})
	if err != nil || !slices.ContainsFunc(logs, func(a *guestpass.AuditEvent) bool { return a.Action == "guest.resetMfa" }) {
		t.Fatalf("no audit event: %v", err)
	}
	flow = e.firstFactor(t, "jo@fabrikam.com", 3)
	if v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); err != nil || !v.Register {
		t.Fatalf("after reset the guest must register again: %+v %v", v, err)
	}
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	f.Add("abcd-efgh-2345-6777")
	f.Fuzz(func(t *testing.T, s string) {
		if c, ok := guestpass.NormalizeRecoveryCode(s); ok && len(c) != 16 {
			t.Fatalf("%q -> %q", s, c)
		}
	})
}

func TestAppRequireMFA(t *testing.T) {
	e := newEnv(t) // the tenant does not require a second factor
	strict := guestpass.AppProxy
	on, off := true, false
	mkApp := func(name, host string, require *bool) *guestpass.Application {
		a, _, err := e.svc.CreateApplicationLocal(t.Context(), e.tenant.ID, &guestpass.AppInput{DisplayName: &name, Type: &strict,
			Hosts: &[]string{host}, RequireMFA: require})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	payroll := mkApp("Payroll", "payroll.contoso.com", &on)
	wiki := mkApp("Wiki", "wiki.contoso.com", &off)
	e.invite(t, "jo@fabrikam.com")
	sent := 0
	signIn := func(t *testing.T, appID string) (*guestpass.SignInResult, string, error) {
		t.Helper()
		res, err := e.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: e.tenant.ID, Email: "jo@fabrikam.com", AppID: appID, Client: client})
		if err != nil {
			return nil, "", err
		}
		sent++
		out, err := e.verify(t, res.FlowToken, e.waitCodes(t, "jo@fabrikam.com", sent)[sent-1])
		if err == nil && out.NeedConsent {
			out, err = e.svc.Consent(t.Context(), guestpass.ConsentRequest{TenantID: e.tenant.ID, FlowToken: res.FlowToken, Accept: true, Client: client})
		}
		return out, res.FlowToken, err
	}
	t.Run("TenantSignInNeedsNoSecondFactor", func(t *testing.T) {
		res, _, err := signIn(t, "")
		if err != nil || res.Session == nil || res.Session.Session.HasMFA() {
			t.Fatalf("%+v %v", res, err)
		}
		if e.tenant.MFARequiredFor(wiki) || !e.tenant.MFARequiredFor(payroll) || e.tenant.MFARequiredFor(nil) {
			t.Fatal("MFARequiredFor")
		}
	})
	t.Run("LaxAppNeedsNoSecondFactor", func(t *testing.T) {
		if res, _, err := signIn(t, wiki.ID); err != nil || res.Session == nil {
			t.Fatalf("%+v %v", res, err)
		}
	})
	t.Run("StrictAppDemandsSecondFactor", func(t *testing.T) {
		res, flow, err := signIn(t, payroll.ID)
		if err != nil || !res.NeedMFA || res.Session != nil {
			t.Fatalf("%+v %v", res, err)
		}
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || !v.Register {
			t.Fatalf("view %+v %v", v, err)
		}
		res, err = e.mfa(t, flow, oathtool.TOTP(t, v.Secret, e.clock.Now()), "")
		if err != nil || res.Session == nil || !res.Session.Session.HasMFA() {
			t.Fatalf("after TOTP %+v %v", res, err)
		}
	})
	t.Run("LaterSendWithoutAppKeepsIt", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		first, err := e.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: e.tenant.ID, Email: "jo@fabrikam.com", AppID: payroll.ID, Client: client})
		if err != nil {
			t.Fatal(err)
		}
		sent++
		e.clock.Advance(time.Minute) // past the per-flow send limit
		if _, err := e.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: e.tenant.ID, FlowToken: first.FlowToken, Email: "jo@fabrikam.com", Client: client}); err != nil {
			t.Fatal(err)
		}
		sent++
		res, err := e.verify(t, first.FlowToken, e.waitCodes(t, "jo@fabrikam.com", sent)[sent-1])
		if err != nil || !res.NeedMFA {
			t.Fatalf("dropping app= loosened the sign-in: %+v %v", res, err)
		}
	})
	t.Run("UnknownOrForeignAppRefused", func(t *testing.T) {
		other, err := e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Other", VerifiedDomains: []string{"other.com"}})
		if err != nil {
			t.Fatal(err)
		}
		name, typ := "Foreign", guestpass.AppProxy
		foreign, _, err := e.svc.CreateApplicationLocal(t.Context(), other.ID, &guestpass.AppInput{DisplayName: &name, Type: &typ, Hosts: &[]string{"x.other.com"}, RequireMFA: &on})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"nope", foreign.ID, strings.Repeat("a", 200)} {
			if _, _, err := signIn(t, id); codeOf(err) != "invalid_application" {
				t.Fatalf("app %q: %v", id, err)
			}
		}
	})
	t.Run("AppDeletedMidFlowAddsNothing", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		gone := mkApp("Gone", "gone.contoso.com", &on)
		res, err := e.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: e.tenant.ID, Email: "jo@fabrikam.com", AppID: gone.ID, Client: client})
		if err != nil {
			t.Fatal(err)
		}
		sent++
		op := mustOperator(t, e)
		if err := e.svc.DeleteApplication(t.Context(), op, e.tenant.ID, gone.ID); err != nil {
			t.Fatal(err)
		}
		out, err := e.verify(t, res.FlowToken, e.waitCodes(t, "jo@fabrikam.com", sent)[sent-1])
		if err != nil || out.Session == nil {
			t.Fatalf("%+v %v", out, err)
		}
	})
}

// TestRegistrationSendsNotice: a method registered in the MFA step (only
// the email code before it) is announced to the mailbox through the
// durable queue, in the guest's language, and audited, whatever its kind.
func TestRegistrationSendsNotice(t *testing.T) {
	e := newFactorsEnv(t)
	de := client
	de.Locale = "de"
	cases := []struct {
		addr     string
		register func(t *testing.T, addr string)
	}{
		{"totp@fabrikam.com", func(t *testing.T, addr string) { e.registered(t, addr) }},
		{"key@fabrikam.com", func(t *testing.T, addr string) {
			e.invite(t, addr)
			e.passkeyRegistered(t, newAuthenticator(), addr, 1)
		}},
		{"sms@fabrikam.com", func(t *testing.T, addr string) { e.smsRegistered(t, addr) }},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			c.register(t, c.addr)
			n := e.waitMail(t, guestpass.MailSecurityNotice, c.addr, 1)
			if len(n) != 1 || n[0].Change != guestpass.SecurityMethodRegistered || n[0].Link != e.svc.TenantURL(e.tenant.ID, "/security") ||
				n[0].TenantName != "Strict" {
				t.Fatalf("notices %+v", n)
			}
			ms := e.methods(t, c.addr)
			op := mustOperator(t, e)
			logs, _, _ := e.svc.ListAudit(t.Context(), op, e.tenant.ID, guestpass.AuditAdmin, guestpass.Page{Limit: 100})
			if !slices.ContainsFunc(logs, func(a *guestpass.AuditEvent) bool {
				return a.Action == "guest.methodRegistered" && a.Actor == "guest" && a.Detail == confirmedID(ms)
			}) {
				t.Fatal("no audit event naming the method")
			}
		})
	}
	t.Run("InTheGuestsLanguage", func(t *testing.T) {
		e.invite(t, "de@fabrikam.com")
		flow := e.firstFactor(t, "de@fabrikam.com", 1)
		v, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if _, err := e.svc.VerifyMFA(t.Context(), guestpass.VerifyMFARequest{TenantID: e.tenant.ID, FlowToken: flow,
			Code: oathtool.TOTP(t, v.Secret, e.clock.Now()), Client: de}); err != nil {
			t.Fatal(err)
		}
		if n := e.waitMail(t, guestpass.MailSecurityNotice, "de@fabrikam.com", 1)[0]; n.Locale != "de" {
			t.Fatalf("notice locale %q", n.Locale)
		}
	})
	t.Run("NotForLaterSignIns", func(t *testing.T) {
		_, codes := e.registered(t, "again@fabrikam.com")
		e.waitMail(t, guestpass.MailSecurityNotice, "again@fabrikam.com", 1)
		flow := e.firstFactor(t, "again@fabrikam.com", 2)
		if res, err := e.mfa(t, flow, "", codes[0]); err != nil || res.Session == nil {
			t.Fatalf("%+v %v", res, err)
		}
		// The notice is queued in the transaction of its audit event, so
		// one event means one notice.
		g, err := e.store.GetGuestByMail(t.Context(), e.tenant.ID, "again@fabrikam.com")
		if err != nil {
			t.Fatal(err)
		}
		logs, _, _ := e.svc.ListAudit(t.Context(), mustOperator(t, e), e.tenant.ID, guestpass.AuditAdmin, guestpass.Page{Limit: 100})
		if n := len(slices.DeleteFunc(logs, func(a *guestpass.AuditEvent) bool {
			return a.GuestID != g.ID || a.Action != "guest.methodRegistered"
		})); n != 1 {
			t.Fatalf("%d registrations audited", n)
		}
	})
}

func confirmedID(ms []*guestpass.MFAMethod) string {
	for _, m := range ms {
		if !m.Pending() {
			return m.ID
		}
	}
	return ""
}
