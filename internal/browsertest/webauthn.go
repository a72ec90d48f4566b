package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// Authenticator is a virtual WebAuthn authenticator of the tab (Chrome
// DevTools Protocol WebAuthn domain): navigator.credentials talks to it
// instead of a platform authenticator or a security key.
type Authenticator struct {
	b  *Browser
	ID webauthn.AuthenticatorID
}

// AddAuthenticator enables the WebAuthn domain and adds a CTAP2
// authenticator that holds discoverable credentials, verifies its user
// (as a fingerprint or PIN would) and confirms presence by itself.
func (b *Browser) AddAuthenticator(tb testing.TB) *Authenticator {
	tb.Helper()
	res, err := run(b, func(ctx context.Context, t *chromedp.Target) (webauthn.AddVirtualAuthenticatorResult, error) {
		if _, err := cdp.Call(ctx, t, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return webauthn.AddVirtualAuthenticatorResult{}, err
		}
		return cdp.Call(ctx, t, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol:                    webauthn.AuthenticatorProtocolCtap2,
				Ctap2version:                webauthn.Ctap2versionCtap21,
				Transport:                   webauthn.AuthenticatorTransportInternal,
				HasResidentKey:              true,
				HasUserVerification:         true,
				IsUserVerified:              true,
				AutomaticPresenceSimulation: true,
			},
		})
	})
	check(tb, err, "add virtual authenticator")
	return &Authenticator{b: b, ID: res.AuthenticatorID}
}

// Credentials returns what the authenticator holds.
func (a *Authenticator) Credentials(tb testing.TB) []*webauthn.Credential {
	tb.Helper()
	res, err := run(a.b, func(ctx context.Context, t *chromedp.Target) (webauthn.GetCredentialsResult, error) {
		return cdp.Call(ctx, t, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: a.ID})
	})
	check(tb, err, "get virtual credentials")
	return res.Credentials
}

// Remove takes the authenticator away (as unplugging a security key).
func (a *Authenticator) Remove(tb testing.TB) {
	tb.Helper()
	_, err := run(a.b, func(ctx context.Context, t *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, t, webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: a.ID})
	})
	check(tb, err, "remove virtual authenticator")
}
