package guestpass

import (
	"context"
	"time"
)

// SigningKey is one OIDC token signing key as stored: the private key
// (PKCS #8 DER) sealed under the service's secret key, so a copy of the
// database alone cannot forge tokens. Every node reads the same keys.
type SigningKey struct {
	ID  string
	Alg string // "RS256" or "ES256"
	// Generation numbers the keys of one algorithm; (Alg, Generation) is
	// unique, so two nodes generating at once agree on one key.
	Generation int
	Sealed     []byte
	// ActiveFrom is when the key may start signing: a rotated-in key is
	// published in JWKS before any node signs with it.
	ActiveFrom time.Time
	// RetiredAt is when the key stops signing (zero: not retired). It stays
	// in JWKS until its tokens have expired (SigningKeyRetention).
	RetiredAt time.Time
	CreatedAt time.Time
}

// OIDCAuthRequest is an authorization request between /authorize and the
// code exchange. Once the guest has signed in it records the session it
// was granted from; once the code is issued, the code's hash.
type OIDCAuthRequest struct {
	ID                  string
	TenantID            string
	ClientID            string
	RedirectURI         string
	Scopes              []string
	State               string
	Nonce               string
	ResponseType        string
	ResponseMode        string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              []string
	MaxAge              int64 // seconds; -1 when not asked
	LoginHint           string

	SessionID string
	GuestID   string
	AuthTime  time.Time
	AMR       []string
	IDP       string
	Done      bool
	CodeHash  []byte
	// CodeUsedAt is when the code was exchanged (zero: not yet). The
	// request is kept until it expires so that a second use is recognized
	// (and revokes the tokens of the first); its ID names that grant.
	CodeUsedAt time.Time

	CreatedAt time.Time
	// ExpiresAt bounds the request: the sign-in window before a code is
	// issued, the code's lifetime after.
	ExpiresAt time.Time
}

// OIDCRefreshToken is a refresh token (only its SHA-256 is stored), bound
// to the guest session it came from: it dies with the session.
type OIDCRefreshToken struct {
	TokenHash []byte
	TenantID  string
	ClientID  string
	SessionID string
	// GrantID is the authorization request the token descends from, kept
	// through rotations: a replay of that request's code revokes it.
	GrantID   string
	GuestID   string
	Scopes    []string
	AMR       []string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
}

// OIDCQueries persist the OpenID provider's state.
type OIDCQueries interface {
	// CreateSigningKey returns ErrConflict when a key of that algorithm and
	// generation exists.
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// ListSigningKeys returns every stored key, oldest generation first.
	ListSigningKeys(ctx context.Context) ([]*SigningKey, error)
	// RetireSigningKey sets a key's RetiredAt unless it is already set.
	RetireSigningKey(ctx context.Context, id string, at time.Time) error
	DeleteSigningKey(ctx context.Context, id string) error

	CreateOIDCAuthRequest(ctx context.Context, r *OIDCAuthRequest) error
	GetOIDCAuthRequest(ctx context.Context, id string) (*OIDCAuthRequest, error)
	// UpdateOIDCAuthRequest saves the sign-in outcome (session, guest,
	// auth time, amr, idp, done), the code hash and the expiry.
	UpdateOIDCAuthRequest(ctx context.Context, r *OIDCAuthRequest) error
	// DeleteOIDCAuthRequest deletes a request whose code has not been used
	// (ErrNotFound otherwise): a used code's request stays until it
	// expires, so that a replay is recognized.
	DeleteOIDCAuthRequest(ctx context.Context, id string) error
	// ConsumeOIDCCode marks the code hashing to codeHash used at `at` and
	// returns its request. ErrNotFound when no request has that code;
	// ErrConflict, with the request, when the code was used before: of
	// two racing exchanges of one code exactly one gets a nil error.
	ConsumeOIDCCode(ctx context.Context, codeHash []byte, at time.Time) (*OIDCAuthRequest, error)
	// DeleteOIDCGrantRefreshTokens deletes the tenant's refresh tokens of
	// one grant and returns how many there were.
	DeleteOIDCGrantRefreshTokens(ctx context.Context, tenantID, grantID string) (int, error)
	// RevokeSessionGrant adds grantID to the session's RevokedGrants
	// (once, atomically against concurrent additions); ErrNotFound when
	// the tenant has no session with public handle sessionID.
	RevokeSessionGrant(ctx context.Context, tenantID, sessionID, grantID string) error

	CreateOIDCRefreshToken(ctx context.Context, t *OIDCRefreshToken) error
	GetOIDCRefreshToken(ctx context.Context, tokenHash []byte) (*OIDCRefreshToken, error)
	// DeleteOIDCRefreshToken returns ErrNotFound when the token is gone
	// (already rotated or revoked): of two racing refreshes, one wins.
	DeleteOIDCRefreshToken(ctx context.Context, tokenHash []byte) error
}
