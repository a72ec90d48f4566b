// Package oathtool runs Debian's oathtool (oath-toolkit) in tests: an
// implementation of RFC 6238 independent of ours, so a code it produces
// and ours accepts proves interoperability, not agreement with ourselves.
// It imports only the standard library.
package oathtool
