package guestpass

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Signing algorithms of the OpenID provider. RS256 is the one every client
// must support and signs ID tokens; ES256 is published beside it.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
)

const (
	// SigningKeyActivation is how long a rotated-in key is published before
	// it signs: longer than any node caches the key set, so no client sees
	// a token signed by a key its JWKS copy does not have.
	SigningKeyActivation = 2 * time.Minute
	// SigningKeyRetention keeps a retired key in JWKS: longer than the
	// longest session (every token dies with its session), plus a margin.
	SigningKeyRetention = 25 * time.Hour
	signingKeyCacheTTL  = time.Minute
)

// ServerKey is a decrypted signing key.
type ServerKey struct {
	ID         string
	Alg        string
	Signer     crypto.Signer
	ActiveFrom time.Time
	RetiredAt  time.Time
}

// Signs reports whether the key may sign at now.
func (k *ServerKey) Signs(now time.Time) bool {
	return !now.Before(k.ActiveFrom) && (k.RetiredAt.IsZero() || now.Before(k.RetiredAt))
}

// Published reports whether the key belongs in JWKS at now.
func (k *ServerKey) Published(now time.Time) bool {
	return k.RetiredAt.IsZero() || now.Before(k.RetiredAt.Add(SigningKeyRetention))
}

type keyCache struct {
	mu     sync.Mutex
	keys   []ServerKey
	loaded time.Time
}

// OIDCTokenKey is the AES-256 key the OpenID provider encrypts its opaque
// access tokens and codes with; derived from the root key, so every node
// has it and the database does not.
func (k *Keys) OIDCTokenKey() [32]byte { return k.oidcToken }

// SigningKeys returns every published key (ensuring on first use that an
// RS256 and an ES256 key exist), cached for a minute.
func (s *Service) SigningKeys(ctx context.Context) ([]ServerKey, error) {
	now := s.clock.Now()
	s.signing.mu.Lock()
	defer s.signing.mu.Unlock()
	if s.signing.keys != nil && now.Sub(s.signing.loaded) < signingKeyCacheTTL && !now.Before(s.signing.loaded) {
		return s.signing.keys, nil
	}
	keys, err := s.loadSigningKeys(ctx, true)
	if err != nil {
		return nil, err
	}
	s.signing.keys, s.signing.loaded = keys, now
	return keys, nil
}

// CurrentSigningKey is the newest key of alg that may sign now.
func (s *Service) CurrentSigningKey(ctx context.Context, alg string) (*ServerKey, error) {
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].Alg == alg && keys[i].Signs(now) {
			return &keys[i], nil
		}
	}
	return nil, Errorf(KindInternal, "no_signing_key", "no %s signing key is active", alg)
}

func (s *Service) loadSigningKeys(ctx context.Context, ensure bool) ([]ServerKey, error) {
	stored, err := s.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, internal("list signing keys", err)
	}
	if ensure {
		created := false
		for _, alg := range []string{AlgRS256, AlgES256} {
			if !hasAlg(stored, alg) {
				if err := s.createSigningKey(ctx, alg, 1, s.clock.Now()); err != nil && !errors.Is(err, ErrConflict) {
					return nil, err
				}
				created = true
			}
		}
		if created { // another node may have won the race: read what is stored
			if stored, err = s.store.ListSigningKeys(ctx); err != nil {
				return nil, internal("list signing keys", err)
			}
		}
	}
	now := s.clock.Now()
	out := make([]ServerKey, 0, len(stored))
	for _, k := range stored {
		sk, err := s.openSigningKey(k)
		if err != nil {
			return nil, err
		}
		if sk.Published(now) {
			out = append(out, *sk)
		}
	}
	return out, nil
}

func hasAlg(keys []*SigningKey, alg string) bool {
	for _, k := range keys {
		if k.Alg == alg {
			return true
		}
	}
	return false
}

func (s *Service) createSigningKey(ctx context.Context, alg string, gen int, activeFrom time.Time) error {
	var priv crypto.Signer
	var err error
	switch alg {
	case AlgRS256:
		priv, err = rsa.GenerateKey(s.rand, 2048)
	case AlgES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), s.rand)
	default:
		return fmt.Errorf("unknown signing algorithm %q", alg)
	}
	if err != nil {
		return internal("generate signing key", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return internal("encode signing key", err)
	}
	id, err := s.newID()
	if err != nil {
		return err
	}
	sealed, err := s.keys.Seal(der, []byte("oidc-signing-key:"+id))
	if err != nil {
		return internal("seal signing key", err)
	}
	k := &SigningKey{ID: id, Alg: alg, Generation: gen, Sealed: sealed, ActiveFrom: activeFrom, CreatedAt: s.clock.Now()}
	if err := s.store.CreateSigningKey(ctx, k); err != nil {
		if errors.Is(err, ErrConflict) {
			return ErrConflict
		}
		return internal("create signing key", err)
	}
	return nil
}

func (s *Service) openSigningKey(k *SigningKey) (*ServerKey, error) {
	der, err := s.keys.Open(k.Sealed, []byte("oidc-signing-key:"+k.ID))
	if err != nil {
		return nil, internal("open signing key "+k.ID+" (is this the secret key it was sealed with?)", err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, internal("parse signing key", err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, internal("parse signing key", fmt.Errorf("%T is no signer", priv))
	}
	return &ServerKey{ID: k.ID, Alg: k.Alg, Signer: signer, ActiveFrom: k.ActiveFrom, RetiredAt: k.RetiredAt}, nil
}

// RotateSigningKeys adds a new RS256 and ES256 key that sign from
// SigningKeyActivation on, retires the current ones at that moment, and
// deletes keys retired longer than SigningKeyRetention ago. It returns the
// keys as stored afterwards.
func (s *Service) RotateSigningKeys(ctx context.Context) ([]*SigningKey, error) {
	stored, err := s.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, internal("list signing keys", err)
	}
	now := s.clock.Now()
	switchAt := now.Add(SigningKeyActivation)
	for _, alg := range []string{AlgRS256, AlgES256} {
		gen := 0
		for _, k := range stored {
			if k.Alg == alg {
				gen = max(gen, k.Generation)
			}
		}
		if err := s.createSigningKey(ctx, alg, gen+1, switchAt); err != nil {
			return nil, err
		}
	}
	for _, k := range stored {
		switch {
		case k.RetiredAt.IsZero():
			if err := s.store.RetireSigningKey(ctx, k.ID, switchAt); err != nil {
				return nil, internal("retire signing key", err)
			}
		case now.After(k.RetiredAt.Add(SigningKeyRetention)):
			if err := s.store.DeleteSigningKey(ctx, k.ID); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, internal("delete signing key", err)
			}
		}
	}
	s.signing.mu.Lock()
	s.signing.keys = nil
	s.signing.mu.Unlock()
	out, err := s.store.ListSigningKeys(ctx)
	return out, internal("list signing keys", err)
}
