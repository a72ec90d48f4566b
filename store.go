package guestpass

import (
	"context"
	"time"
)

// Store is the persistence contract. Implementations (sqlite, postgres) hold
// no policy: limits, lockout and enumeration safety live in Service, once.
//
// Every method takes ctx down to the query. Lookups return ErrNotFound
// (possibly wrapped) when nothing matches; creates return ErrConflict on a
// uniqueness violation; a lost database returns ErrUnavailable.
type Store interface {
	Queries

	// Update runs fn in one read-write transaction. Mail jobs enqueued through
	// the Tx commit or roll back with the business rows. fn may be retried by
	// the store on serialization failures, so it must not have side effects
	// outside tx.
	Update(ctx context.Context, fn func(tx Tx) error) error

	// Ping reports whether the database answers (readiness).
	Ping(ctx context.Context) error

	Close() error
}

// Tx is a read-write transaction.
type Tx interface {
	Queries
	// EnqueueMail inserts a delivery job in this transaction.
	EnqueueMail(ctx context.Context, job MailJob) error
}

// Queries are the single-statement operations, usable inside and outside a
// transaction. Each is atomic on its own.
type Queries interface {
	ApplicationQueries
	IdentityProviderQueries
	ChangeQueries
	MFAQueries
	MFAChallengeQueries
	OIDCQueries

	CreateTenant(ctx context.Context, t *Tenant) error
	// GetTenant returns ErrNotFound for an unknown id.
	GetTenant(ctx context.Context, id string) (*Tenant, error)
	UpdateTenant(ctx context.Context, t *Tenant) error
	ListTenants(ctx context.Context, p Page) ([]*Tenant, string, error)

	// CreateGuest returns ErrConflict when the tenant already has a guest
	// with that address.
	CreateGuest(ctx context.Context, g *Guest) error
	GetGuest(ctx context.Context, tenantID, id string) (*Guest, error)
	GetGuestByMail(ctx context.Context, tenantID, mail string) (*Guest, error)
	UpdateGuest(ctx context.Context, g *Guest) error
	// DeleteGuest removes the guest, its invitations and its sessions.
	DeleteGuest(ctx context.Context, tenantID, id string) error
	// ListGuests lists a tenant's guests, filtered by state when state != "".
	ListGuests(ctx context.Context, tenantID string, state GuestState, p Page) ([]*Guest, string, error)

	CreateInvitation(ctx context.Context, inv *Invitation) error
	GetInvitation(ctx context.Context, tenantID, id string) (*Invitation, error)
	GetInvitationByTicket(ctx context.Context, tenantID string, ticketHash []byte) (*Invitation, error)
	// AddressState reads, in one go, what decides whether an address may get
	// a code. It does the same work whether or not the address is a guest.
	AddressState(ctx context.Context, tenantID, mail, lockKey string) (*AddressState, error)
	// AddressStateTakingTokens is AddressState and then the takes (see
	// TokenTake), in one round trip where the store can make it one: a code
	// send needs both before it decides anything, and on PostgreSQL each
	// round trip inside its transaction holds a connection. The takes do
	// not depend on the state read; a caller that must not keep them gives
	// them back (ReturnToken) or rolls back.
	AddressStateTakingTokens(ctx context.Context, tenantID, mail, lockKey string, now time.Time, takes []TokenTake) (st *AddressState, refused int, remaining []int, err error)
	// LatestInvitation returns the guest's newest invitation.
	LatestInvitation(ctx context.Context, tenantID, guestID string) (*Invitation, error)
	UpdateInvitation(ctx context.Context, inv *Invitation) error
	ListInvitations(ctx context.Context, tenantID string, p Page) ([]*Invitation, string, error)
	// SetMailDelivery records the outcome of mail job mailID on the
	// invitation, unless a newer mail has replaced it (then it does nothing).
	SetMailDelivery(ctx context.Context, tenantID, invitationID, mailID string, state DeliveryState, reason string, at time.Time) error

	CreateFlow(ctx context.Context, f *Flow) error
	// GetFlow returns ErrNotFound for an unknown or expired-and-purged flow.
	GetFlow(ctx context.Context, idHash []byte) (*Flow, error)
	UpdateFlow(ctx context.Context, f *Flow) error
	DeleteFlow(ctx context.Context, idHash []byte) error
	// CountCodeAttempt atomically adds one attempt to the flow's pending code
	// and returns the flow as it is after the increment, with the guest of
	// the flow's address in its tenant (nil when none), if and only if a
	// code is pending with fewer than maxAttempts attempts; otherwise it
	// returns ErrNotFound and changes nothing. Inside Update the flow stays
	// locked until the transaction ends, so no other caller can spend the
	// code in between.
	CountCodeAttempt(ctx context.Context, idHash []byte, maxAttempts int) (*Flow, *Guest, error)
	// SpendCode clears the flow's pending code and moves the flow to state.
	// It belongs in the Update that counted the guess: CountCodeAttempt
	// locked the flow and returned its MAC, so no one else can spend the
	// code in between and the store may send the write with COMMIT. If the
	// flow's MAC is not mac after all, the transaction fails with
	// ErrConflict, at the latest when it commits.
	SpendCode(ctx context.Context, idHash, mac []byte, state FlowState, guestID string) error

	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, tokenHash []byte) (*Session, error)
	// GetSessionByProxyToken finds a session by its ProxyTokenHash, or
	// returns ErrNotFound.
	GetSessionByProxyToken(ctx context.Context, proxyTokenHash []byte) (*Session, error)
	// RevokeSession marks one session revoked at `at`.
	RevokeSession(ctx context.Context, tokenHash []byte, at time.Time) error
	// RevokeGuestSessions revokes every live session of a guest and returns
	// how many it revoked.
	RevokeGuestSessions(ctx context.Context, tenantID, guestID string, at time.Time) (int, error)

	// TakeToken is a GCRA rate limiter on key: each call consumes one token
	// of a bucket holding burst tokens that refills one per interval. It
	// returns false, and changes nothing, when the bucket is empty; remaining
	// is the number of tokens left after this call.
	TakeToken(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (ok bool, remaining int, err error)
	// ReturnToken gives one token back (for budgets reserved before an
	// outcome is known).
	ReturnToken(ctx context.Context, key string, interval time.Duration) error
	// SetLock locks key until `until`; LockedUntil returns the zero time
	// when key is not locked.
	SetLock(ctx context.Context, key string, until time.Time) error
	LockedUntil(ctx context.Context, key string) (time.Time, error)
	// LockedUntilTakingTokens is LockedUntil(lockKey) and then the takes
	// (see TokenTake), in one round trip where the store can make it
	// one: a guess at a code needs both before it decides anything. As in
	// AddressStateTakingTokens, the takes do not depend on the lock; a
	// caller that must not keep them gives them back or rolls back.
	LockedUntilTakingTokens(ctx context.Context, lockKey string, now time.Time, takes []TokenTake) (until time.Time, refused int, remaining []int, err error)

	AppendAudit(ctx context.Context, e *AuditEvent) error
	// ListAudit lists a tenant's events newest first, filtered by type when
	// typ != "".
	ListAudit(ctx context.Context, tenantID string, typ AuditType, p Page) ([]*AuditEvent, string, error)

	CreateAdminToken(ctx context.Context, t *AdminToken) error
	GetAdminToken(ctx context.Context, hash []byte) (*AdminToken, error)

	// PurgeExpired deletes flows, sessions, MFA challenges, OIDC requests
	// and refresh tokens, and limiter rows dead before
	// `before`; it returns how many rows it removed.
	PurgeExpired(ctx context.Context, before time.Time) (int, error)
}

// MailHandler delivers one queued mail job. The queue retries when it
// returns an error (with backoff) and calls it for the last time with
// attempt == maxAttempts.
type MailHandler interface {
	HandleMail(ctx context.Context, job MailJob, attempt, maxAttempts int) error
}

// MailQueue is implemented by stores that run the delivery workers of their
// queue; Service.Start hands them the handler.
type MailQueue interface {
	StartMailQueue(ctx context.Context, h MailHandler) error
	StopMailQueue(ctx context.Context) error
}

// Mailer renders and sends one message (SMTP, or the dev console).
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}

// TokenTake names one bucket of a call that takes tokens
// (AddressStateTakingTokens, LockedUntilTakingTokens). The call takes one
// token from each bucket in order, as TakeToken, and stops at the first
// that is empty: refused is its index (len(takes) when every take
// succeeded), and remaining holds the tokens left after each successful
// take. Buckets after a refusal are not touched.
type TokenTake struct {
	Key      string
	Interval time.Duration
	Burst    int
}

// AddressState is what AddressState reads.
type AddressState struct {
	Guest *Guest // nil when the address is no guest of the tenant
	// InvitationExpiresAt is when the guest's newest invitation expires;
	// zero without a guest or invitation.
	InvitationExpiresAt time.Time
	LockedUntil         time.Time // the lock on lockKey, zero when none
}
