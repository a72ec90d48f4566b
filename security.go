package guestpass

import (
	"context"
	"time"
)

// FreshAuthWindow is how recent a sign-in must be for a guest to change
// their second factors: a session left open on a shared computer must not
// be enough to swap the authenticator.
const FreshAuthWindow = 10 * time.Minute

// SecurityChange names what a guest changed on their security page, for
// the notice email.
type SecurityChange string

const (
	SecurityMethodAdded   SecurityChange = "methodAdded"
	SecurityMethodRemoved SecurityChange = "methodRemoved"
	SecurityRecoveryCodes SecurityChange = "recoveryCodesRegenerated"
	// SecurityMethodRegistered is a method registered in a sign-in's MFA
	// step (with new recovery codes), where only the email code came before.
	SecurityMethodRegistered SecurityChange = "methodRegistered"
)

// SecurityView is the guest's security page.
type SecurityView struct {
	Tenant            *Tenant
	Guest             *Guest
	Methods           []*MFAMethod // confirmed methods, oldest first
	RecoveryCodesLeft int
	// Fresh says whether changes are allowed now; FreshUntil is when that
	// ends. A stale session must re-authenticate (Reauthenticate) first.
	Fresh      bool
	FreshUntil time.Time
	// Phones are the masked numbers of the SMS methods, by method id.
	Phones map[string]string
	// TOTP, Passkeys and SMS say whether those kinds can be added here: the
	// tenant accepts them (mfaMethods) and the server runs them (a WebAuthn
	// relying party, an SMS provider).
	TOTP     bool
	Passkeys bool
	SMS      bool
	// Refused marks, by id, methods of kinds the tenant no longer accepts:
	// kept, but they prove nothing.
	Refused map[string]bool
	// Removable marks, by id, the methods the guest may remove now.
	Removable map[string]bool
}

// SecurityRequest is a change on the security page, made with the
// browser's session cookie.
type SecurityRequest struct {
	TenantID     string
	SessionToken string
	MethodID     string // RemoveMFAMethod
	Code         string // ConfirmTOTP, ConfirmSMS: the code that proves the new method
	Phone        string // AddSMS: the number to register
	Credential   string // AddPasskey: the browser's PublicKeyCredential as JSON
	Client       Client
}

var errReauth = Errorf(KindForbidden, "reauth_required", "For your security, confirm it is you: sign in again with a new code, then make the change within 10 minutes.")

// ViewSecurity lists the session's guest's methods; it changes nothing.
func (s *Service) ViewSecurity(ctx context.Context, tenantID, sessionToken string) (*SecurityView, error) {
	_, v, err := s.securityView(ctx, tenantID, sessionToken)
	return v, err
}

func (s *Service) securityView(ctx context.Context, tenantID, sessionToken string) (*Session, *SecurityView, error) {
	sess, g, err := s.SessionByToken(ctx, tenantID, sessionToken)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.getTenant(ctx, s.store, tenantID)
	if err != nil {
		return nil, nil, err
	}
	ms, err := s.store.ListMFAMethods(ctx, t.ID, g.ID)
	if err != nil {
		return nil, nil, internal("list mfa methods", err)
	}
	left, err := s.store.CountRecoveryCodes(ctx, t.ID, g.ID)
	if err != nil {
		return nil, nil, internal("count recovery codes", err)
	}
	live := confirmed(ms)
	phones, err := s.maskedPhones(live)
	if err != nil {
		return nil, nil, err
	}
	v := &SecurityView{Tenant: t, Guest: g, Methods: live, RecoveryCodesLeft: left,
		Fresh: s.fresh(sess, live), FreshUntil: sess.AuthTime.Add(FreshAuthWindow), Phones: phones,
		TOTP: s.offers(t, MFATOTP), Passkeys: s.offers(t, MFAPasskey), SMS: s.offers(t, MFASMS),
		Refused: map[string]bool{}, Removable: map[string]bool{}}
	for _, m := range live {
		v.Refused[m.ID] = !t.MFAAllowed(m.Kind)
		v.Removable[m.ID] = canRemove(t, live, m.ID)
	}
	return sess, v, nil
}

// fresh is the rule for changes: a sign-in within FreshAuthWindow that,
// for a guest with a method, proved a second factor.
func (s *Service) fresh(sess *Session, live []*MFAMethod) bool {
	if !s.clock.Now().Before(sess.AuthTime.Add(FreshAuthWindow)) {
		return false
	}
	return len(live) == 0 || sess.HasMFA()
}

// freshGuest loads what every change needs and refuses a stale session.
func (s *Service) freshGuest(ctx context.Context, req SecurityRequest) (*Session, *Tenant, *Guest, []*MFAMethod, error) {
	sess, v, err := s.securityView(ctx, req.TenantID, req.SessionToken)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if !v.Fresh {
		return nil, nil, nil, nil, errReauth
	}
	ms, err := s.store.ListMFAMethods(ctx, v.Tenant.ID, v.Guest.ID)
	if err != nil {
		return nil, nil, nil, nil, internal("list mfa methods", err)
	}
	return sess, v.Tenant, v.Guest, ms, nil
}

// Reauthenticate starts a sign-in for the session's guest that returns to
// the security page: an emailed code and, for a guest with a method, the
// second factor (a step-up flow). Only a live session may ask, and only
// for its own address.
func (s *Service) Reauthenticate(ctx context.Context, tenantID, sessionToken, flowToken string, c Client) (*SendCodeResult, error) {
	_, g, err := s.SessionByToken(ctx, tenantID, sessionToken)
	if err != nil {
		return nil, err
	}
	return s.SendCode(ctx, SendCodeRequest{TenantID: tenantID, FlowToken: flowToken, Email: g.Mail,
		ReturnTo: s.TenantURL(tenantID, "/security"), StepUp: true, Client: c})
}

// AddTOTP starts adding an authenticator app: it returns the pending
// secret to scan (the same one until it is confirmed or goes stale).
func (s *Service) AddTOTP(ctx context.Context, req SecurityRequest) (*MFAView, error) {
	_, t, g, ms, err := s.freshGuest(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := mayAdd(t, MFATOTP); err != nil {
		return nil, err
	}
	m, err := s.pendingTOTP(ctx, t, g, ms)
	if err != nil {
		return nil, err
	}
	secret, uri, err := s.totpSecret(t, g, m)
	if err != nil {
		return nil, err
	}
	return &MFAView{Tenant: t, Register: true, Secret: secret, URI: uri}, nil
}

// ConfirmTOTP proves the pending authenticator app with its first code and
// makes it count. Wrong codes are charged to the guest's failure budget
// like every other code. For a guest's first method it returns fresh
// recovery codes (shown once); otherwise the existing ones stay.
func (s *Service) ConfirmTOTP(ctx context.Context, req SecurityRequest) ([]string, error) {
	code, ok := NormalizeTOTP(req.Code)
	if !ok {
		return nil, Errorf(KindInvalid, "invalid_mfa_code_format", "Enter the 6-digit code from your authenticator app.")
	}
	_, t, g, ms, err := s.freshGuest(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := mayAdd(t, MFATOTP); err != nil {
		return nil, err
	}
	m := freshPendingTOTP(ms, s.clock.Now())
	if m == nil {
		return nil, Errorf(KindInvalid, "no_pending_method", "Start again: choose Add an authenticator app.")
	}
	err = s.chargeCode(ctx, t, g, req.Client, "wrong_code", func() error {
		ok, err := s.provePending(ctx, t, m, code)
		if err == nil && !ok {
			err = errMFAWrong
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.addMethod(ctx, t, g, req.Client, m, len(confirmed(ms)) == 0)
}

// provePending checks a code against the pending method; a matching step
// is used up even though the method is not confirmed yet.
func (s *Service) provePending(ctx context.Context, t *Tenant, m *MFAMethod, code string) (bool, error) {
	key, err := s.keys.Open(m.Secret, methodAD(m))
	if err != nil {
		return false, internal("open totp secret", err)
	}
	step, ok := matchTOTP(key, code, s.clock.Now())
	if !ok {
		return false, nil
	}
	won, err := s.store.UseTOTPStep(ctx, t.ID, m.ID, step)
	if err != nil {
		return false, internal("use totp step", err)
	}
	if !won {
		return false, errTOTPReplay
	}
	return true, nil
}

// RemoveMFAMethod removes one of the guest's methods while another
// confirmed one remains, and one the tenant accepts when the guest has one
// (canRemove): the last one goes only by an admin reset.
func (s *Service) RemoveMFAMethod(ctx context.Context, req SecurityRequest) error {
	_, t, g, _, err := s.freshGuest(ctx, req)
	if err != nil {
		return err
	}
	return s.securityChange(ctx, t, g, req.Client, SecurityMethodRemoved, req.MethodID, func(tx Tx) error {
		ms, err := tx.ListMFAMethods(ctx, t.ID, g.ID)
		if err != nil {
			return internal("list mfa methods", err)
		}
		live := confirmed(ms)
		found := false
		for _, m := range live {
			found = found || m.ID == req.MethodID
		}
		if !found {
			return Errorf(KindNotFound, "method_not_found", "This sign-in method does not exist (any more). Reload the page.")
		}
		if !canRemove(t, live, req.MethodID) {
			if len(live) > 1 {
				return Errorf(KindConflict, "last_accepted_method", "This is your only second factor that %s accepts. Add another one before you remove it.", t.DisplayName)
			}
			return Errorf(KindConflict, "last_method", "This is your only second factor. Add another one before you remove it.")
		}
		return internal("delete mfa method", tx.DeleteMFAMethod(ctx, t.ID, g.ID, req.MethodID))
	})
}

// RegenerateRecoveryCodes replaces the guest's recovery codes with ten new
// ones (shown once); the old ones stop working.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, req SecurityRequest) ([]string, error) {
	_, t, g, ms, err := s.freshGuest(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(confirmed(ms)) == 0 {
		return nil, Errorf(KindConflict, "no_method", "Recovery codes come with a second factor: add one first.")
	}
	plain, codes, err := s.newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = s.securityChange(ctx, t, g, req.Client, SecurityRecoveryCodes, "", func(tx Tx) error {
		return internal("recovery codes", tx.ReplaceRecoveryCodes(ctx, t.ID, g.ID, codes))
	})
	return plain, err
}

// securityChange applies a change with its audit event and the notice
// email, in one transaction: no change without its notice.
func (s *Service) securityChange(ctx context.Context, t *Tenant, g *Guest, c Client, what SecurityChange, detail string, change func(Tx) error) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		e := AuditEvent{TenantID: t.ID, Type: AuditAdmin, Action: "guest." + string(what), Outcome: "success",
			GuestID: g.ID, Actor: "guest", IP: c.IP, UserAgent: c.UserAgent, Detail: detail}
		if err := s.audit(ctx, tx, e); err != nil {
			return err
		}
		msg := &Message{Kind: MailSecurityNotice, To: g.Mail, ToName: g.DisplayName, Locale: c.Locale, TenantName: t.DisplayName,
			Change: what, Link: s.TenantURL(t.ID, "/security")}
		job, err := s.sealMessage(msg, t.ID, "", timeZero, false)
		if err != nil {
			return err
		}
		return internal("enqueue notice", tx.EnqueueMail(ctx, job))
	})
}
