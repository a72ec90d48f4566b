// Package guestpass is the domain of GuestPass: tenants, guests, invitations,
// sign-in flows, one-time codes, sessions and audit events, the policy that
// governs them (limits, lockout, enumeration-safe answers), and the small
// interfaces the adapters implement (Store, Mailer, TextSender, Clock).
//
// It may import only the standard library and golang.org/x/{net,text,crypto}.
// It never imports net/http, database/sql or any subpackage of this module:
// adapters depend on it, not the other way round (enforced by deps_test.go).
package guestpass
