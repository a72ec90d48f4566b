// Package oauth2proxytest runs a prebuilt oauth2-proxy
// (github.com/oauth2-proxy/oauth2-proxy/v7) for a test, with a GuestPass
// tenant as its OIDC provider, in front of an upstream app. Nothing is
// downloaded or built at test time: the binary comes from
// $GUESTPASS_TEST_OAUTH2_PROXY or PATH, and the test skips, saying how to
// build it, when there is none (.ci/run builds it).
//
// It may import only the standard library.
package oauth2proxytest
