package guestpass

import (
	"context"
	"slices"
	"time"
)

// MFAKind is a kind of second factor.
type MFAKind string

// MFATOTP is an authenticator app (RFC 6238). Passkeys and SMS are not
// implemented yet (docs/mfa.md).
const MFATOTP MFAKind = "totp"

// MFAMethod is one registered second factor of a guest. A method is created
// unconfirmed when registration starts and counts only once the guest has
// proven it with a first code (ConfirmedAt set).
type MFAMethod struct {
	ID          string
	TenantID    string
	GuestID     string
	Kind        MFAKind
	Secret      []byte // sealed with Keys.Seal; never stored in the clear
	LastStep    int64  // newest TOTP time step used: a step works once
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
	// same code, exactly one gets true.
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
