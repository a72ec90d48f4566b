// Package smtptest runs a real SMTP server on 127.0.0.1 inside a test, built
// on github.com/emersion/go-smtp, and records what it receives: for this
// module's mail tests and for end-to-end tests of the wired server.
//
// By default the server speaks plain SMTP without TLS (WithSTARTTLS and
// WithImplicitTLS add a throwaway self-signed certificate) and needs no
// authentication, though it accepts AUTH PLAIN with any credentials and
// records the user name. Tests can make it refuse recipients and data with a
// chosen reply code (SetFailure) and simulate an outage by stopping and
// restarting it on the same port (Stop, Restart).
//
// It may import the standard library, github.com/emersion/go-smtp and
// github.com/emersion/go-sasl; nothing of this module.
package smtptest
