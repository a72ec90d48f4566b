package guestpass

import (
	"context"
	"crypto/hmac"
	"errors"
	"strings"
	"time"
)

// VerifyCodeRequest is a submitted code form.
type VerifyCodeRequest struct {
	TenantID  string
	FlowToken string
	Code      string
	Client    Client
}

// SessionGrant is a new session and the secret for its cookie.
type SessionGrant struct {
	Token string
	// ProxyToken is the forward-auth token: the web layer sets it as the
	// __Secure- cookie of the proxied apps' parent domain, when one is
	// configured. It ends with the session.
	ProxyToken string
	Session    *Session
}

// SignInResult says what comes next: the one-time consent page, or a
// session and where to go.
type SignInResult struct {
	Tenant      *Tenant
	Guest       *Guest
	NeedConsent bool
	// NeedMFA asks for the second factor (form#mfa) before any session.
	NeedMFA bool
	// RecoveryCodes are shown once, at the end of an MFA registration.
	RecoveryCodes []string
	// RecoveryCodesLeft is set after a sign-in with a recovery code.
	RecoveryCodesLeft int
	UsedRecoveryCode  bool
	Session           *SessionGrant
	RedirectTo        string
}

// NormalizeCode accepts what people paste: digits with spaces or dashes.
func NormalizeCode(s string) (string, bool) {
	if len(s) > 32 {
		return "", false
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '\t':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == 8
}

// VerifyCode checks a code against the browser's flow. Every guess is
// charged to the per-code and per-address budgets before it is compared, so
// no interleaving of nodes can evaluate more guesses than the limits allow.
// The charges, the comparison and the spending of a right code are one
// transaction: one commit instead of five, five round trips to PostgreSQL
// instead of ten, and a guess refused midway leaves no charge behind.
func (s *Service) VerifyCode(ctx context.Context, req VerifyCodeRequest) (*SignInResult, error) {
	t, err := s.getTenant(ctx, s.store, req.TenantID)
	if err != nil {
		return nil, err
	}
	if !t.EmailOTPAllowed() {
		return nil, errEmailOTPDisabled(t)
	}
	code, ok := NormalizeCode(req.Code)
	if !ok {
		return nil, Errorf(KindInvalid, "invalid_code_format", "Enter the 8-digit code from the email.")
	}
	if !plausibleFlowToken(req.FlowToken) {
		return nil, ErrFlowExpired
	}
	var flow *Flow
	var g *Guest
	var refused error
	err = s.store.Update(ctx, func(tx Tx) error {
		var err error
		flow, g, refused, err = s.guessCode(ctx, tx, t, req.FlowToken, code, req.Client)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return s.firstFactorProven(ctx, t, g, flow, req.Client)
}

// guessCode charges and compares one guess in tx, returning the flow and
// its guest on success. refused is a failed guess whose charges must
// commit; err rolls tx back (an internal error, or a guess refused before
// it was compared, which must then cost nothing).
func (s *Service) guessCode(ctx context.Context, tx Tx, t *Tenant, token, code string, c Client) (f *Flow, g *Guest, refused, err error) {
	// The per-code charge comes first: it locks the flow until tx ends and
	// says whose address the guess is for.
	f, g, err = tx.CountCodeAttempt(ctx, HashToken(token), s.limits.CodeAttempts)
	if errors.Is(err, ErrNotFound) {
		// Nothing was charged, so the refusal commits (nothing) instead of
		// failing tx: on PostgreSQL tx may be shared with other writes
		// (group commit), and made-up flow tokens must not roll them back.
		refused := s.noCodeToGuess(ctx, tx, t, token)
		if KindOf(refused) == KindInternal {
			return nil, nil, nil, refused
		}
		return nil, nil, refused, nil
	} else if err != nil {
		return nil, nil, nil, internal("count attempt", err)
	}
	now := s.clock.Now()
	if f.TenantID != t.ID || !now.Before(f.ExpiresAt) || f.State != FlowCodeSent {
		return nil, nil, nil, ErrFlowExpired
	}
	left, refused, err := s.chargeGuess(ctx, tx, t, f.Mail, c)
	if err != nil || refused != nil {
		return nil, nil, refused, err
	}
	if !now.Before(f.CodeExpiresAt) {
		return nil, nil, nil, Errorf(KindInvalid, "code_expired", "This code has expired. Request a new code.")
	}
	want := s.keys.CodeMAC(t.ID, f.IDHash, f.Mail, code)
	if !hmac.Equal(want, f.CodeMAC) {
		refused, err := s.wrongCode(ctx, tx, t, f, g, left, c)
		return nil, nil, refused, err
	}
	if g == nil { // deleted since the code was sent: a real MAC was only issued to a guest
		return nil, nil, nil, ErrFlowExpired
	}
	refused, err = s.consumeCode(ctx, tx, t, f, g)
	if err != nil || refused != nil {
		return nil, nil, refused, err
	}
	// A right code is no failure: the address's budget gets its token back.
	return f, g, nil, internal("refund", tx.ReturnToken(ctx, budgetKey(t.ID, f.Mail), s.limits.GuestFailures.interval()))
}

// chargeGuess charges one guess at addr's codes, email or second factor,
// in tx: one call reads the address's lock and takes a token of the
// network's budget and, unless that refused, one of the address's hourly
// failure budget. A locked address is refused first, and its takes roll
// back with tx. It returns the address budget's tokens left. refused is
// the lock set because that budget ran out, which must commit; err rolls
// tx back (an internal error, the address already locked, or the network
// over its budget: a guess refused before it is compared costs nothing).
func (s *Service) chargeGuess(ctx context.Context, tx Tx, t *Tenant, addr string, c Client) (left int, refused, err error) {
	now := s.clock.Now()
	budget := s.limits.GuestFailures
	until, refusedAt, remaining, err := tx.LockedUntilTakingTokens(ctx, lockKey(t.ID, addr), now, []TokenTake{
		{"verify:ip:" + c.IP, s.limits.VerifyPerIP.interval(), s.limits.VerifyPerIP.Burst},
		{budgetKey(t.ID, addr), budget.interval(), budget.Burst},
	})
	switch {
	case err != nil:
		return 0, nil, internal("limit guess", err)
	case now.Before(until):
		return 0, nil, errLocked(until)
	case refusedAt == 0:
		return 0, nil, errNetworkLimited
	case refusedAt == 1:
		until, err := s.lockTx(ctx, tx, t, addr, c)
		return 0, errLocked(until), err
	}
	return remaining[1], nil, nil
}

// noCodeToGuess explains a flow with no code left to guess.
func (s *Service) noCodeToGuess(ctx context.Context, q Queries, t *Tenant, token string) error {
	f, err := s.loadFlow(ctx, q, t.ID, token)
	if err != nil {
		return err
	}
	if f.State != FlowCodeSent {
		return ErrFlowExpired
	}
	return errCodeUsedUp
}

var errNetworkLimited = Errorf(KindRateLimited, "rate_limited", "Too many attempts from your network. Wait a few minutes and try again.")

func errLocked(until time.Time) error {
	return Errorf(KindRateLimited, "locked", "Too many wrong codes. Sign-in with an email code is locked for this address until %s UTC.", until.UTC().Format("15:04"))
}

var errCodeUsedUp = Errorf(KindInvalid, "code_used_up", "This code can no longer be used. Request a new code.")

// consumeCode spends a correct code. CountCodeAttempt locked the flow in
// tx, so the code is this guess's to spend: a second guess with the same
// code waits for tx and then finds no code pending. refused is a guest who
// may not sign in.
func (s *Service) consumeCode(ctx context.Context, tx Tx, t *Tenant, f *Flow, g *Guest) (refused, err error) {
	next := FlowCodeSent
	if g.State == GuestPendingAcceptance {
		next = FlowConsent
	}
	if err := tx.SpendCode(ctx, f.IDHash, f.CodeMAC, next, g.ID); err != nil {
		return nil, internal("spend code", err)
	}
	if g.State == GuestDisabled {
		return Errorf(KindForbidden, "guest_disabled", "Your access to %s has been disabled. Contact the person who invited you.", t.DisplayName), nil
	}
	return nil, nil
}

// wrongCode records a failed guess and locks the address when this guess
// spent the last of its budget.
func (s *Service) wrongCode(ctx context.Context, tx Tx, t *Tenant, f *Flow, g *Guest, remaining int, c Client) (refused, err error) {
	if err := s.audit(ctx, tx, signInEvent(t.ID, g, "code.verify", "wrong_code", c)); err != nil {
		return nil, err
	}
	if remaining == 0 {
		until, err := s.lockTx(ctx, tx, t, f.Mail, c)
		return errLocked(until), err
	}
	left := s.limits.CodeAttempts - f.CodeAttempts
	if left <= 0 {
		// A code of its own: a translation of wrong_code takes the count.
		return Errorf(KindInvalid, "wrong_code_last", "That code is not right, and it can no longer be used. Request a new code."), nil
	}
	return Errorf(KindInvalid, "wrong_code", "That code is not right. You can try this code %d more times.", left), nil
}

// lock stops code sign-in for an address for LockFor, once, with an audit
// event and, for a real guest, a notice email.
func (s *Service) lock(ctx context.Context, t *Tenant, addr string, c Client) error {
	var until time.Time
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		until, err = s.lockTx(ctx, tx, t, addr, c)
		return err
	})
	if err != nil {
		return err
	}
	return errLocked(until)
}

// lockTx is lock in tx; it returns when the lock ends, which is an earlier
// lock's end when the address was locked already.
func (s *Service) lockTx(ctx context.Context, tx Tx, t *Tenant, addr string, c Client) (time.Time, error) {
	now := s.clock.Now()
	cur, err := tx.LockedUntil(ctx, lockKey(t.ID, addr))
	if err != nil || now.Before(cur) {
		return cur, internal("lock", err)
	}
	until := now.Add(s.limits.LockFor)
	if err := tx.SetLock(ctx, lockKey(t.ID, addr), until); err != nil {
		return until, internal("set lock", err)
	}
	g, err := tx.GetGuestByMail(ctx, t.ID, addr)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return until, internal("get guest", err)
	}
	if err := s.audit(ctx, tx, signInEvent(t.ID, g, "code.lock", "too_many_failures", c)); err != nil || g == nil {
		return until, err
	}
	msg := &Message{Kind: MailLockNotice, To: addr, ToName: g.DisplayName, Locale: c.Locale, TenantName: t.DisplayName, ExpiresAt: until}
	job, err := s.sealMessage(msg, t.ID, "", timeZero, false)
	if err != nil {
		return until, err
	}
	return until, internal("enqueue notice", tx.EnqueueMail(ctx, job))
}
