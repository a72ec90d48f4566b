// Package testop runs a real OpenID provider in tests: the example OP
// shipped in github.com/zitadel/oidc/v3 (its pkg/op server with the
// example's in-memory storage and login page), on 127.0.0.1:0, with the
// users and the client a test names. Federation tests sign in there as a
// guest's own organization would.
//
// It may import the root package, the standard library and
// github.com/zitadel/oidc/v3 (example/server and pkg); tests only.
package testop
