// Package softauthn is a software WebAuthn authenticator for tests: it
// answers navigator.credentials-style options (the JSON a relying party
// sends) with the JSON a browser would post back, using P-256 keys, "none"
// attestation and a signature counter, so passkey ceremonies can be tested
// without a browser, including answers a real authenticator would never
// give (another origin, a counter that goes back, a foreign credential).
//
// It is imported only by _test.go files. It may import only the standard
// library: it is a second, independent implementation of the client side,
// so it must not share code with the adapter it tests.
package softauthn
