package guestpass_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

// countingStore counts the session reads that reach the database.
type countingStore struct {
	guestpass.Store
	guestpass.MailQueue // the wrapped store's, so mail is still delivered
	sessionReads        atomic.Int64
}

func (c *countingStore) GetSession(ctx context.Context, hash []byte) (*guestpass.Session, error) {
	c.sessionReads.Add(1)
	return c.Store.GetSession(ctx, hash)
}

func TestSessionCheckHitsMemory(t *testing.T) {
	var counted *countingStore
	e := newEnvOn(t, func(st guestpass.Store) guestpass.Store {
		counted = &countingStore{Store: st, MailQueue: st.(guestpass.MailQueue)}
		return counted
	})
	e.invite(t, "jo@fabrikam.com")
	token := e.signedIn(t, "jo@fabrikam.com", 1)
	for range 100 {
		if !e.sessionLive(t, token) {
			t.Fatal("live session refused")
		}
	}
	if n := counted.sessionReads.Load(); n != 1 {
		t.Fatalf("100 checks read the session from the database %d times, want 1", n)
	}
	// The node that revokes drops its own copy at once, before any poll.
	if err := e.svc.SignOut(t.Context(), e.tenant.ID, token, client); err != nil {
		t.Fatal(err)
	}
	if e.sessionLive(t, token) {
		t.Fatal("signed-out session still served from memory")
	}
	t.Run("ExpiryNeedsNoChange", func(t *testing.T) {
		e.clock.Advance(31 * time.Minute)
		token := e.signedIn(t, "jo@fabrikam.com", 2)
		if !e.sessionLive(t, token) {
			t.Fatal("live session refused")
		}
		e.clock.Advance(24 * time.Hour)
		if e.sessionLive(t, token) {
			t.Fatal("cached session outlived its 24 hours")
		}
	})
}

// TestRevocationReachesEveryNode runs two services on one database: what
// node A revokes, node B (which holds the session in memory) refuses
// within a second.
func TestRevocationReachesEveryNode(t *testing.T) {
	path, clock, mailer := cluster(t)
	a := newNode(t, path, clock, mailer, nil)
	b := newNode(t, path, clock, mailer, nil)
	testRevocationReachesEveryNode(t, a, b, clock)
}

// testRevocationReachesEveryNode revokes on a, in every way there is, a
// session b holds in memory and checks that b refuses it within a second.
func testRevocationReachesEveryNode(t *testing.T, a, b *env, clock *guestpass.FakeClock) {
	var err error
	if a.tenant, err = a.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	b.tenant = a.tenant
	op := mustOperator(t, a)
	off, on := false, true
	disabled, enabled := guestpass.EmailOTPDisabled, guestpass.EmailOTPDefault
	actions := []struct {
		name   string
		revoke func(t *testing.T, guestID, token string)
	}{
		{"RevokeSignInSessions", func(t *testing.T, guestID, _ string) {
			if _, err := a.svc.RevokeGuestSessions(t.Context(), op, a.tenant.ID, guestID); err != nil {
				t.Fatal(err)
			}
		}},
		{"SignOut", func(t *testing.T, _, token string) {
			if err := a.svc.SignOut(t.Context(), a.tenant.ID, token, client); err != nil {
				t.Fatal(err)
			}
		}},
		{"DisableGuest", func(t *testing.T, guestID, _ string) {
			if _, err := a.svc.UpdateGuest(t.Context(), op, a.tenant.ID, guestID, &guestpass.GuestPatch{Enabled: &off}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_, _ = a.svc.UpdateGuest(context.Background(), op, a.tenant.ID, guestID, &guestpass.GuestPatch{Enabled: &on})
			})
		}},
		{"TenantSwitchesCodesOff", func(t *testing.T, _, _ string) {
			if _, err := a.svc.UpdateTenant(t.Context(), op, a.tenant.ID, &guestpass.TenantPatch{EmailOTP: &disabled}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_, _ = a.svc.UpdateTenant(context.Background(), op, a.tenant.ID, &guestpass.TenantPatch{EmailOTP: &enabled})
			})
		}},
		{"DeleteGuest", func(t *testing.T, guestID, _ string) {
			if err := a.svc.DeleteGuest(t.Context(), op, a.tenant.ID, guestID); err != nil {
				t.Fatal(err)
			}
		}},
	}
	var latencies []time.Duration
	sent := 0
	for _, act := range actions {
		t.Run(act.name, func(t *testing.T) {
			guest := a.invite(t, "jo@fabrikam.com").Guest
			clock.Advance(31 * time.Minute) // past the hourly send budget's refill
			sent++
			token := a.signedIn(t, "jo@fabrikam.com", sent)
			// B may still hold the previous action's undoing (codes back
			// on) as stale for up to one poll.
			for start := time.Now(); !b.sessionLive(t, token); time.Sleep(time.Millisecond) {
				if time.Since(start) > time.Second {
					t.Fatal("node B refused a live session")
				}
			}
			act.revoke(t, guest.ID, token)
			latencies = append(latencies, refusedWithin(t, b, token, time.Second))
		})
	}
	slices.Sort(latencies)
	if len(latencies) > 0 {
		t.Logf("revocation reached node B after %v (median) to %v (slowest) of %d", latencies[len(latencies)/2], latencies[len(latencies)-1], len(latencies))
	}
}

// refusedWithin polls node n until it refuses token and fails the test if a
// check that began more than bound after the revocation still let it in.
func refusedWithin(t *testing.T, n *env, token string, bound time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		began := time.Since(start)
		if !n.sessionLive(t, token) {
			return began
		}
		if began > bound {
			t.Fatalf("a check %v after the revocation still accepted the session", began)
		}
		time.Sleep(time.Millisecond) // the resolution of the measurement
	}
}
