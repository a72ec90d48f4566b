package guestpass_test

import (
	"slices"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/softauthn"
)

// relaxed switches e to a tenant that does not require a second factor, so
// a guest's session exists before any method.
func (e *env) relaxed(t *testing.T) {
	t.Helper()
	tn, err := e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Relaxed", VerifiedDomains: []string{"relaxed.com"}})
	if err != nil {
		t.Fatal(err)
	}
	e.tenant = tn
}

func (e *env) addPasskey(t *testing.T, tok string, a *softauthn.Authenticator) ([]string, error) {
	t.Helper()
	opts, err := e.svc.AddPasskeyOptions(t.Context(), e.sec(tok))
	if err != nil {
		t.Fatalf("add passkey options: %v", err)
	}
	req := e.sec(tok)
	req.Credential = string(a.Create(t, opts))
	return e.svc.AddPasskey(t.Context(), req)
}

// reauthPasskey signs in again from the security page with the nth email
// code and passkey a; it returns the new session token.
func (e *env) reauthPasskey(t *testing.T, tok, addr string, nth int, a *softauthn.Authenticator) string {
	t.Helper()
	res, err := e.svc.Reauthenticate(t.Context(), e.tenant.ID, tok, "", client)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.verify(t, res.FlowToken, e.waitCodes(t, addr, nth)[nth-1])
	if err != nil || !out.NeedMFA {
		t.Fatalf("step-up: %+v %v", out, err)
	}
	out, err = e.passkey(t, res.FlowToken, a.Get(t, e.passkeyOptions(t, res.FlowToken)))
	if err != nil {
		t.Fatal(err)
	}
	return out.Session.Token
}

func TestSecurityPagePasskeysAndPhones(t *testing.T) {
	e := newFactorsEnv(t)
	e.relaxed(t)
	e.invite(t, "jo@fabrikam.com")
	tok := e.signedIn(t, "jo@fabrikam.com", 1)
	a, b := newAuthenticator(), newAuthenticator()

	codes, err := e.addPasskey(t, tok, a)
	if err != nil || len(codes) != 10 {
		t.Fatalf("first passkey: %d codes, %v", len(codes), err)
	}
	if n := e.waitMail(t, guestpass.MailSecurityNotice, "jo@fabrikam.com", 1)[0]; n.Change != guestpass.SecurityMethodAdded {
		t.Fatalf("notice %+v", n)
	}
	if _, err := e.svc.AddPasskeyOptions(t.Context(), e.sec(tok)); codeOf(err) != "reauth_required" {
		t.Fatalf("a session without the new passkey changed more: %v", err)
	}
	tok = e.reauthPasskey(t, tok, "jo@fabrikam.com", 2, a)

	t.Run("RegistrationAnswerWorksOnce", func(t *testing.T) {
		e.clock.Advance(time.Second) // methods list oldest first
		opts, err := e.svc.AddPasskeyOptions(t.Context(), e.sec(tok))
		if err != nil {
			t.Fatal(err)
		}
		req := e.sec(tok)
		req.Credential = string(b.Create(t, opts))
		if more, err := e.svc.AddPasskey(t.Context(), req); err != nil || len(more) != 0 {
			t.Fatalf("second passkey: %v %v", more, err)
		}
		if _, err := e.svc.AddPasskey(t.Context(), req); codeOf(err) != "passkey_expired" {
			t.Fatalf("replayed registration: %v", err)
		}
	})
	t.Run("CeremonyBoundToItsSession", func(t *testing.T) {
		opts, err := e.svc.AddPasskeyOptions(t.Context(), e.sec(tok))
		if err != nil {
			t.Fatal(err)
		}
		other := e.reauthPasskey(t, tok, "jo@fabrikam.com", 3, a) // a second fresh session
		req := e.sec(other)
		req.Credential = string(newAuthenticator().Create(t, opts))
		if _, err := e.svc.AddPasskey(t.Context(), req); codeOf(err) != "passkey_expired" {
			t.Fatalf("another session's ceremony: %v", err)
		}
	})
	t.Run("Phone", func(t *testing.T) {
		e.clock.Advance(time.Second)
		req := e.sec(tok)
		req.Phone = "+49 151 23456789"
		if _, err := e.svc.AddSMS(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		code := e.waitTexts(t, phone, 1)[0]
		req.Code = wrongCode(code)
		if _, err := e.svc.ConfirmSMS(t.Context(), req); codeOf(err) != "wrong_sms_code" {
			t.Fatalf("wrong code: %v", err)
		}
		req.Code = code
		if more, err := e.svc.ConfirmSMS(t.Context(), req); err != nil || len(more) != 0 {
			t.Fatalf("confirm phone: %v %v", more, err)
		}
		if _, err := e.svc.ConfirmSMS(t.Context(), req); codeOf(err) != "sms_code_used_up" {
			t.Fatalf("code used twice: %v", err)
		}
		e.clock.Advance(30 * time.Second)
		if _, err := e.svc.AddSMS(t.Context(), req); codeOf(err) != "phone_registered" {
			t.Fatalf("same number again: %v", err)
		}
		req.Phone = "12345"
		if _, err := e.svc.AddSMS(t.Context(), req); codeOf(err) != "invalid_phone" {
			t.Fatalf("bad number: %v", err)
		}
	})
	t.Run("ViewAndRemove", func(t *testing.T) {
		v, err := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok)
		if err != nil || !v.Fresh || !v.Passkeys || !v.SMS || len(v.Methods) != 3 || v.RecoveryCodesLeft != 10 {
			t.Fatalf("view %+v %v", v, err)
		}
		var kinds []guestpass.MFAKind
		for _, m := range v.Methods {
			kinds = append(kinds, m.Kind)
			if m.Kind == guestpass.MFASMS && v.Phones[m.ID] != "+49•••••••••89" {
				t.Fatalf("phones %v", v.Phones)
			}
		}
		if !slices.Equal(kinds, []guestpass.MFAKind{guestpass.MFAPasskey, guestpass.MFAPasskey, guestpass.MFASMS}) {
			t.Fatalf("kinds %v", kinds)
		}
		req := e.sec(tok)
		req.MethodID = v.Methods[0].ID // a's passkey
		if err := e.svc.RemoveMFAMethod(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		// The removed passkey no longer proves the second factor; the
		// other one does.
		res, err := e.svc.Reauthenticate(t.Context(), e.tenant.ID, tok, "", client)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := e.verify(t, res.FlowToken, e.waitCodes(t, "jo@fabrikam.com", 4)[3]); err != nil || !out.NeedMFA {
			t.Fatalf("step-up: %+v %v", out, err)
		}
		if _, err := e.passkey(t, res.FlowToken, a.Assert(t, e.passkeyOptions(t, res.FlowToken), a.Credentials()[0])); codeOf(err) != "passkey_refused" {
			t.Fatalf("removed passkey: %v", err)
		}
		if out, err := e.passkey(t, res.FlowToken, b.Get(t, e.passkeyOptions(t, res.FlowToken))); err != nil || out.Session == nil {
			t.Fatalf("remaining passkey: %+v %v", out, err)
		}
	})
	t.Run("StaleSession", func(t *testing.T) {
		e.clock.Advance(guestpass.FreshAuthWindow)
		req := e.sec(tok)
		req.Phone, req.Code, req.Credential = phone, "12345678", "{}"
		if _, err := e.svc.AddPasskeyOptions(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("passkey options: %v", err)
		}
		if _, err := e.svc.AddPasskey(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("passkey: %v", err)
		}
		if _, err := e.svc.AddSMS(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("sms: %v", err)
		}
		if _, err := e.svc.ConfirmSMS(t.Context(), req); codeOf(err) != "reauth_required" {
			t.Fatalf("confirm sms: %v", err)
		}
	})
}
