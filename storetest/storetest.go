package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/guestpass/guestpass"
)

// MailJobCounter is implemented by stores that can count their queued mail
// jobs by queue state ("available", "completed", ...). Run uses it, when
// present, to check that mail commits and rolls back with its transaction.
type MailJobCounter interface {
	MailJobCounts(ctx context.Context) (map[string]int, error)
}

type test struct {
	name string
	run  func(t *testing.T, s guestpass.Store)
}

// Run runs the suite. newStore returns an empty store and registers its
// own cleanup (t.Cleanup); it is called once per behaviour.
func Run(t *testing.T, newStore func(t *testing.T) guestpass.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Tenants", tenantTests()},
		{"Guests", guestTests()},
		{"Invitations", invitationTests()},
		{"Flows", flowTests()},
		{"Codes", codeTests()},
		{"Sessions", sessionTests()},
		{"TakeToken", tokenTests()},
		{"TakeTokens", takeTokensTests()},
		{"Locks", lockTests()},
		{"Audit", auditTests()},
		{"AdminTokens", adminTokenTests()},
		{"Applications", appTests()},
		{"IdentityProviders", idpTests()},
		{"PurgeExpired", purgeTests()},
		{"Update", updateTests()},
		{"Changes", changeTests()},
		{"MFA", mfaTests()},
		{"MFAChallenges", challengeTests()},
		{"OIDC", oidcTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
			}
		})
	}
}

// at is a fixture time d after the suite's "now", with microsecond
// precision.
func at(d time.Duration) time.Time {
	return time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC).Add(d)
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func wantErr(tb testing.TB, err, target error) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Fatalf("error %v, want %v", err, target)
	}
}

func wantKind(tb testing.TB, err error, kind guestpass.ErrorKind) {
	tb.Helper()
	if got := guestpass.KindOf(err); err == nil || got != kind {
		tb.Fatalf("error %v (kind %q), want kind %q", err, got, kind)
	}
}

// equal compares stored and expected values; stores may return nil or
// empty for an empty list.
func equal(tb testing.TB, want, got any) {
	tb.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		tb.Fatalf("mismatch (-want +got):\n%s", diff)
	}
}

func newID(tb testing.TB) string {
	tb.Helper()
	id, err := guestpass.NewID(rand.Reader)
	must(tb, err)
	return id
}

func randomHash(tb testing.TB) []byte {
	tb.Helper()
	tok, err := guestpass.NewToken(rand.Reader)
	must(tb, err)
	return guestpass.HashToken(tok)
}

// pages follows a list's cursors with the given page size and returns every
// item and the size of each page.
func pages[T any](tb testing.TB, limit int, list func(guestpass.Page) ([]T, string, error)) ([]T, []int) {
	tb.Helper()
	var all []T
	var sizes []int
	p := guestpass.Page{Limit: limit}
	for range 1000 {
		items, next, err := list(p)
		must(tb, err)
		all = append(all, items...)
		sizes = append(sizes, len(items))
		if next == "" {
			return all, sizes
		}
		p.After = next
	}
	tb.Fatal("list never ends")
	return nil, nil
}

// ids returns the IDs of items, for comparing list order.
func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = id(v)
	}
	return out
}
