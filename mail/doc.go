// Package mail renders GuestPass's emails (invitation, sign-in code, lock
// notice) in English and German, and delivers them: SMTP through
// github.com/wneessen/go-mail for real use, Console for development when no
// SMTP server is configured. Both implement guestpass.Mailer.
//
// SMTP classifies failures for the queue: a 5xx reply in the mail
// transaction, an invalid recipient, a header that would allow injection or
// a message that cannot be rendered wraps guestpass.ErrMailPermanent
// (retrying cannot help); everything else (4xx, connection refused,
// timeouts, TLS or AUTH trouble during session setup) is temporary, so the
// queue retries it after the operator or the remote side fixes it.
//
// It may import the root package, the standard library,
// github.com/wneessen/go-mail (with its smtp package, whose session a kept
// connection holds) and golang.org/x/text; never another package
// of this module (mail/smtptest serves only tests). deps_test.go enforces
// this.
package mail
