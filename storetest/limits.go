package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

type take struct {
	OK        bool
	Remaining int
}

func mustTake(tb testing.TB, s guestpass.Store, key string, now time.Time, interval time.Duration, burst int) take {
	tb.Helper()
	ok, remaining, err := s.TakeToken(tb.Context(), key, now, interval, burst)
	must(tb, err)
	return take{ok, remaining}
}

func tokenTests() []test {
	return []test{
		{"BurstThenLimited", func(t *testing.T, s guestpass.Store) {
			var got []take
			for range 4 {
				got = append(got, mustTake(t, s, "k", at(0), time.Minute, 3))
			}
			equal(t, []take{{true, 2}, {true, 1}, {true, 0}, {false, 0}}, got)
		}},
		{"RefillsOnePerInterval", func(t *testing.T, s guestpass.Store) {
			for range 3 {
				mustTake(t, s, "k", at(0), time.Minute, 3)
			}
			equal(t, take{false, 0}, mustTake(t, s, "k", at(59*time.Second), time.Minute, 3))
			equal(t, take{true, 0}, mustTake(t, s, "k", at(time.Minute), time.Minute, 3))
			equal(t, take{true, 1}, mustTake(t, s, "k", at(3*time.Minute), time.Minute, 3))
			equal(t, take{true, 2}, mustTake(t, s, "k", at(time.Hour), time.Minute, 3))
		}},
		{"KeysAreIndependent", func(t *testing.T, s guestpass.Store) {
			mustTake(t, s, "a", at(0), time.Minute, 1)
			equal(t, take{false, 0}, mustTake(t, s, "a", at(0), time.Minute, 1))
			equal(t, take{true, 0}, mustTake(t, s, "b", at(0), time.Minute, 1))
		}},
		{"ZeroBurstRefuses", func(t *testing.T, s guestpass.Store) {
			equal(t, take{false, 0}, mustTake(t, s, "k", at(0), time.Minute, 0))
		}},
		{"ExactUnderRace", func(t *testing.T, s guestpass.Store) {
			ok := race(t, 20, func() (bool, error) {
				ok, _, err := s.TakeToken(t.Context(), "k", at(0), time.Minute, 5)
				return ok, err
			})
			if ok != 5 {
				t.Fatalf("%d tokens taken, want 5", ok)
			}
		}},
		{"ReturnGivesOneBack", func(t *testing.T, s guestpass.Store) {
			for range 2 {
				mustTake(t, s, "k", at(0), time.Minute, 2)
			}
			must(t, s.ReturnToken(t.Context(), "k", time.Minute))
			equal(t, take{true, 0}, mustTake(t, s, "k", at(0), time.Minute, 2))
			equal(t, take{false, 0}, mustTake(t, s, "k", at(0), time.Minute, 2))
		}},
		{"ReturnUnknownKeyDoesNothing", func(t *testing.T, s guestpass.Store) {
			must(t, s.ReturnToken(t.Context(), "never-taken", time.Minute))
			equal(t, take{true, 1}, mustTake(t, s, "never-taken", at(0), time.Minute, 2))
		}},
	}
}

func lockTests() []test {
	return []test{
		{"UnknownKeyIsUnlocked", func(t *testing.T, s guestpass.Store) {
			until, err := s.LockedUntil(t.Context(), "k")
			must(t, err)
			if !until.IsZero() {
				t.Fatalf("locked until %v", until)
			}
		}},
		{"SetReplacesAndZeroUnlocks", func(t *testing.T, s guestpass.Store) {
			for _, want := range []time.Time{at(time.Hour), at(time.Minute), {}} {
				must(t, s.SetLock(t.Context(), "k", want))
				got, err := s.LockedUntil(t.Context(), "k")
				must(t, err)
				if !got.Equal(want) {
					t.Fatalf("locked until %v, want %v", got, want)
				}
			}
		}},
	}
}
