package guestpass

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ParsePhone reads a phone number as people type it into E.164
// (+4915123456789): a leading "+" or "00", then the digits, ignoring
// spaces, dashes, dots, slashes and parentheses.
func ParsePhone(s string) (string, error) {
	if len(s) > 40 {
		return "", errBadPhone
	}
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "00"); ok {
		s = "+" + rest
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '+' && i == 0, r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" -./()\t", r):
		default:
			return "", errBadPhone
		}
	}
	if p := b.String(); IsE164(p) {
		return p, nil
	}
	return "", errBadPhone
}

var errBadPhone = Errorf(KindInvalid, "invalid_phone", "Enter your mobile number with its country code, for example +49 151 23456789.")

// IsE164 reports whether s is an E.164 number: "+", a non-zero digit, 7
// to 15 digits in all.
func IsE164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// MaskPhone shows an E.164 number the way pages name it: its first two and
// last two digits.
func MaskPhone(p string) string {
	if !IsE164(p) {
		return "•••"
	}
	return p[:3] + strings.Repeat("•", len(p)-5) + p[len(p)-2:]
}

var (
	errSMSOff       = Errorf(KindInvalid, "sms_unavailable", "Text messages are not available on this server. Use another method.")
	errNoSMS        = Errorf(KindInvalid, "no_sms", "You have no phone number for codes here. Use another method.")
	errSMSLimited   = Errorf(KindRateLimited, "sms_rate_limited", "A code was sent a moment ago. Wait half a minute before asking for another one.")
	errSMSTooMany   = Errorf(KindRateLimited, "sms_too_many", "Too many text messages were sent. Try again in an hour, or use another method.")
	errSMSUsedUp    = Errorf(KindInvalid, "sms_code_used_up", "This code can no longer be used. Send a new code.")
	errSMSExpired   = Errorf(KindInvalid, "sms_code_expired", "This code has expired. Send a new code.")
	errSMSFormat    = Errorf(KindInvalid, "invalid_sms_code_format", "Enter the 8-digit code from the text message.")
	errPhoneTaken   = Errorf(KindConflict, "phone_registered", "This number is already one of your methods.")
	errSMSMethodGon = Errorf(KindInvalid, "sms_method_removed", "This phone number is no longer one of your methods. Use another method.")
)

// openPhone reads an SMS method's number.
func (s *Service) openPhone(m *MFAMethod) (string, error) {
	p, err := s.keys.Open(m.Secret, methodAD(m))
	if err != nil {
		return "", internal("open phone", err)
	}
	return string(p), nil
}

// maskedPhones is the masked number of each SMS method, by method id.
func (s *Service) maskedPhones(ms []*MFAMethod) (map[string]string, error) {
	out := map[string]string{}
	for _, m := range ms {
		if m.Kind != MFASMS {
			continue
		}
		p, err := s.openPhone(m)
		if err != nil {
			return nil, err
		}
		out[m.ID] = MaskPhone(p)
	}
	return out, nil
}

// SMSSent is what a page says after a code was texted.
type SMSSent struct {
	To        string // masked number
	ExpiresAt time.Time
}

// textCode texts a new code to phone and keeps its HMAC in a challenge
// bound to binding (replacing, and so voiding, the previous code there).
// The text goes through the durable queue like mail, dropped rather than
// delivered after the code expired. Sends are limited per network, per
// binding (1 per 30 s) and per guest (10 per hour): texts cost money.
func (s *Service) textCode(ctx context.Context, t *Tenant, g *Guest, binding, methodID, phone string, c Client) (*SMSSent, error) {
	if s.texts == nil {
		return nil, errSMSOff
	}
	code, err := NewCode(s.rand)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	ch := &MFAChallenge{Binding: binding, Kind: ChallengeSMS, TenantID: t.ID, GuestID: g.ID, MethodID: methodID,
		CodeMAC: s.keys.CodeMAC(t.ID, []byte(binding), "sms:"+phone, code), CreatedAt: now, ExpiresAt: now.Add(t.Settings.CodeLifetime)}
	if err := s.sealChallenge(ch, []byte(phone)); err != nil {
		return nil, err
	}
	msg := &Message{Kind: MailTextCode, To: phone, ToName: g.DisplayName, Locale: c.Locale, TenantName: t.DisplayName, Code: code, ExpiresAt: ch.ExpiresAt}
	job, err := s.sealMessage(msg, t.ID, "", ch.ExpiresAt, false)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		for _, l := range []struct {
			key     string
			l       Limit
			refusal error
		}{
			{"send:ip:" + c.IP, s.limits.SendPerIP, errSMSTooMany},
			{"sms:" + binding, s.limits.SendPerFlow, errSMSLimited},
			{"sms:guest:" + t.ID + ":" + g.ID, s.limits.SendPerAddress, errSMSTooMany},
		} {
			if ok, _, err := s.take(ctx, tx, l.key, l.l); err != nil || !ok {
				return cmpErr(err, l.refusal)
			}
		}
		if err := tx.PutMFAChallenge(ctx, ch); err != nil {
			return internal("put challenge", err)
		}
		if err := tx.EnqueueMail(ctx, job); err != nil {
			return internal("enqueue text", err)
		}
		return s.audit(ctx, tx, signInEvent(t.ID, g, "sms.send", "", c))
	})
	if err != nil {
		return nil, err
	}
	return &SMSSent{To: MaskPhone(phone), ExpiresAt: ch.ExpiresAt}, nil
}

// cmpErr is err, or fallback when err is nil.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// checkTextCode counts and compares one guess at the code of binding and,
// when right, uses the code up. It returns the challenge's method (empty
// for a registration) and number. Run it under chargeCode: a code used up
// or expired fails uncharged, like an email code.
func (s *Service) checkTextCode(ctx context.Context, t *Tenant, g *Guest, binding, code string) (string, string, error) {
	ch, err := s.store.CountMFAChallengeAttempt(ctx, binding, ChallengeSMS, s.limits.CodeAttempts)
	if errors.Is(err, ErrNotFound) {
		return "", "", uncharged{errSMSUsedUp}
	}
	if err != nil {
		return "", "", internal("count attempt", err)
	}
	if !ch.live(t, g, s.clock.Now()) {
		return "", "", uncharged{errSMSExpired}
	}
	phone, err := s.openChallenge(ch)
	if err != nil {
		return "", "", err
	}
	if !hmac.Equal(s.keys.CodeMAC(t.ID, []byte(binding), "sms:"+string(phone), code), ch.CodeMAC) {
		if left := s.limits.CodeAttempts - ch.Attempts; left > 0 {
			return "", "", Errorf(KindInvalid, "wrong_sms_code", "That code is not right. You can try this code %d more times.", left)
		}
		return "", "", Errorf(KindInvalid, "wrong_sms_code_last", "That code is not right, and it can no longer be used. Send a new code.")
	}
	won, err := s.store.ConsumeMFAChallenge(ctx, binding, ChallengeSMS, ch.CodeMAC)
	if err != nil {
		return "", "", internal("consume code", err)
	}
	if !won {
		return "", "", uncharged{errSMSUsedUp}
	}
	return ch.MethodID, string(phone), nil
}

// newSMSMethod makes a confirmed SMS method for phone (not saved).
func (s *Service) newSMSMethod(t *Tenant, g *Guest, phone string) (*MFAMethod, error) {
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	m := &MFAMethod{ID: id, TenantID: t.ID, GuestID: g.ID, Kind: MFASMS, CreatedAt: now, ConfirmedAt: now}
	if m.Secret, err = s.keys.Seal([]byte(phone), methodAD(m)); err != nil {
		return nil, internal("seal phone", err)
	}
	return m, nil
}

// SendSMSRequest is a press of form#sms-send in a flow's MFA step.
type SendSMSRequest struct {
	TenantID  string
	FlowToken string
	Phone     string // a guest without a method: the number to register
	MethodID  string // a guest with SMS methods: which one (empty: the first)
	Client    Client
}

// SendSMSCode texts a code in a flow waiting for its second factor: to a
// new number for a guest registering, or to a registered one.
func (s *Service) SendSMSCode(ctx context.Context, req SendSMSRequest) (*SMSSent, error) {
	st, err := s.loadMFAStep(ctx, req.TenantID, req.FlowToken)
	if err != nil {
		return nil, err
	}
	t, flow, g := st.t, st.flow, st.g
	if s.texts == nil {
		return nil, errSMSOff
	}
	switch {
	case st.stranded:
		return nil, errRecoveryFirst(t)
	case st.register:
		if err := mayAdd(t, MFASMS); err != nil {
			return nil, err
		}
		phone, err := ParsePhone(req.Phone)
		if err != nil {
			return nil, err
		}
		return s.textCode(ctx, t, g, flowBinding(flow), "", phone, req.Client)
	case !hasKind(st.usable, MFASMS) && hasKind(st.ms, MFASMS):
		return nil, errKindRefused(t)
	}
	for _, m := range st.usable {
		if m.Kind == MFASMS && (req.MethodID == "" || req.MethodID == m.ID) {
			phone, err := s.openPhone(m)
			if err != nil {
				return nil, err
			}
			return s.textCode(ctx, t, g, flowBinding(flow), m.ID, phone, req.Client)
		}
	}
	return nil, errNoSMS
}

// VerifySMSRequest is a submitted form#sms-code in a flow's MFA step.
type VerifySMSRequest struct {
	TenantID  string
	FlowToken string
	Code      string
	Client    Client
}

// VerifySMS checks the flow's texted code and begins the session: a first
// number is registered (with recovery codes, shown once), a registered one
// proves the second factor. Guesses follow the email-code rules: 5 per
// code, each charged to the guest's failure budget.
func (s *Service) VerifySMS(ctx context.Context, req VerifySMSRequest) (*SignInResult, error) {
	code, ok := NormalizeCode(req.Code)
	if !ok {
		return nil, errSMSFormat
	}
	t, flow, g, err := s.mfaFlow(ctx, req.TenantID, req.FlowToken)
	if err != nil {
		return nil, err
	}
	if !t.MFAAllowed(MFASMS) {
		return nil, errKindRefused(t) // the tenant stopped accepting texts after this code went out
	}
	res := &SignInResult{}
	err = s.chargeCode(ctx, t, g, req.Client, "wrong_code", func() error {
		methodID, phone, err := s.checkTextCode(ctx, t, g, flowBinding(flow), code)
		if err != nil {
			return err
		}
		ms, err := s.store.ListMFAMethods(ctx, t.ID, g.ID)
		if err != nil {
			return internal("list mfa methods", err)
		}
		if methodID != "" {
			for _, m := range confirmed(ms) {
				if m.ID == methodID {
					return nil
				}
			}
			return uncharged{errSMSMethodGon} // removed (admin reset) after the code went out
		}
		m, err := s.newSMSMethod(t, g, phone)
		if err != nil {
			return err
		}
		res.RecoveryCodes, err = s.confirmRegistration(ctx, t, g, req.Client, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.mfaProven(ctx, t, g, flow, req.Client, []string{"sms"}, res)
}

// AddSMS starts adding a phone number on the security page: it texts a
// code to req.Phone, bound to the session.
func (s *Service) AddSMS(ctx context.Context, req SecurityRequest) (*SMSSent, error) {
	sess, t, g, ms, err := s.freshGuest(ctx, req)
	if err != nil {
		return nil, err
	}
	if s.texts == nil {
		return nil, errSMSOff
	}
	if err := mayAdd(t, MFASMS); err != nil {
		return nil, err
	}
	phone, err := ParsePhone(req.Phone)
	if err != nil {
		return nil, err
	}
	for _, m := range confirmed(ms) {
		if m.Kind != MFASMS {
			continue
		}
		if p, err := s.openPhone(m); err != nil || p == phone {
			return nil, cmpErr(err, errPhoneTaken)
		}
	}
	return s.textCode(ctx, t, g, sessionBinding(sess), "", phone, req.Client)
}

// ConfirmSMS proves the number AddSMS texted with its code (req.Code) and
// adds it, with its audit event and notice email; a guest's first method
// comes with recovery codes (returned, shown once).
func (s *Service) ConfirmSMS(ctx context.Context, req SecurityRequest) ([]string, error) {
	code, ok := NormalizeCode(req.Code)
	if !ok {
		return nil, errSMSFormat
	}
	sess, t, g, ms, err := s.freshGuest(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := mayAdd(t, MFASMS); err != nil {
		return nil, err
	}
	var phone string
	err = s.chargeCode(ctx, t, g, req.Client, "wrong_code", func() error {
		var err error
		_, phone, err = s.checkTextCode(ctx, t, g, sessionBinding(sess), code)
		return err
	})
	if err != nil {
		return nil, err
	}
	m, err := s.newSMSMethod(t, g, phone)
	if err != nil {
		return nil, err
	}
	return s.addMethod(ctx, t, g, req.Client, m, len(confirmed(ms)) == 0)
}

// pendingSMS is the code texted in a flow's MFA step, if one is still
// pending (for the page: it then shows form#sms-code).
func (s *Service) pendingSMS(ctx context.Context, t *Tenant, g *Guest, binding string) (*SMSSent, error) {
	ch, err := s.store.GetMFAChallenge(ctx, binding, ChallengeSMS)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internal("get challenge", err)
	}
	if !ch.live(t, g, s.clock.Now()) || ch.Attempts >= s.limits.CodeAttempts {
		return nil, nil
	}
	phone, err := s.openChallenge(ch)
	if err != nil {
		return nil, err
	}
	return &SMSSent{To: MaskPhone(string(phone)), ExpiresAt: ch.ExpiresAt}, nil
}

// textBody is the text of an SMS code. Its last line is the WebOTP form
// ("@host #code") that lets browsers on the phone fill the code in.
func textBody(m *Message, host string) string {
	expires := m.ExpiresAt.UTC().Format("15:04")
	if strings.HasPrefix(m.Locale, "de") {
		return fmt.Sprintf("%s ist Ihr Anmeldecode für %s. Er gilt bis %s UTC.\n\n@%s #%s", m.Code, m.TenantName, expires, host, m.Code)
	}
	return fmt.Sprintf("%s is your sign-in code for %s. It expires at %s UTC.\n\n@%s #%s", m.Code, m.TenantName, expires, host, m.Code)
}
