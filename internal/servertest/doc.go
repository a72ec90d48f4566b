// Package servertest runs the real service on a fresh SQLite database
// behind the real HTTP handler on 127.0.0.1 (named localhost on request,
// for passkeys), for tests of the admin API, the guest pages, the OpenID
// provider and the CLI. It is the one place that wires these for tests
// (cmd/guestpass's own tests use the Main type instead).
//
// It may import the root package, the adapters it wires (sqlite, mail,
// web, oidc, upstream, passkey), the other internal test helpers and the
// standard library; only tests import it.
package servertest
