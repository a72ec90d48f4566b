// Package passkey adapts github.com/go-webauthn/webauthn to
// guestpass.Passkeys: WebAuthn registration and assertion for GuestPass's
// one relying party, whose RP ID is the base URL's host and whose only
// origin is the base URL. It holds no state: ceremony state and credential
// records go back to the service as opaque JSON, which keeps them sealed
// in its store.
//
// It may import the root package, go-webauthn and the standard library;
// never another package of this module.
package passkey
