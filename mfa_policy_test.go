package guestpass_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/oathtool"
)

var (
	totp    = guestpass.MFATOTP
	pkey    = guestpass.MFAPasskey
	sms     = guestpass.MFASMS
	allKind = guestpass.AllMFAKinds()
)

// allow sets the tenant's mfaMethods through the admin path.
func (e *env) allow(t *testing.T, kinds ...guestpass.MFAKind) {
	t.Helper()
	tn, err := e.svc.UpdateTenant(t.Context(), mustOperator(t, e), e.tenant.ID, &guestpass.TenantPatch{MFAMethods: &kinds})
	if err != nil {
		t.Fatalf("mfaMethods %v: %v", kinds, err)
	}
	e.tenant = tn
}

// totpAndPhone registers an authenticator app at sign-in and then, in that
// fresh session, a phone on the security page. It returns the TOTP secret,
// the recovery codes and the session token.
func (e *env) totpAndPhone(t *testing.T, addr string) (string, []string, string) {
	t.Helper()
	e.invite(t, addr)
	flow := e.firstFactor(t, addr, 1)
	v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.mfa(t, flow, oathtool.TOTP(t, v.Secret, e.clock.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	req := e.sec(res.Session.Token)
	req.Phone = phone
	if _, err := e.svc.AddSMS(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	req.Code = e.waitTexts(t, phone, 1)[0]
	if _, err := e.svc.ConfirmSMS(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	return v.Secret, res.RecoveryCodes, res.Session.Token
}

func TestTenantMFAMethodsSetting(t *testing.T) {
	t.Run("NormalizeRules", func(t *testing.T) {
		for _, c := range []struct {
			in   []guestpass.MFAKind
			want []guestpass.MFAKind
			err  string
		}{
			{nil, allKind, ""},
			{[]guestpass.MFAKind{sms, totp, sms}, []guestpass.MFAKind{totp, sms}, ""},
			{[]guestpass.MFAKind{pkey}, []guestpass.MFAKind{pkey}, ""},
			{[]guestpass.MFAKind{}, nil, "at least one"},
			{[]guestpass.MFAKind{"email"}, nil, "only totp, passkey and sms"},
			{[]guestpass.MFAKind{totp, "TOTP"}, nil, "only totp, passkey and sms"},
			{[]guestpass.MFAKind{""}, nil, "only totp, passkey and sms"},
		} {
			tn := &guestpass.Tenant{DisplayName: "C", Settings: guestpass.TenantSettings{MFAMethods: c.in}}
			err := tn.Normalize()
			if c.err != "" {
				if codeOf(err) != "invalid_setting" || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "mfaMethods") {
					t.Errorf("%q: %v", c.in, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%q: %v", c.in, err)
			} else if diff := cmp.Diff(c.want, tn.Settings.MFAMethods); diff != "" {
				t.Errorf("%q: %s", c.in, diff)
			}
		}
	})
	t.Run("OnlyKindsThisServerRuns", func(t *testing.T) {
		e := newMFAEnv(t) // no passkeys, no SMS provider
		op := mustOperator(t, e)
		for _, kinds := range [][]guestpass.MFAKind{{pkey}, {sms}, {pkey, sms}} {
			if _, err := e.svc.UpdateTenant(t.Context(), op, e.tenant.ID, &guestpass.TenantPatch{MFAMethods: &kinds}); codeOf(err) != "invalid_setting" ||
				!strings.Contains(err.Error(), "it offers totp") {
				t.Errorf("%v: %v", kinds, err)
			}
			if _, err := e.svc.CreateTenant(t.Context(), op, &guestpass.Tenant{DisplayName: "X", Settings: guestpass.TenantSettings{MFAMethods: kinds}}); codeOf(err) != "invalid_setting" {
				t.Errorf("create %v: %v", kinds, err)
			}
		}
		if tn, _ := e.svc.GetTenant(t.Context(), op, e.tenant.ID); !slices.Equal(tn.Settings.MFAMethods, allKind) {
			t.Fatalf("a refused patch changed the tenant: %v", tn.Settings.MFAMethods)
		}
		e.allow(t, totp, sms) // SMS is not run here, TOTP is: accepted
		// A tenant stored with kinds the server stopped running (its SMS
		// provider removed) still takes other changes.
		stuck := *e.tenant
		stuck.Settings.MFAMethods = []guestpass.MFAKind{sms}
		if err := e.store.UpdateTenant(t.Context(), &stuck); err != nil {
			t.Fatal(err)
		}
		name := "Renamed"
		if _, err := e.svc.UpdateTenant(t.Context(), op, e.tenant.ID, &guestpass.TenantPatch{DisplayName: &name}); err != nil {
			t.Fatalf("unrelated patch: %v", err)
		}
	})
	t.Run("NullResetsToEveryKind", func(t *testing.T) {
		e := newMFAEnv(t)
		e.allow(t, totp)
		e.allow(t)
		if !slices.Equal(e.tenant.Settings.MFAMethods, allKind) {
			t.Fatalf("after reset: %v", e.tenant.Settings.MFAMethods)
		}
	})
}

func TestSignInOffersOnlyAllowedKinds(t *testing.T) {
	t.Run("RegistrationWithoutTOTP", func(t *testing.T) {
		e := newFactorsEnv(t)
		e.allow(t, pkey, sms)
		e.invite(t, "jo@fabrikam.com")
		flow := e.firstFactor(t, "jo@fabrikam.com", 1)
		if ms := e.methods(t, "jo@fabrikam.com"); len(ms) != 0 {
			t.Fatalf("a TOTP secret was made for a tenant without TOTP: %+v", ms)
		}
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || !v.Register || v.TOTP || v.Secret != "" || !v.Passkey || !v.SMS {
			t.Fatalf("view %+v %v", v, err)
		}
		if _, err := e.mfa(t, flow, "123456", ""); codeOf(err) != "mfa_method_not_allowed" {
			t.Fatalf("TOTP code: %v", err)
		}
		if err := e.svc.StartTOTP(t.Context(), e.tenant.ID, flow); codeOf(err) != "mfa_method_not_allowed" {
			t.Fatalf("StartTOTP: %v", err)
		}
		if res, err := e.passkey(t, flow, newAuthenticator().Create(t, e.passkeyOptions(t, flow))); err != nil || res.Session == nil {
			t.Fatalf("passkey: %+v %v", res, err)
		}
	})
	t.Run("RegistrationWithTOTPOnly", func(t *testing.T) {
		e := newFactorsEnv(t)
		e.allow(t, totp)
		e.invite(t, "jo@fabrikam.com")
		flow := e.firstFactor(t, "jo@fabrikam.com", 1)
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || !v.Register || !v.TOTP || v.Secret == "" || v.Passkey || v.SMS {
			t.Fatalf("view %+v %v", v, err)
		}
		if _, err := e.svc.PasskeyOptions(t.Context(), e.tenant.ID, flow); codeOf(err) != "mfa_method_not_allowed" {
			t.Fatalf("passkey: %v", err)
		}
		if _, err := e.sendSMS(t, flow, phone); codeOf(err) != "mfa_method_not_allowed" {
			t.Fatalf("sms: %v", err)
		}
		if len(e.texts.to(phone)) != 0 {
			t.Fatal("a text went out")
		}
	})
	t.Run("LaterSignInOffersAllowedMethodsOnly", func(t *testing.T) {
		e := newFactorsEnv(t)
		secret, codes, _ := e.totpAndPhone(t, "jo@fabrikam.com")
		e.allow(t, sms)
		e.clock.Advance(time.Minute)
		flow := e.firstFactor(t, "jo@fabrikam.com", 2)
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || v.Register || v.Stranded || v.TOTP || !v.SMS || len(v.Phones) != 1 {
			t.Fatalf("view %+v %v", v, err)
		}
		if _, err := e.mfa(t, flow, oathtool.TOTP(t, secret, e.clock.Now()), ""); codeOf(err) != "mfa_method_not_allowed" {
			t.Fatalf("refused kind's code: %v", err)
		}
		// A recovery code still works: it is the fallback, not a kind.
		if res, err := e.mfa(t, flow, "", codes[0]); err != nil || res.Session == nil || !res.UsedRecoveryCode {
			t.Fatalf("recovery code: %+v %v", res, err)
		}
		e.allow(t, totp, sms) // back again: the kept method counts again
		flow = e.firstFactor(t, "jo@fabrikam.com", 3)
		if res, err := e.mfa(t, flow, oathtool.TOTP(t, secret, e.clock.Now()), ""); err != nil || res.Session == nil {
			t.Fatalf("TOTP allowed again: %+v %v", res, err)
		}
	})
}

// TestStrandedGuest: every method of a kind the tenant no longer accepts. A
// recovery code stands in for the second factor once; then an accepted
// method must be registered before the session begins.
func TestStrandedGuest(t *testing.T) {
	e := newFactorsEnv(t)
	secret, codes := e.registered(t, "jo@fabrikam.com")
	e.allow(t, sms)
	e.clock.Advance(time.Minute)
	flow := e.firstFactor(t, "jo@fabrikam.com", 2)
	v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
	if err != nil || !v.Stranded || v.Register || v.TOTP || v.Passkey || v.SMS || v.Secret != "" {
		t.Fatalf("view %+v %v", v, err)
	}
	t.Run("NothingButARecoveryCode", func(t *testing.T) {
		if _, err := e.mfa(t, flow, oathtool.TOTP(t, secret, e.clock.Now()), ""); codeOf(err) != "mfa_method_not_allowed" {
			t.Fatalf("TOTP: %v", err)
		}
		if _, err := e.sendSMS(t, flow, phone); codeOf(err) != "recovery_code_required" {
			t.Fatalf("sms: %v", err)
		}
		if _, err := e.svc.PasskeyOptions(t.Context(), e.tenant.ID, flow); codeOf(err) != "recovery_code_required" {
			t.Fatalf("passkey: %v", err)
		}
		if err := e.svc.StartTOTP(t.Context(), e.tenant.ID, flow); codeOf(err) != "recovery_code_required" {
			t.Fatalf("StartTOTP: %v", err)
		}
		if _, err := e.mfa(t, flow, "", wrongRecovery(codes[0])); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("wrong recovery code: %v", err)
		}
		if n := len(e.signInEvents(t, "mfa.verify")); n != 1 {
			t.Fatalf("%d failures logged, want the wrong recovery code only", n)
		}
	})
	t.Run("RecoveryCodeLeadsToRegistration", func(t *testing.T) {
		res, err := e.mfa(t, flow, "", codes[0])
		if err != nil || !res.NeedMFA || res.Session != nil {
			t.Fatalf("recovery code: %+v %v", res, err)
		}
		v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if err != nil || !v.Register || v.Stranded || v.TOTP || !v.SMS {
			t.Fatalf("view after the recovery code %+v %v", v, err)
		}
		if _, err := e.mfa(t, flow, "", codes[1]); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("a second recovery code ended the registration: %v", err)
		}
		if _, err := e.sendSMS(t, flow, phone); err != nil {
			t.Fatal(err)
		}
		res, err = e.sms(t, flow, e.waitTexts(t, phone, 1)[0])
		if err != nil || res.Session == nil || len(res.RecoveryCodes) != 10 {
			t.Fatalf("registration: %+v %v", res, err)
		}
		if amr := res.Session.Session.AMR; !slices.Equal(amr, []string{"otp", "sms", "mfa"}) {
			t.Fatalf("amr %v", amr)
		}
		if n := e.waitMail(t, guestpass.MailSecurityNotice, "jo@fabrikam.com", 2); n[1].Change != guestpass.SecurityMethodRegistered {
			t.Fatalf("notice %+v", n[1])
		}
		if ms := e.methods(t, "jo@fabrikam.com"); len(ms) != 2 {
			t.Fatalf("the refused method must be kept: %+v", ms)
		}
		if _, err := e.mfa(t, e.firstFactor(t, "jo@fabrikam.com", 3), "", codes[2]); codeOf(err) != "wrong_mfa_code" {
			t.Fatalf("old recovery codes survive the registration: %v", err)
		}
	})
	t.Run("NextSignInProvesTheNewMethod", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		flow := e.firstFactor(t, "jo@fabrikam.com", 4)
		if v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); err != nil || v.Stranded || v.Register || !v.SMS || v.TOTP {
			t.Fatalf("view %+v %v", v, err)
		}
	})
}

func TestStrandedWithNothingToRegister(t *testing.T) {
	e := newMFAEnv(t) // TOTP only: no passkeys, no SMS provider
	_, codes := e.registered(t, "jo@fabrikam.com")
	// The tenant accepts passkeys only, set while this server still ran
	// them: no kind is left to register, so no recovery code may be spent.
	// Written as another node would, so this node learns of it from the
	// change feed.
	tn := *e.tenant
	tn.Settings.MFAMethods = []guestpass.MFAKind{pkey}
	err := e.store.Update(t.Context(), func(tx guestpass.Tx) error {
		if err := tx.UpdateTenant(t.Context(), &tn); err != nil {
			return err
		}
		return tx.RecordChange(t.Context(), &guestpass.Change{Kind: guestpass.ChangeTenant, TenantID: tn.ID, At: e.clock.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	flow := e.firstFactor(t, "jo@fabrikam.com", 2)
	for start := time.Now(); ; time.Sleep(time.Millisecond) {
		_, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
		if codeOf(err) == "mfa_unavailable" {
			break
		}
		if time.Since(start) > time.Second {
			t.Fatalf("view a second after the change: %v", err)
		}
	}
	if _, err := e.mfa(t, flow, "", codes[0]); codeOf(err) != "mfa_unavailable" {
		t.Fatalf("recovery code: %v", err)
	}
	// Once the tenant accepts a kind this server runs, the same code works.
	e.allow(t, totp)
	if res, err := e.mfa(t, flow, "", codes[0]); err != nil || res.Session == nil || res.RecoveryCodesLeft != 9 {
		t.Fatalf("recovery code after the fix: %+v %v", res, err)
	}
}

func wrongRecovery(code string) string {
	b := []byte(code)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func TestSecurityPageOffersOnlyAllowedKinds(t *testing.T) {
	e := newFactorsEnv(t)
	_, _, tok := e.totpAndPhone(t, "jo@fabrikam.com")
	e.allow(t, sms)
	v, err := e.svc.ViewSecurity(t.Context(), e.tenant.ID, tok)
	if err != nil || v.TOTP || v.Passkeys || !v.SMS || len(v.Methods) != 2 {
		t.Fatalf("view %+v %v", v, err)
	}
	var totpID, phoneID string
	for _, m := range v.Methods {
		if m.Kind == totp {
			totpID = m.ID
		} else {
			phoneID = m.ID
		}
	}
	if totpID == "" || phoneID == "" || !v.Refused[totpID] || v.Refused[phoneID] || !v.Removable[totpID] || v.Removable[phoneID] {
		t.Fatalf("refused %v removable %v", v.Refused, v.Removable)
	}
	if _, err := e.svc.AddTOTP(t.Context(), e.sec(tok)); codeOf(err) != "mfa_method_not_allowed" {
		t.Fatalf("add totp: %v", err)
	}
	if _, err := e.svc.AddPasskeyOptions(t.Context(), e.sec(tok)); codeOf(err) != "mfa_method_not_allowed" {
		t.Fatalf("add passkey: %v", err)
	}
	req := e.sec(tok)
	req.MethodID = phoneID
	if err := e.svc.RemoveMFAMethod(t.Context(), req); codeOf(err) != "last_accepted_method" {
		t.Fatalf("removing the last accepted method: %v", err)
	}
	req.MethodID = totpID
	if err := e.svc.RemoveMFAMethod(t.Context(), req); err != nil {
		t.Fatalf("removing the refused method: %v", err)
	}
	e.allow(t, totp)
	req = e.sec(tok)
	req.Phone = "+4915199999999"
	if _, err := e.svc.AddSMS(t.Context(), req); codeOf(err) != "mfa_method_not_allowed" {
		t.Fatalf("add sms: %v", err)
	}
	req.Code = "12345678"
	if _, err := e.svc.ConfirmSMS(t.Context(), req); codeOf(err) != "mfa_method_not_allowed" {
		t.Fatalf("confirm sms: %v", err)
	}
}

// FuzzTenantMFAMethods: whatever list an admin sends, a tenant is either
// refused or keeps a non-empty list of known kinds, each once, in order.
func FuzzTenantMFAMethods(f *testing.F) {
	for _, s := range []string{"totp,passkey,sms", "sms,totp,sms", "", ",", "email", "TOTP", "passkey"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var in []guestpass.MFAKind
		if s != "-" { // "-" stands for an absent list
			in = []guestpass.MFAKind{}
			for _, k := range strings.Split(s, ",") {
				if k != "" {
					in = append(in, guestpass.MFAKind(k))
				}
			}
		}
		tn := &guestpass.Tenant{DisplayName: "C", Settings: guestpass.TenantSettings{MFAMethods: in}}
		if err := tn.Normalize(); err != nil {
			if codeOf(err) != "invalid_setting" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		got := tn.Settings.MFAMethods
		rank := func(k guestpass.MFAKind) int { return slices.Index(allKind, k) }
		if len(got) == 0 || !slices.IsSortedFunc(got, func(a, b guestpass.MFAKind) int { return rank(a) - rank(b) }) ||
			slices.ContainsFunc(got, func(k guestpass.MFAKind) bool { return rank(k) < 0 }) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("%q -> %v", s, got)
		}
		for _, k := range got {
			if in != nil && !slices.Contains(in, k) {
				t.Fatalf("%q -> %v adds %s", s, got, k)
			}
		}
	})
}
