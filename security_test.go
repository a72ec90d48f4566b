package guestpass_test

import (
	"slices"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/oathtool"
)

// waitMail waits until n messages of kind reached addr.
func (e *env) waitMail(t *testing.T, kind guestpass.MailKind, addr string, n int) []*guestpass.Message {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		if msgs := e.mailer.sent(kind, addr); len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d %s emails for %s, want %d", len(e.mailer.sent(kind, addr)), kind, addr, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *env) sec(token string) guestpass.SecurityRequest {
	return guestpass.SecurityRequest{TenantID: e.tenant.ID, SessionToken: token, Client: client}
}

// addTOTP adds an authenticator app through the security page and returns
// its secret and, for a first method, the recovery codes.
func (e *env) addTOTP(t *testing.T, token string) (string, []string) {
	t.Helper()
	v, err := e.svc.AddTOTP(t.Context(), e.sec(token))
	if err != nil || v.Secret == "" {
		t.Fatalf("add totp: %+v %v", v, err)
	}
	req := e.sec(token)
	req.Code = oathtool.TOTP(t, v.Secret, e.clock.Now())
	codes, err := e.svc.ConfirmTOTP(t.Context(), req)
	if err != nil {
		t.Fatalf("confirm totp: %v", err)
	}
	return v.Secret, codes
}

// reauth signs in again from the security page with the nth code and, when
// asked for it, the TOTP of secret; it returns the new session token.
func (e *env) reauth(t *testing.T, token, addr string, nth int, secret string) string {
	t.Helper()
	res, err := e.svc.Reauthenticate(t.Context(), e.tenant.ID, token, "", client)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.verify(t, res.FlowToken, e.waitCodes(t, addr, nth)[nth-1])
	if err != nil {
		t.Fatal(err)
	}
	if out.NeedMFA {
		if secret == "" {
			t.Fatal("step-up asked for a second factor")
		}
		e.clock.Advance(30 * time.Second) // a fresh TOTP step
		if out, err = e.mfa(t, res.FlowToken, oathtool.TOTP(t, secret, e.clock.Now()), ""); err != nil {
			t.Fatal(err)
		}
	} else if secret != "" {
		t.Fatal("step-up did not ask for the second factor")
	}
	if out.RedirectTo != e.svc.TenantURL(e.tenant.ID, "/security") {
		t.Fatalf("re-authentication returned to %q", out.RedirectTo)
	}
	return out.Session.Token
}

func TestSecurityPage(t *testing.T) {
	t.Run("NoSession", func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.svc.ViewSecurity(t.Context(), e.tenant.ID, "bogus-token-bogus-token"); guestpass.KindOf(err) != guestpass.KindUnauthorized {
			t.Fatalf("view: %v", err)
		}
		if _, err := e.svc.AddTOTP(t.Context(), e.sec("")); guestpass.KindOf(err) != guestpass.KindUnauthorized {
			t.Fatalf("add: %v", err)
		}
		if _, err := e.svc.Reauthenticate(t.Context(), e.tenant.ID, "", "", client); guestpass.KindOf(err) != guestpass.KindUnauthorized {
			t.Fatalf("reauth: %v", err)
		}
	})
	t.Run("FirstMethodComesWithRecoveryCodesAndNotice", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		tok := e.signedIn(t, "jo@fabrikam.com", 1)
		v, err := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok)
		if err != nil || !v.Fresh || len(v.Methods) != 0 {
			t.Fatalf("view %+v %v", v, err)
		}
		if _, err := e.svc.RegenerateRecoveryCodes(t.Context(), e.sec(tok)); codeOf(err) != "no_method" {
			t.Fatalf("regenerate without a method: %v", err)
		}
		_, codes := e.addTOTP(t, tok)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes", len(codes))
		}
		n := e.waitMail(t, guestpass.MailSecurityNotice, "jo@fabrikam.com", 1)[0]
		if n.Change != guestpass.SecurityMethodAdded || n.Link != e.svc.TenantURL(e.tenant.ID, "/security") {
			t.Fatalf("notice %+v", n)
		}
		op := mustOperator(t, e)
		logs, _, _ := e.svc.ListAudit(t.Context(), op, e.tenant.ID, guestpass.AuditAdmin, guestpass.Page{Limit: 100})
		if !slices.ContainsFunc(logs, func(a *guestpass.AuditEvent) bool { return a.Action == "guest.methodAdded" && a.Actor == "guest" }) {
			t.Fatal("no audit event")
		}
		// The session predates the method, so it did not prove it: the
		// next change needs a step-up sign-in.
		if v, _ := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok); v.Fresh || len(v.Methods) != 1 || v.RecoveryCodesLeft != 10 {
			t.Fatalf("after adding: %+v", v)
		}
		if _, err := e.svc.RegenerateRecoveryCodes(t.Context(), e.sec(tok)); codeOf(err) != "reauth_required" {
			t.Fatalf("change without the second factor: %v", err)
		}
	})
	t.Run("StaleSessionMustReauthenticate", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		tok := e.signedIn(t, "jo@fabrikam.com", 1)
		e.clock.Advance(guestpass.FreshAuthWindow)
		v, err := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok)
		if err != nil || v.Fresh {
			t.Fatalf("view after 10 minutes: %+v %v", v, err)
		}
		req := e.sec(tok)
		req.Code, req.MethodID = "123456", "x"
		if _, err := e.svc.AddTOTP(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("add: %v", err)
		}
		if _, err := e.svc.ConfirmTOTP(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("confirm: %v", err)
		}
		if err := e.svc.RemoveMFAMethod(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("remove: %v", err)
		}
		if _, err := e.svc.RegenerateRecoveryCodes(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("regenerate: %v", err)
		}
		fresh := e.reauth(t, tok, "jo@fabrikam.com", 2, "")
		if v, _ := e.svc.ViewSecurity(t.Context(), e.tenant.ID, fresh); !v.Fresh {
			t.Fatal("re-authenticated session not fresh")
		}
	})
	t.Run("AddSecondRemoveOneRegenerate", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		tok := e.signedIn(t, "jo@fabrikam.com", 1)
		first, codes := e.addTOTP(t, tok)
		tok = e.reauth(t, tok, "jo@fabrikam.com", 2, first)
		v, _ := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok)
		req := e.sec(tok)
		req.MethodID = v.Methods[0].ID
		if err := e.svc.RemoveMFAMethod(t.Context(), req); codeOf(err) != "last_method" {
			t.Fatalf("removing the only method: %v", err)
		}
		e.clock.Advance(30 * time.Second)
		second, more := e.addTOTP(t, tok)
		if len(more) != 0 {
			t.Fatal("a second method replaced the recovery codes")
		}
		if err := e.svc.RemoveMFAMethod(t.Context(), guestpass.SecurityRequest{TenantID: e.tenant.ID, SessionToken: tok, MethodID: "nope", Client: client}); codeOf(err) != "method_not_found" {
			t.Fatalf("unknown method: %v", err)
		}
		if err := e.svc.RemoveMFAMethod(t.Context(), req); err != nil {
			t.Fatalf("remove first: %v", err)
		}
		if v, _ := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok); len(v.Methods) != 1 || v.Methods[0].ID == req.MethodID {
			t.Fatalf("after remove: %+v", v.Methods)
		}
		fresh, err := e.svc.RegenerateRecoveryCodes(t.Context(), e.sec(tok))
		if err != nil || len(fresh) != 10 {
			t.Fatalf("regenerate: %d %v", len(fresh), err)
		}
		msgs := e.waitMail(t, guestpass.MailSecurityNotice, "jo@fabrikam.com", 4)
		var changes []guestpass.SecurityChange
		for _, m := range msgs {
			changes = append(changes, m.Change)
		}
		for _, want := range []guestpass.SecurityChange{guestpass.SecurityMethodAdded, guestpass.SecurityMethodRemoved, guestpass.SecurityRecoveryCodes} {
			if !slices.Contains(changes, want) {
				t.Fatalf("notices %v lack %s", changes, want)
			}
		}
		// The removed app and the old recovery codes no longer sign in;
		// the remaining app and a new code do.
		e.clock.Advance(time.Minute)
		nth := 3
		signInWith := func(code, recovery string) error {
			t.Helper()
			res, err := e.svc.Reauthenticate(t.Context(), e.tenant.ID, tok, "", client)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.verify(t, res.FlowToken, e.waitCodes(t, "jo@fabrikam.com", nth)[nth-1]); err != nil {
				t.Fatal(err)
			}
			nth++
			_, err = e.mfa(t, res.FlowToken, code, recovery)
			return err
		}
		if err := signInWith(oathtool.TOTP(t, first, e.clock.Now()), ""); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("removed method: %v", err)
		}
		e.clock.Advance(time.Minute)
		if err := signInWith("", codes[0]); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("old recovery code: %v", err)
		}
		e.clock.Advance(time.Minute)
		if err := signInWith(oathtool.TOTP(t, second, e.clock.Now()), ""); err != nil {
			t.Fatalf("remaining method: %v", err)
		}
	})
	t.Run("WrongConfirmationCodesChargeTheBudget", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		tok := e.signedIn(t, "jo@fabrikam.com", 1)
		req := e.sec(tok)
		req.Code = "123456"
		if _, err := e.svc.ConfirmTOTP(t.Context(), req); codeOf(err) != "no_pending_method" {
			t.Fatalf("confirm before add: %v", err)
		}
		v, err := e.svc.AddTOTP(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		req.Code = "12a456"
		if _, err := e.svc.ConfirmTOTP(t.Context(), req); codeOf(err) != "invalid_mfa_code_format" {
			t.Fatalf("malformed: %v", err)
		}
		good := oathtool.TOTP(t, v.Secret, e.clock.Now())
		wrong := []byte(good)
		wrong[0] = '0' + (wrong[0]-'0'+1)%10
		req.Code = string(wrong)
		for i := 0; i < 100; i++ {
			if _, err = e.svc.ConfirmTOTP(t.Context(), req); codeOf(err) != "wrong_mfa_code" {
				break
			}
		}
		if codeOf(err) != "locked" {
			t.Fatalf("after many wrong codes: %v", err)
		}
		req.Code = good
		if _, err := e.svc.ConfirmTOTP(t.Context(), req); codeOf(err) != "locked" {
			t.Fatalf("good code while locked: %v", err)
		}
		if v, _ := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok); len(v.Methods) != 0 {
			t.Fatal("method confirmed while locked")
		}
	})
	t.Run("ConfirmationCodeWorksOnce", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		tok := e.signedIn(t, "jo@fabrikam.com", 1)
		secret, _ := e.addTOTP(t, tok)
		tok = e.reauth(t, tok, "jo@fabrikam.com", 2, secret)
		v, err := e.svc.AddTOTP(t.Context(), e.sec(tok))
		if err != nil {
			t.Fatal(err)
		}
		req := e.sec(tok)
		req.Code = oathtool.TOTP(t, v.Secret, e.clock.Now())
		if _, err := e.svc.ConfirmTOTP(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ConfirmTOTP(t.Context(), req); codeOf(err) != "no_pending_method" {
			t.Fatalf("second confirm: %v", err)
		}
	})
}
