package guestpass

import (
	"context"
	"errors"
	"slices"
	"time"
)

// demandMFA parks the flow in FlowMFA: the session begins only after
// VerifyMFA. The flow keeps the guest and how the first factor was proven.
func (s *Service) demandMFA(ctx context.Context, t *Tenant, g *Guest, flow *Flow) (*SignInResult, error) {
	return s.awaitSecondFactor(ctx, t, g, flow, FlowMFA)
}

// awaitSecondFactor moves the flow to state (FlowMFA, or FlowMFARegister
// after a stranded guest's recovery code). A guest who will register gets
// the pending TOTP secret here, in the POST that led to the step: the MFA
// page is a GET and only reads it (DESIGN §3, link scanners).
func (s *Service) awaitSecondFactor(ctx context.Context, t *Tenant, g *Guest, flow *Flow, state FlowState) (*SignInResult, error) {
	flow.State, flow.GuestID = state, g.ID
	if err := s.store.UpdateFlow(ctx, flow); err != nil {
		return nil, internal("update flow", err)
	}
	ms, err := s.store.ListMFAMethods(ctx, t.ID, g.ID)
	if err != nil {
		return nil, internal("list mfa methods", err)
	}
	if newMFAStep(t, flow, g, ms).register && s.offers(t, MFATOTP) {
		// A lost race (mfa_registration_busy) is no reason to fail the
		// sign-in: the page then offers form#totp-new.
		if _, err := s.pendingTOTP(ctx, t, g, ms); err != nil && KindOf(err) != KindConflict {
			return nil, err
		}
	}
	return &SignInResult{Tenant: t, Guest: g, NeedMFA: true}, nil
}

// flowNeedsMFA is the tenant's rule tightened by the app the flow is for.
// An app deleted since the flow began adds nothing: there is nothing left
// to sign in to.
// A step-up flow (security page) asks a guest with a method for it.
func (s *Service) flowNeedsMFA(ctx context.Context, t *Tenant, g *Guest, flow *Flow) (bool, error) {
	if flow.StepUp && !t.Settings.RequireMFAForGuests {
		ms, err := s.store.ListMFAMethods(ctx, t.ID, g.ID)
		if err != nil {
			return false, internal("list mfa methods", err)
		}
		if len(confirmed(ms)) > 0 {
			return true, nil
		}
	}
	if t.Settings.RequireMFAForGuests || flow.AppID == "" {
		return t.Settings.RequireMFAForGuests, nil
	}
	a, err := s.store.GetApplication(ctx, t.ID, flow.AppID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, internal("get application", err)
	}
	return t.MFARequiredFor(a), nil
}

func (s *Service) checkFlowApp(ctx context.Context, t *Tenant, appID string) error {
	if len(appID) > 100 {
		return errUnknownApp
	}
	_, err := s.store.GetApplication(ctx, t.ID, appID)
	if errors.Is(err, ErrNotFound) {
		return errUnknownApp
	}
	return internal("get application", err)
}

var errUnknownApp = Errorf(KindInvalid, "invalid_application", "The application that sent you here is not known to this organization. Go back to the application and try again.")

// MFAView is what the MFA step shows: for a guest with methods, a way to
// prove each kind the tenant accepts (form#mfa also takes recovery codes);
// for a guest without, a registration of the kinds the tenant accepts and
// the server offers: the TOTP secret to scan, a passkey, a phone number;
// for a stranded guest (Stranded), form#mfa for a recovery code first.
type MFAView struct {
	Tenant   *Tenant
	Register bool
	// Stranded: the guest's methods are all of kinds the tenant no longer
	// accepts; a recovery code leads on to registering an accepted one.
	Stranded bool
	Secret   string // base32, for typing into an app; empty when none is pending
	URI      string // otpauth:// for the QR code
	// TOTP: the guest has an authenticator app (a later sign-in), or may
	// set one up (Register; form#totp-new when Secret is empty).
	TOTP bool
	// Passkey offers a passkey ceremony (PasskeyOptions): registering one,
	// or signing in with one the guest has.
	Passkey bool
	// SMS offers texting a code: to a new number (Register), or to one of
	// Phones (masked, by method id).
	SMS    bool
	Phones []PhoneChoice
	// SMSSent is the code texted in this flow, while it can be entered.
	SMSSent *SMSSent
}

// PhoneChoice is a registered number a sign-in may text a code to.
type PhoneChoice struct{ MethodID, Masked string }

// ViewMFA reads the flow's MFA step; it changes nothing. For a guest without
// a confirmed method it shows the pending TOTP registration made when the
// first factor was proven (demandMFA), so reloading the page shows the same
// secret; when that went stale meanwhile, Secret is empty and the page
// offers StartTOTP.
func (s *Service) ViewMFA(ctx context.Context, tenantID, flowToken string) (*MFAView, error) {
	st, err := s.loadMFAStep(ctx, tenantID, flowToken)
	if err != nil {
		return nil, err
	}
	t, g := st.t, st.g
	if (st.register || st.stranded) && len(s.offered(t)) == 0 {
		return nil, errNoMFAKind(t) // before a stranded guest spends a recovery code on nothing
	}
	if st.stranded {
		return &MFAView{Tenant: t, Stranded: true}, nil
	}
	sent, err := s.pendingSMS(ctx, t, g, flowBinding(st.flow))
	if err != nil {
		return nil, err
	}
	if st.register {
		v := &MFAView{Tenant: t, Register: true, TOTP: s.offers(t, MFATOTP), Passkey: s.offers(t, MFAPasskey),
			SMS: s.offers(t, MFASMS), SMSSent: sent}
		if m := freshPendingTOTP(st.ms, s.clock.Now()); m != nil && v.TOTP {
			if v.Secret, v.URI, err = s.totpSecret(t, g, m); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
	v := &MFAView{Tenant: t, TOTP: hasKind(st.usable, MFATOTP), Passkey: s.passkeys != nil && hasKind(st.usable, MFAPasskey), SMSSent: sent}
	for _, m := range st.usable {
		if m.Kind == MFASMS && s.texts != nil {
			p, err := s.openPhone(m)
			if err != nil {
				return nil, err
			}
			v.SMS, v.Phones = true, append(v.Phones, PhoneChoice{MethodID: m.ID, Masked: MaskPhone(p)})
		}
	}
	return v, nil
}

// StartTOTP makes a new pending TOTP registration for a flow whose guest is
// registering and has none (it went stale while the page stood open): the
// POST of form#totp-new, since the page itself never writes.
func (s *Service) StartTOTP(ctx context.Context, tenantID, flowToken string) error {
	st, err := s.loadMFAStep(ctx, tenantID, flowToken)
	if err != nil {
		return err
	}
	switch {
	case st.stranded:
		return errRecoveryFirst(st.t)
	case !st.register:
		return errNotRegistering
	}
	if err := mayAdd(st.t, MFATOTP); err != nil {
		return err
	}
	_, err = s.pendingTOTP(ctx, st.t, st.g, st.ms)
	return err
}

var errNotRegistering = Errorf(KindInvalid, "mfa_registered", "You have a second factor already: use it to sign in.")

// freshPendingTOTP is the guest's pending TOTP registration that has not
// gone stale at now, if any.
func freshPendingTOTP(ms []*MFAMethod, now time.Time) *MFAMethod {
	for _, m := range ms {
		if m.Pending() && m.Kind == MFATOTP && !m.Stale(now) {
			return m
		}
	}
	return nil
}

func (s *Service) totpSecret(t *Tenant, g *Guest, m *MFAMethod) (secret, uri string, err error) {
	key, err := s.keys.Open(m.Secret, methodAD(m))
	if err != nil {
		return "", "", internal("open totp secret", err)
	}
	secret = b32.EncodeToString(key)
	return secret, TOTPURI(t.DisplayName, g.Mail, secret), nil
}

// pendingTOTP returns the guest's one pending TOTP registration, creating
// it when there is none. A stale one, or a pending method of another kind,
// is replaced. Of two racing requests one creates the row and the other,
// refused by the store (ErrConflict), reuses it.
func (s *Service) pendingTOTP(ctx context.Context, t *Tenant, g *Guest, ms []*MFAMethod) (*MFAMethod, error) {
	now := s.clock.Now()
	if m := freshPendingTOTP(ms, now); m != nil {
		return m, nil
	}
	for _, m := range ms {
		if !m.Pending() {
			continue
		}
		if err := s.store.DeleteMFAMethod(ctx, t.ID, g.ID, m.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return nil, internal("delete pending mfa method", err)
		}
	}
	m, err := s.newTOTPMethod(ctx, t, g)
	if !errors.Is(err, ErrConflict) {
		return m, err
	}
	if ms, err = s.store.ListMFAMethods(ctx, t.ID, g.ID); err != nil {
		return nil, internal("list mfa methods", err)
	}
	if m := freshPendingTOTP(ms, now); m != nil {
		return m, nil
	}
	return nil, Errorf(KindConflict, "mfa_registration_busy", "Another registration is in progress. Reload the page.")
}

func (s *Service) newTOTPMethod(ctx context.Context, t *Tenant, g *Guest) (*MFAMethod, error) {
	key, _, err := NewTOTPSecret(s.rand)
	if err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	m := &MFAMethod{ID: id, TenantID: t.ID, GuestID: g.ID, Kind: MFATOTP, CreatedAt: s.clock.Now()}
	if m.Secret, err = s.keys.Seal(key, methodAD(m)); err != nil {
		return nil, internal("seal totp secret", err)
	}
	if err := s.store.CreateMFAMethod(ctx, m); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, err
		}
		return nil, internal("create mfa method", err)
	}
	return m, nil
}

// methodAD binds a sealed secret to its row, so a secret copied onto another
// guest's row does not open.
func methodAD(m *MFAMethod) []byte { return []byte("mfa:" + m.TenantID + ":" + m.GuestID + ":" + m.ID) }

func confirmed(ms []*MFAMethod) []*MFAMethod {
	var out []*MFAMethod
	for _, m := range ms {
		if !m.Pending() {
			out = append(out, m)
		}
	}
	return out
}

func (s *Service) mfaFlow(ctx context.Context, tenantID, flowToken string) (*Tenant, *Flow, *Guest, error) {
	t, err := s.getTenant(ctx, s.store, tenantID)
	if err != nil {
		return nil, nil, nil, err
	}
	flow, err := s.loadFlow(ctx, s.store, t.ID, flowToken)
	if err != nil {
		return nil, nil, nil, err
	}
	if flow.State != FlowMFA && flow.State != FlowMFARegister || flow.GuestID == "" {
		return nil, nil, nil, ErrFlowExpired
	}
	g, err := s.getGuest(ctx, s.store, t.ID, flow.GuestID)
	if err != nil {
		return nil, nil, nil, err
	}
	return t, flow, g, nil
}

// VerifyMFARequest is a submitted form#mfa: a TOTP code or a recovery code.
type VerifyMFARequest struct {
	TenantID     string
	FlowToken    string
	Code         string // six digits from the app
	RecoveryCode string
	Client       Client
}

var errMFAWrong = Errorf(KindInvalid, "wrong_mfa_code", "That code is not right. Check the time on your phone and try the newest code.")

// VerifyMFA checks the second factor and, on success, begins the session;
// a stranded guest's recovery code leads on to registering (NeedMFA
// again). Every attempt is charged to the guest's failure budget (the one
// email codes use) before it is compared, and refunded only on success.
func (s *Service) VerifyMFA(ctx context.Context, req VerifyMFARequest) (*SignInResult, error) {
	st, err := s.loadMFAStep(ctx, req.TenantID, req.FlowToken)
	if err != nil {
		return nil, err
	}
	t, flow, g := st.t, st.flow, st.g
	var code, rcode string
	var ok bool
	if req.RecoveryCode != "" {
		if rcode, ok = NormalizeRecoveryCode(req.RecoveryCode); !ok {
			return nil, Errorf(KindInvalid, "invalid_recovery_code_format", "Enter a recovery code as it was shown: 16 letters and digits.")
		}
	} else if code, ok = NormalizeTOTP(req.Code); !ok {
		return nil, Errorf(KindInvalid, "invalid_mfa_code_format", "Enter the 6-digit code from your authenticator app.")
	}
	if code != "" && !t.MFAAllowed(MFATOTP) && (st.register || hasKind(st.ms, MFATOTP)) {
		return nil, errKindRefused(t) // compared with nothing, so no guess
	}
	if st.stranded && len(s.offered(t)) == 0 {
		return nil, errNoMFAKind(t) // a recovery code would be spent on a registration that cannot happen
	}
	var res *SignInResult
	var how []string
	err = s.chargeCode(ctx, t, g, req.Client, "wrong_code", func() error {
		var err error
		res, how, err = s.checkSecondFactor(ctx, st, req.Client, code, rcode)
		return err
	})
	if err != nil {
		return nil, err
	}
	if st.stranded {
		return s.awaitSecondFactor(ctx, t, g, flow, FlowMFARegister)
	}
	return s.mfaProven(ctx, t, g, flow, req.Client, how, res)
}

// mfaProven begins the session of a flow whose second factor was just
// proven (how: the amr values it adds; "mfa" is added here) and carries the
// recovery-code news of res over to the result.
func (s *Service) mfaProven(ctx context.Context, t *Tenant, g *Guest, flow *Flow, c Client, how []string, res *SignInResult) (*SignInResult, error) {
	if g.State == GuestDisabled {
		return nil, Errorf(KindForbidden, "guest_disabled", "Your access to %s has been disabled. Contact the person who invited you.", t.DisplayName)
	}
	idp, amr := flow.FirstFactor()
	for _, a := range append(how, "mfa") {
		if !slices.Contains(amr, a) {
			amr = append(amr, a)
		}
	}
	out, err := s.finishSignIn(ctx, t, g, flow, c, idp, amr)
	if err != nil {
		return nil, err
	}
	if res != nil {
		out.RecoveryCodes, out.RecoveryCodesLeft, out.UsedRecoveryCode = res.RecoveryCodes, res.RecoveryCodesLeft, res.UsedRecoveryCode
	}
	return out, nil
}

// uncharged marks a failed check that was no guess (a code expired or used
// up before it was compared): its attempt is given back.
type uncharged struct{ error }

func (u uncharged) Unwrap() error { return u.error }

// chargeCode runs check under the guest's failure budget (the email-code
// budget, DESIGN §3): the attempt is taken first and refunded when check
// succeeds or fails uncharged. A failure of kind invalid is the guest's:
// it is audited (as reason, or the error's own code when reason is empty)
// and locks code sign-in when it spent the last of the budget. Any other
// error is returned as it is.
func (s *Service) chargeCode(ctx context.Context, t *Tenant, g *Guest, c Client, reason string, check func() error) error {
	var remaining int
	var refused error
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		remaining, refused, err = s.chargeGuess(ctx, tx, t, g.Mail, c)
		return err
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	budget, bkey := s.limits.GuestFailures, budgetKey(t.ID, g.Mail)
	err = check()
	var u uncharged
	switch {
	case err == nil || errors.As(err, &u):
		if rerr := s.store.ReturnToken(ctx, bkey, budget.interval()); rerr != nil {
			return internal("refund", rerr)
		}
		if err != nil {
			return u.error
		}
		return nil
	case KindOf(err) != KindInvalid:
		return err
	}
	var e *Error
	if reason == "" && errors.As(err, &e) {
		reason = e.Code
	}
	if aerr := s.audit(ctx, s.store, signInEvent(t.ID, g, "mfa.verify", reason, c)); aerr != nil {
		return aerr
	}
	if remaining == 0 {
		return s.lock(ctx, t, g.Mail, c)
	}
	return err
}

var errTOTPReplay = Errorf(KindInvalid, "mfa_code_used", "This code has already been used. Wait for the next code in your app.")

// checkSecondFactor compares a TOTP code (against the usable methods, or
// the pending registration when registering) or a recovery code (not when
// registering: a new guest has none, and a stranded one has used one). It
// returns the amr values the factor adds.
func (s *Service) checkSecondFactor(ctx context.Context, st *mfaStep, c Client, code, rcode string) (*SignInResult, []string, error) {
	t, g := st.t, st.g
	if rcode != "" {
		if st.register {
			return nil, nil, errMFAWrong
		}
		ok, left, err := s.store.UseRecoveryCode(ctx, t.ID, g.ID, hashRecoveryCode(rcode))
		if err != nil {
			return nil, nil, internal("use recovery code", err)
		}
		if !ok {
			return nil, nil, errMFAWrong
		}
		return &SignInResult{UsedRecoveryCode: true, RecoveryCodesLeft: left}, []string{"otp"}, nil
	}
	now := s.clock.Now()
	candidates := st.usable
	if st.register {
		candidates = nil
		if m := freshPendingTOTP(st.ms, now); m != nil {
			candidates = []*MFAMethod{m}
		}
	}
	for _, m := range candidates {
		if m.Kind != MFATOTP {
			continue
		}
		key, err := s.keys.Open(m.Secret, methodAD(m))
		if err != nil {
			return nil, nil, internal("open totp secret", err)
		}
		step, ok := matchTOTP(key, code, now)
		if !ok {
			continue
		}
		won, err := s.store.UseTOTPStep(ctx, t.ID, m.ID, step)
		if err != nil {
			return nil, nil, internal("use totp step", err)
		}
		if !won {
			return nil, nil, errTOTPReplay
		}
		res := &SignInResult{}
		if st.register {
			if res.RecoveryCodes, err = s.confirmRegistration(ctx, t, g, c, m); err != nil {
				return nil, nil, err
			}
		}
		return res, []string{"otp"}, nil
	}
	return nil, nil, errMFAWrong
}

// confirmRegistration makes a sign-in's first method count (a pending TOTP
// registration is confirmed; a new passkey or phone, made confirmed, is
// created) and issues fresh recovery codes, in one transaction with its
// audit event and notice email: only the emailed code came before it, so
// the mailbox's owner must hear of a factor a stranger may have set up.
func (s *Service) confirmRegistration(ctx context.Context, t *Tenant, g *Guest, c Client, m *MFAMethod) ([]string, error) {
	codes, hashes, err := s.newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = s.securityChange(ctx, t, g, c, SecurityMethodRegistered, m.ID, func(tx Tx) error {
		if err := s.saveMethod(ctx, tx, m); err != nil {
			return err
		}
		return internal("recovery codes", tx.ReplaceRecoveryCodes(ctx, m.TenantID, m.GuestID, hashes))
	})
	return codes, err
}

// saveMethod confirms a pending method or creates a new confirmed one.
func (s *Service) saveMethod(ctx context.Context, tx Tx, m *MFAMethod) error {
	if m.Pending() {
		return internal("confirm mfa method", tx.ConfirmMFAMethod(ctx, m.TenantID, m.ID, s.clock.Now()))
	}
	return internal("create mfa method", tx.CreateMFAMethod(ctx, m))
}
