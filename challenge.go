package guestpass

import (
	"context"
	"encoding/hex"
	"time"
)

// ChallengeKind names what an MFAChallenge waits for.
type ChallengeKind string

const (
	// ChallengePasskeyCreate and ChallengePasskeyGet hold the state of a
	// WebAuthn registration or assertion between its options and its answer.
	ChallengePasskeyCreate ChallengeKind = "passkey.create"
	ChallengePasskeyGet    ChallengeKind = "passkey.get"
	// ChallengeSMS is a code texted to a phone: to register the number, or
	// to sign in with an SMS method already registered.
	ChallengeSMS ChallengeKind = "sms"
)

// MFAChallenge is a second-factor ceremony in progress, kept server-side
// and bound to one sign-in flow or one session (Binding): the browser
// holds nothing but its cookie. A challenge is single use (taken or
// consumed by the answer) and expires; a new one of the same kind and
// binding replaces the old.
type MFAChallenge struct {
	Binding  string // flowBinding or sessionBinding
	Kind     ChallengeKind
	TenantID string
	GuestID  string
	// MethodID is the SMS method a sign-in code went to; empty while a
	// number is being registered, and for passkeys.
	MethodID string
	// State is sealed (Keys.Seal, bound by challengeAD): the WebAuthn
	// ceremony state, or for SMS the phone number the code went to.
	State []byte
	// CodeMAC is an SMS code's HMAC (Keys.CodeMAC); nil for passkeys.
	CodeMAC   []byte
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// MFAChallengeQueries store challenges. Expired rows are removed by
// PurgeExpired; the service checks expiry itself with its clock.
type MFAChallengeQueries interface {
	// PutMFAChallenge stores c, replacing any challenge of the same binding
	// and kind: a new code or ceremony voids the previous one.
	PutMFAChallenge(ctx context.Context, c *MFAChallenge) error
	// GetMFAChallenge reads a challenge without changing it (for pages),
	// or returns ErrNotFound.
	GetMFAChallenge(ctx context.Context, binding string, kind ChallengeKind) (*MFAChallenge, error)
	// TakeMFAChallenge deletes and returns the challenge: of two racing
	// callers exactly one gets it, the other ErrNotFound.
	TakeMFAChallenge(ctx context.Context, binding string, kind ChallengeKind) (*MFAChallenge, error)
	// CountMFAChallengeAttempt adds one attempt and returns the challenge
	// as it is afterwards, if and only if it has fewer than maxAttempts;
	// otherwise it returns ErrNotFound and changes nothing.
	CountMFAChallengeAttempt(ctx context.Context, binding string, kind ChallengeKind, maxAttempts int) (*MFAChallenge, error)
	// ConsumeMFAChallenge deletes the challenge if and only if its CodeMAC
	// is still mac: exactly one of two racing callers gets true.
	ConsumeMFAChallenge(ctx context.Context, binding string, kind ChallengeKind, mac []byte) (bool, error)
}

// flowBinding binds a challenge to a sign-in flow (the browser's flow
// cookie), sessionBinding to a session (the security page).
func flowBinding(f *Flow) string          { return "flow:" + hex.EncodeToString(f.IDHash) }
func sessionBinding(sess *Session) string { return "session:" + sess.ID }

// challengeAD binds a challenge's sealed state to its binding, kind and
// guest, so that state copied onto another row does not open.
func challengeAD(c *MFAChallenge) []byte {
	return []byte("challenge:" + c.TenantID + ":" + c.GuestID + ":" + c.Binding + ":" + string(c.Kind))
}

// sealChallenge seals plain into c.State.
func (s *Service) sealChallenge(c *MFAChallenge, plain []byte) error {
	sealed, err := s.keys.Seal(plain, challengeAD(c))
	if err != nil {
		return internal("seal challenge", err)
	}
	c.State = sealed
	return nil
}

func (s *Service) openChallenge(c *MFAChallenge) ([]byte, error) {
	plain, err := s.keys.Open(c.State, challengeAD(c))
	if err != nil {
		return nil, internal("open challenge", err)
	}
	return plain, nil
}

// live reports whether c may still be answered at now by guest g of t.
func (c *MFAChallenge) live(t *Tenant, g *Guest, now time.Time) bool {
	return c.TenantID == t.ID && c.GuestID == g.ID && now.Before(c.ExpiresAt)
}
