package guestpass

import (
	"context"
	"slices"
	"time"
)

// MFAKind is a kind of second factor.
type MFAKind string

const (
	// MFATOTP is an authenticator app (RFC 6238); Secret is its key.
	MFATOTP MFAKind = "totp"
	// MFAPasskey is a WebAuthn credential; Secret is its record
	// (passkeySecret) and LastStep its signature counter.
	MFAPasskey MFAKind = "passkey"
	// MFASMS is a phone number that receives codes; Secret is the number.
	MFASMS MFAKind = "sms"
)

// AllMFAKinds lists the kinds of second factor, in the order pages offer
// them; a tenant's mfaMethods default to all of them.
func AllMFAKinds() []MFAKind { return []MFAKind{MFATOTP, MFAPasskey, MFASMS} }

// MFAMethod is one registered second factor of a guest. It counts only once
// ConfirmedAt is set: a TOTP method is created unconfirmed when its secret
// is first shown and confirmed by its first code; a passkey or phone is
// created confirmed, once its ceremony or texted code has proven it.
type MFAMethod struct {
	ID       string
	TenantID string
	GuestID  string
	Kind     MFAKind
	Secret   []byte // sealed with Keys.Seal; never stored in the clear
	// LastStep is the newest TOTP time step used (a step works once) or,
	// for a passkey, the newest signature counter seen (UseTOTPStep: the
	// counter must grow, which is the same rule).
	LastStep    int64
	CreatedAt   time.Time
	ConfirmedAt time.Time
}

// MFAQueries store second factors and recovery codes.
type MFAQueries interface {
	// CreateMFAMethod returns ErrConflict for a second unconfirmed method
	// of the same guest: a guest has at most one pending registration.
	CreateMFAMethod(ctx context.Context, m *MFAMethod) error
	// ListMFAMethods lists a guest's methods, confirmed or not, oldest first.
	ListMFAMethods(ctx context.Context, tenantID, guestID string) ([]*MFAMethod, error)
	// ConfirmMFAMethod marks an unconfirmed method confirmed.
	ConfirmMFAMethod(ctx context.Context, tenantID, id string, at time.Time) error
	// UseTOTPStep records step as used on the method if and only if it is
	// newer than every step used before: of two racing callers with the
	// same code, exactly one gets true. Passkeys use it for their
	// signature counter.
	UseTOTPStep(ctx context.Context, tenantID, id string, step int64) (bool, error)
	// DeleteMFAMethods removes a guest's methods and recovery codes and
	// returns how many methods it removed.
	DeleteMFAMethods(ctx context.Context, tenantID, guestID string) (int, error)
	// DeleteMFAMethod removes one method of the guest; ErrNotFound when the
	// guest has no such method.
	DeleteMFAMethod(ctx context.Context, tenantID, guestID, id string) error

	// ReplaceRecoveryCodes replaces a guest's recovery codes with hashes.
	ReplaceRecoveryCodes(ctx context.Context, tenantID, guestID string, hashes [][]byte) error
	// UseRecoveryCode deletes the matching unused code; ok is false when
	// none matches. remaining counts the codes left afterwards.
	UseRecoveryCode(ctx context.Context, tenantID, guestID string, hash []byte) (ok bool, remaining int, err error)
	// CountRecoveryCodes counts a guest's unused recovery codes.
	CountRecoveryCodes(ctx context.Context, tenantID, guestID string) (int, error)
}

// PendingMFALifetime is how long an unconfirmed registration (a secret shown
// but never proven) is kept: as long as a sign-in may take. After it the
// next registration gets a new secret and PurgeExpired removes the row.
const PendingMFALifetime = time.Hour

// Pending reports whether the method is an unconfirmed registration.
func (m *MFAMethod) Pending() bool { return m.ConfirmedAt.IsZero() }

// Stale reports whether a pending registration has outlived
// PendingMFALifetime at now.
func (m *MFAMethod) Stale(now time.Time) bool {
	return m.Pending() && !now.Before(m.CreatedAt.Add(PendingMFALifetime))
}

// MFARequiredFor reports whether signing in to app (nil: to the tenant
// itself) needs a second factor: the tenant's setting, or the app's
// RequireMFA, which can only tighten it.
func (t *Tenant) MFARequiredFor(a *Application) bool {
	return t.Settings.RequireMFAForGuests || a != nil && a.RequireMFA
}

// HasMFA reports whether the session's sign-in proved a second factor. An
// app that requires one (Tenant.MFARequiredFor) must check it on every
// session it accepts, and send a session without it through sign-in again
// with the app named: the flow's app only decides what sign-in asks for.
func (s *Session) HasMFA() bool { return slices.Contains(s.AMR, "mfa") }
