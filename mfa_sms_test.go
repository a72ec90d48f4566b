package guestpass_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

const phone = "+4915123456789"

func (e *env) sendSMS(t *testing.T, flow, number string) (*guestpass.SMSSent, error) {
	t.Helper()
	return e.svc.SendSMSCode(t.Context(), guestpass.SendSMSRequest{TenantID: e.tenant.ID, FlowToken: flow, Phone: number, Client: client})
}

func (e *env) sms(t *testing.T, flow, code string) (*guestpass.SignInResult, error) {
	t.Helper()
	return e.svc.VerifySMS(t.Context(), guestpass.VerifySMSRequest{TenantID: e.tenant.ID, FlowToken: flow, Code: code, Client: client})
}

// smsRegistered signs addr in for the first time and registers phone.
func (e *env) smsRegistered(t *testing.T, addr string) []string {
	t.Helper()
	e.invite(t, addr)
	flow := e.firstFactor(t, addr, 1)
	if _, err := e.sendSMS(t, flow, "+49 151 2345-6789"); err != nil {
		t.Fatal(err)
	}
	res, err := e.sms(t, flow, e.waitTexts(t, phone, 1)[0])
	if err != nil || res.Session == nil {
		t.Fatalf("register phone: %+v %v", res, err)
	}
	return res.RecoveryCodes
}

func TestSMSSignIn(t *testing.T) {
	e := newFactorsEnv(t)
	e.invite(t, "ana@fabrikam.com")
	flow := e.firstFactor(t, "ana@fabrikam.com", 1)
	if _, err := e.sendSMS(t, flow, "0151 2345"); codeOf(err) != "invalid_phone" {
		t.Fatalf("number without country code: %v", err)
	}
	sent, err := e.sendSMS(t, flow, "+49 (151) 2345-6789")
	if err != nil || sent.To != "+49•••••••••89" || !sent.ExpiresAt.Equal(e.clock.Now().Add(30*time.Minute)) {
		t.Fatalf("send: %+v %v", sent, err)
	}
	if v, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); v.SMSSent == nil || v.SMSSent.To != sent.To || !v.Register {
		t.Fatalf("view after send: %+v", v)
	}
	code := e.waitTexts(t, phone, 1)[0]
	body := e.texts.to(phone)[0].body
	if !strings.Contains(body, "Strict") || !strings.HasSuffix(body, "@localhost #"+code) || !strings.Contains(body, "09:30 UTC") {
		t.Fatalf("text body %q", body)
	}
	if _, err := e.sms(t, flow, "1234567"); codeOf(err) != "invalid_sms_code_format" {
		t.Fatalf("seven digits: %v", err)
	}
	if _, err := e.sms(t, flow, wrongCode(code)); codeOf(err) != "wrong_sms_code" || !strings.Contains(err.Error(), "4 more times") {
		t.Fatalf("wrong code: %v", err)
	}
	res, err := e.sms(t, flow, code[:4]+" "+code[4:])
	if err != nil || res.Session == nil || len(res.RecoveryCodes) != 10 {
		t.Fatalf("register: %+v %v", res, err)
	}
	if amr := res.Session.Session.AMR; !slices.Equal(amr, []string{"otp", "sms", "mfa"}) {
		t.Fatalf("amr %v", amr)
	}
	ms := e.methods(t, "ana@fabrikam.com")
	if !slices.ContainsFunc(ms, func(m *guestpass.MFAMethod) bool { return m.Kind == guestpass.MFASMS && !m.Pending() }) {
		t.Fatalf("methods %+v", ms)
	}
	for _, m := range ms {
		if strings.Contains(string(m.Secret), "2345") {
			t.Fatal("phone number stored in the clear")
		}
	}

	e.clock.Advance(time.Minute)
	flow = e.firstFactor(t, "ana@fabrikam.com", 2)
	v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
	if err != nil || v.Register || !v.SMS || v.Passkey || v.TOTP || len(v.Phones) != 1 || v.Phones[0].Masked != sent.To || v.SMSSent != nil {
		t.Fatalf("sign-in view: %+v %v", v, err)
	}
	if _, err := e.svc.SendSMSCode(t.Context(), guestpass.SendSMSRequest{TenantID: e.tenant.ID, FlowToken: flow, MethodID: "nope", Client: client}); codeOf(err) != "no_sms" {
		t.Fatalf("unknown method: %v", err)
	}
	if _, err := e.svc.SendSMSCode(t.Context(), guestpass.SendSMSRequest{TenantID: e.tenant.ID, FlowToken: flow, MethodID: v.Phones[0].MethodID, Client: client}); err != nil {
		t.Fatal(err)
	}
	res, err = e.sms(t, flow, e.waitTexts(t, phone, 2)[1])
	if err != nil || res.Session == nil || len(res.RecoveryCodes) != 0 || !slices.Equal(res.Session.Session.AMR, []string{"otp", "sms", "mfa"}) {
		t.Fatalf("sign in: %+v %v", res, err)
	}
}

func TestSMSCodeRules(t *testing.T) {
	e := newFactorsEnv(t)
	e.smsRegistered(t, "ana@fabrikam.com")
	nth, texts := 1, 1
	signIn := func(t *testing.T) (string, string) {
		t.Helper()
		nth++
		e.clock.Advance(time.Minute)
		flow := e.firstFactor(t, "ana@fabrikam.com", nth)
		if _, err := e.sendSMS(t, flow, ""); err != nil {
			t.Fatal(err)
		}
		texts++
		return flow, e.waitTexts(t, phone, texts)[texts-1]
	}
	t.Run("OneSendPer30Seconds", func(t *testing.T) {
		flow, first := signIn(t)
		if _, err := e.sendSMS(t, flow, ""); codeOf(err) != "sms_rate_limited" {
			t.Fatalf("second send at once: %v", err)
		}
		e.clock.Advance(30 * time.Second)
		if _, err := e.sendSMS(t, flow, ""); err != nil {
			t.Fatal(err)
		}
		texts++
		second := e.waitTexts(t, phone, texts)[texts-1]
		if _, err := e.sms(t, flow, first); codeOf(err) != "wrong_sms_code" {
			t.Fatalf("a new send voids the old code: %v", err)
		}
		if res, err := e.sms(t, flow, second); err != nil || res.Session == nil {
			t.Fatalf("new code: %+v %v", res, err)
		}
	})
	t.Run("FiveGuessesPerCode", func(t *testing.T) {
		flow, code := signIn(t)
		for i := 1; i <= 5; i++ {
			_, err := e.sms(t, flow, wrongCode(code))
			if want := map[bool]string{false: "wrong_sms_code", true: "wrong_sms_code_last"}[i == 5]; codeOf(err) != want {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, err := e.sms(t, flow, code); codeOf(err) != "sms_code_used_up" {
			t.Fatalf("right code after five wrong: %v", err)
		}
		if v, _ := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); v.SMSSent != nil {
			t.Fatal("a used-up code is still offered for entry")
		}
	})
	t.Run("Expired", func(t *testing.T) {
		flow, code := signIn(t)
		e.clock.Advance(30 * time.Minute)
		if _, err := e.sms(t, flow, code); codeOf(err) != "sms_code_expired" {
			t.Fatalf("expired code: %v", err)
		}
	})
	t.Run("Replay", func(t *testing.T) {
		flow, code := signIn(t)
		if _, err := e.sms(t, flow, code); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sms(t, flow, code); codeOf(err) != "flow_expired" {
			t.Fatalf("same flow again: %v", err)
		}
		flow, _ = signIn(t)
		if _, err := e.sms(t, flow, code); codeOf(err) != "wrong_sms_code" {
			t.Fatalf("old code in a new flow: %v", err)
		}
	})
	t.Run("BoundToTheFlow", func(t *testing.T) {
		flow, code := signIn(t)
		e.clock.Advance(time.Minute)
		other := e.firstFactor(t, "ana@fabrikam.com", nth+1)
		nth++
		if _, err := e.sms(t, other, code); codeOf(err) != "sms_code_used_up" {
			t.Fatalf("code of another flow: %v", err)
		}
		if res, err := e.sms(t, flow, code); err != nil || res.Session == nil {
			t.Fatalf("own flow: %+v %v", res, err)
		}
	})
	t.Run("MethodRemovedAfterSend", func(t *testing.T) {
		flow, code := signIn(t)
		g, _ := e.store.GetGuestByMail(t.Context(), e.tenant.ID, "ana@fabrikam.com")
		if _, err := e.svc.ResetGuestMFA(t.Context(), mustOperator(t, e), e.tenant.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sms(t, flow, code); codeOf(err) != "sms_method_removed" {
			t.Fatalf("code for a removed number: %v", err)
		}
	})
}

// Wrong SMS codes spend the per-guest budget with every other factor.
func TestSMSFailuresShareTheBudget(t *testing.T) {
	l := guestpass.DefaultLimits()
	l.GuestFailures = guestpass.Limit{Burst: 4, Per: time.Hour}
	e := newFactorsEnv(t, withLimits(l))
	e.smsRegistered(t, "ana@fabrikam.com")
	flow := e.firstFactor(t, "ana@fabrikam.com", 2)
	if _, err := e.sendSMS(t, flow, ""); err != nil {
		t.Fatal(err)
	}
	code := e.waitTexts(t, phone, 2)[1]
	wrongSMS := func() error { _, err := e.sms(t, flow, wrongCode(code)); return err }
	wrongRecovery := func() error { _, err := e.mfa(t, flow, "", "AAAA-BBBB-CCCC-DDDD"); return err }
	for i, step := range []struct {
		try  func() error
		want string
	}{{wrongSMS, "wrong_sms_code"}, {wrongRecovery, "wrong_mfa_code"}, {wrongSMS, "wrong_sms_code"}, {wrongSMS, "locked"}} {
		if err := step.try(); codeOf(err) != step.want {
			t.Fatalf("failure %d: %v, want %s", i+1, err, step.want)
		}
	}
	if _, err := e.sms(t, flow, code); codeOf(err) != "locked" {
		t.Fatalf("right code while locked: %v", err)
	}
}

func TestSMSOnlyWithAProvider(t *testing.T) {
	e := newMFAEnv(t) // no TextSender, no Passkeys
	e.invite(t, "ana@fabrikam.com")
	flow := e.firstFactor(t, "ana@fabrikam.com", 1)
	if v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow); err != nil || v.SMS || v.Passkey || !v.Register {
		t.Fatalf("view without providers: %+v %v", v, err)
	}
	if _, err := e.sendSMS(t, flow, phone); codeOf(err) != "sms_unavailable" {
		t.Fatalf("send without a provider: %v", err)
	}
	if _, err := e.svc.PasskeyOptions(t.Context(), e.tenant.ID, flow); codeOf(err) != "passkeys_unavailable" {
		t.Fatalf("passkey without a relying party: %v", err)
	}
}

// A text still undelivered when its code expires is dropped and audited;
// a permanent refusal by the provider is not retried.
func TestTextDelivery(t *testing.T) {
	e := newFactorsEnv(t)
	e.invite(t, "ana@fabrikam.com")
	flow := e.firstFactor(t, "ana@fabrikam.com", 1)
	e.texts.setFail(errTemporary)
	if _, err := e.sendSMS(t, flow, phone); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the first attempt fails
	e.clock.Advance(31 * time.Minute)
	e.texts.setFail(nil)
	e.waitMailAudit(t, "text.drop")
	if n := len(e.texts.to(phone)); n != 0 {
		t.Fatalf("expired code texted %d times", n)
	}

	flow = e.firstFactor(t, "ana@fabrikam.com", 2)
	e.texts.setFail(guestpass.ErrTextPermanent)
	if _, err := e.sendSMS(t, flow, "+15005550001"); err != nil {
		t.Fatal(err)
	}
	e.waitMailAudit(t, "text.fail")
}

// waitMailAudit waits for a delivery audit event with action.
func (e *env) waitMailAudit(t *testing.T, action string) {
	t.Helper()
	op := mustOperator(t, e)
	deadline := time.Now().Add(15 * time.Second)
	for {
		logs, _, err := e.svc.ListAudit(t.Context(), op, e.tenant.ID, guestpass.AuditMail, guestpass.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(logs, func(l *guestpass.AuditEvent) bool { return l.Action == action }) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s audit event: %+v", action, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestParsePhone(t *testing.T) {
	for in, want := range map[string]string{
		"+4915123456789":      "+4915123456789",
		"+49 151 2345-6789":   "+4915123456789",
		"0049 (151) 23456789": "+4915123456789",
		"+1 415.555.0100":     "+14155550100",
		" +44 20 7946 0958 ":  "+442079460958",
		"015123456789":        "",
		"+0151234567":         "",
		"+49 151 23456789 x1": "",
		"+1234567":            "+1234567",
		"+123456":             "",
		"+1234567890123456":   "",
		"+49+151234567":       "",
		"":                    "",
	} {
		got, err := guestpass.ParsePhone(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if m := guestpass.MaskPhone("+4915123456789"); m != "+49•••••••••89" {
		t.Errorf("mask %q", m)
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+49 151 2345-6789", "0049 (151) 23456789", "+", "00", "++1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := guestpass.ParsePhone(s)
		if err != nil {
			return
		}
		if !guestpass.IsE164(p) {
			t.Fatalf("%q -> %q, not E.164", s, p)
		}
		if again, err := guestpass.ParsePhone(p); err != nil || again != p {
			t.Fatalf("%q -> %q does not parse to itself: %q %v", s, p, again, err)
		}
	})
}

// Texts cost money: 10 per guest per hour, whatever the flows.
func TestSMSTenPerGuestPerHour(t *testing.T) {
	e := newFactorsEnv(t)
	e.smsRegistered(t, "ana@fabrikam.com") // the first text
	flow := e.firstFactor(t, "ana@fabrikam.com", 2)
	sent := 1
	for ; sent < 20; sent++ {
		e.clock.Advance(30 * time.Second)
		if _, err := e.sendSMS(t, flow, ""); err != nil {
			if codeOf(err) != "sms_too_many" {
				t.Fatalf("send %d: %v", sent+1, err)
			}
			break
		}
	}
	if sent != 10 {
		t.Fatalf("%d texts before the hourly limit, want 10", sent)
	}
}
