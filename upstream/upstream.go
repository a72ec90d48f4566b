package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/guestpass/guestpass"
	"golang.org/x/oauth2"
)

// discoveryTTL is how long a provider's discovery document is reused for
// sign-ins; saving a provider always fetches it anew.
const discoveryTTL = time.Hour

// Options configure a Client.
type Options struct {
	// HTTPClient makes every upstream request; the default has a 10 s
	// timeout, so a hung provider cannot hold a guest's request forever.
	HTTPClient *http.Client
}

// Client implements guestpass.Upstream.
type Client struct {
	http *http.Client

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	p       *oidc.Provider
	fetched time.Time
}

var _ guestpass.Upstream = (*Client)(nil)

// New returns a Client.
func New(o Options) *Client {
	c := &Client{http: o.HTTPClient, cache: map[string]cached{}}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	return c
}

func invalidIssuer(format string, args ...any) error {
	return guestpass.Errorf(guestpass.KindInvalid, "invalid_issuer", format, args...)
}

// metadata is the part of the discovery document GuestPass depends on
// beyond what go-oidc reads.
type metadata struct {
	ResponseTypes   []string `json:"response_types_supported"`
	ChallengeMethod []string `json:"code_challenge_methods_supported"`
	JWKS            string   `json:"jwks_uri"`
}

// Discover fetches and checks the discovery document, and caches it.
func (c *Client) Discover(ctx context.Context, issuer string) error {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.http), issuer)
	var mismatch *oidc.IssuerMismatchError
	switch {
	case errors.As(err, &mismatch):
		return invalidIssuer("the discovery document of %s names the issuer %q: the issuer must match exactly", issuer, mismatch.Discovered)
	case err != nil:
		return invalidIssuer("the discovery document of %s could not be fetched: %v", issuer, err)
	}
	var m metadata
	if err := p.Claims(&m); err != nil {
		return invalidIssuer("the discovery document of %s is not valid JSON: %v", issuer, err)
	}
	switch ep := p.Endpoint(); {
	case ep.AuthURL == "" || ep.TokenURL == "" || m.JWKS == "":
		return invalidIssuer("the discovery document of %s lacks authorization_endpoint, token_endpoint or jwks_uri", issuer)
	case len(m.ResponseTypes) > 0 && !slices.Contains(m.ResponseTypes, "code"):
		return invalidIssuer("%s does not support the authorization code flow (response_types_supported)", issuer)
	case len(m.ChallengeMethod) > 0 && !slices.Contains(m.ChallengeMethod, "S256"):
		return invalidIssuer("%s does not support PKCE with S256 (code_challenge_methods_supported)", issuer)
	}
	c.mu.Lock()
	c.cache[issuer] = cached{p: p, fetched: time.Now()}
	c.mu.Unlock()
	return nil
}

// provider returns the cached provider, fetching it when stale.
func (c *Client) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	e, ok := c.cache[issuer]
	c.mu.Unlock()
	if ok && time.Since(e.fetched) < discoveryTTL {
		return e.p, nil
	}
	if err := c.Discover(ctx, issuer); err != nil {
		return nil, guestpass.Errorf(guestpass.KindUnavailable, "upstream_unavailable", "the identity provider %s cannot be reached", issuer).Wrap(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cache[issuer].p, nil
}

func (c *Client) config(p *oidc.Provider, uc guestpass.UpstreamClient) *oauth2.Config {
	ep := p.Endpoint()
	if uc.ClientSecret == "" {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{ClientID: uc.ClientID, ClientSecret: uc.ClientSecret, Endpoint: ep,
		RedirectURL: uc.RedirectURI, Scopes: uc.Scopes}
}

// AuthCodeURL builds the authorization request.
func (c *Client) AuthCodeURL(ctx context.Context, uc guestpass.UpstreamClient, state, nonce, verifier, loginHint string) (string, error) {
	p, err := c.provider(ctx, uc.Issuer)
	if err != nil {
		return "", err
	}
	return c.config(p, uc).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("login_hint", loginHint)), nil
}

func refused(code, format string, args ...any) *guestpass.Error {
	return guestpass.Errorf(guestpass.KindForbidden, code, format, args...)
}

// Exchange redeems the code and verifies the ID token.
func (c *Client) Exchange(ctx context.Context, uc guestpass.UpstreamClient, code, verifier string, now time.Time) (*guestpass.UpstreamIdentity, error) {
	p, err := c.provider(ctx, uc.Issuer)
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http)
	conf := c.config(p, uc)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, refused("upstream_token", "The identity provider did not accept the sign-in. Start again.").Wrap(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, refused("invalid_id_token", "The identity provider sent no ID token.")
	}
	v := p.Verifier(&oidc.Config{ClientID: uc.ClientID, Now: func() time.Time { return now }})
	idt, err := v.Verify(oidc.ClientContext(ctx, c.http), raw)
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return nil, refused("id_token_expired", "The identity provider's answer has expired. Start again.").Wrap(err)
	}
	if err != nil {
		return nil, refused("invalid_id_token", "The identity provider's ID token could not be verified.").Wrap(err)
	}
	id, err := identity(idt)
	if err != nil {
		return nil, err
	}
	if id.Email == "" || !id.EmailVerified {
		if err := c.fromUserInfo(ctx, p, conf.TokenSource(ctx, tok), id); err != nil {
			return nil, err
		}
	}
	return id, nil
}

// The claims GuestPass reads, by their exact names: encoding/json matches
// struct fields case-insensitively, which would let "Email_Verified" (any
// claim an upstream lets users or other software set) stand in for
// email_verified.
const (
	claimEmail         = "email"
	claimEmailVerified = "email_verified" // raw: some providers send the string "true"
	claimAMR           = "amr"
)

func identity(idt *oidc.IDToken) (*guestpass.UpstreamIdentity, error) {
	var raw json.RawMessage
	if err := idt.Claims(&raw); err != nil {
		return nil, refused("invalid_id_token", "The identity provider's ID token has malformed claims.").Wrap(err)
	}
	id, err := parseClaims(raw)
	if err != nil {
		return nil, err
	}
	id.Issuer, id.Subject, id.Nonce = idt.Issuer, idt.Subject, idt.Nonce
	return id, nil
}

// parseClaims reads the claims GuestPass uses from an ID token's payload
// (already verified, but written by the upstream: outside input).
func parseClaims(raw []byte) (*guestpass.UpstreamIdentity, error) {
	malformed := func(err error) error {
		return refused("invalid_id_token", "The identity provider's ID token has malformed claims.").Wrap(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, malformed(err)
	}
	id := &guestpass.UpstreamIdentity{EmailVerified: truthy(m[claimEmailVerified])}
	if v, ok := m[claimEmail]; ok {
		if err := json.Unmarshal(v, &id.Email); err != nil {
			return nil, malformed(err)
		}
	}
	if v, ok := m[claimAMR]; ok {
		if err := json.Unmarshal(v, &id.AMR); err != nil {
			return nil, malformed(err)
		}
	}
	return id, nil
}

func truthy(raw json.RawMessage) bool {
	s := strings.Trim(string(raw), `"`)
	return s == "true"
}

// fromUserInfo completes email and email_verified from the UserInfo
// endpoint, for providers that keep them out of the ID token. The subject
// must be the ID token's (OpenID Connect Core §5.3.2).
func (c *Client) fromUserInfo(ctx context.Context, p *oidc.Provider, ts oauth2.TokenSource, id *guestpass.UpstreamIdentity) error {
	if p.UserInfoEndpoint() == "" {
		return nil
	}
	ui, err := p.UserInfo(oidc.ClientContext(ctx, c.http), ts)
	if err != nil {
		return refused("upstream_userinfo", "The identity provider did not say which address you signed in with.").Wrap(err)
	}
	if ui.Subject != id.Subject {
		return refused("upstream_userinfo", "The identity provider answered for another user.").Wrap(fmt.Errorf("userinfo sub %q, id token sub %q", ui.Subject, id.Subject))
	}
	var raw json.RawMessage
	if err := ui.Claims(&raw); err != nil {
		return refused("upstream_userinfo", "The identity provider did not say which address you signed in with.").Wrap(err)
	}
	got, err := parseClaims(raw)
	if err != nil {
		return err
	}
	id.Email, id.EmailVerified = got.Email, got.EmailVerified
	return nil
}
