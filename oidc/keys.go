package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// signingKey adapts a ServerKey for op.
type signingKey struct{ k *guestpass.ServerKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm {
	return jose.SignatureAlgorithm(k.k.Alg)
}
func (k signingKey) Key() any   { return k.k.Signer }
func (k signingKey) ID() string { return k.k.ID }

// publicKey is a published verification key.
type publicKey struct{ k guestpass.ServerKey }

func (k publicKey) ID() string                         { return k.k.ID }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.SignatureAlgorithm(k.k.Alg) }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any {
	switch p := k.k.Signer.Public().(type) {
	case *rsa.PublicKey:
		return p
	case *ecdsa.PublicKey:
		return p
	}
	return nil
}

// SigningKey signs with the client's id_token_signed_response_alg:
// RS256 unless the app chose ES256.
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	alg := guestpass.AlgRS256
	if ra := requestAppOf(ctx); ra != nil && ra.app != nil && ra.app.IDTokenAlg == guestpass.AlgES256 {
		alg = guestpass.AlgES256
	}
	k, err := s.svc.CurrentSigningKey(ctx, alg)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return signingKey{k}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256, jose.ES256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.svc.SigningKeys(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	out := make([]op.Key, 0, len(keys))
	for _, k := range keys {
		out = append(out, publicKey{k})
	}
	return out, nil
}
