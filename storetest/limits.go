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

func takeTokensTests() []test {
	takes := func(bursts ...int) []guestpass.TokenTake {
		var out []guestpass.TokenTake
		for i, b := range bursts {
			out = append(out, guestpass.TokenTake{Key: string(rune('a' + i)), Interval: time.Minute, Burst: b})
		}
		return out
	}
	type result struct {
		Refused   int
		Remaining []int
	}
	// The takes are tested through LockedUntilTakingTokens on a key never
	// locked, then with a lock in WithLock.
	takeAll := func(t *testing.T, s guestpass.Store, now time.Time, ts []guestpass.TokenTake) (int, []int, error) {
		t.Helper()
		until, refused, remaining, err := s.LockedUntilTakingTokens(t.Context(), "lock:none", now, ts)
		if !until.IsZero() {
			t.Fatalf("lock:none locked until %v", until)
		}
		return refused, remaining, err
	}
	mustTakeAll := func(t *testing.T, s guestpass.Store, now time.Time, ts []guestpass.TokenTake) result {
		t.Helper()
		refused, remaining, err := takeAll(t, s, now, ts)
		must(t, err)
		return result{refused, remaining}
	}
	return []test{
		{"TakesEachInOrder", func(t *testing.T, s guestpass.Store) {
			equal(t, result{3, []int{2, 0, 4}}, mustTakeAll(t, s, at(0), takes(3, 1, 5)))
			// Each bucket is the one TakeToken fills.
			equal(t, take{true, 1}, mustTake(t, s, "a", at(0), time.Minute, 3))
		}},
		{"StopsAtFirstRefusal", func(t *testing.T, s guestpass.Store) {
			mustTakeAll(t, s, at(0), takes(3, 1, 5))
			equal(t, result{1, []int{1}}, mustTakeAll(t, s, at(0), takes(3, 1, 5)))
			// c was not charged by the refused call: 4 left before, 3 after this take.
			equal(t, take{true, 3}, mustTake(t, s, "c", at(0), time.Minute, 5))
			// A full minute later b has refilled.
			equal(t, result{3, []int{1, 0, 3}}, mustTakeAll(t, s, at(time.Minute), takes(3, 1, 5)))
		}},
		{"ZeroBurstRefuses", func(t *testing.T, s guestpass.Store) {
			equal(t, result{0, []int{}}, mustTakeAll(t, s, at(0), takes(0, 3)))
			equal(t, take{true, 2}, mustTake(t, s, "b", at(0), time.Minute, 3))
		}},
		{"NoneIsNothing", func(t *testing.T, s guestpass.Store) {
			equal(t, result{0, []int{}}, mustTakeAll(t, s, at(0), nil))
		}},
		{"BadIntervalIsAnError", func(t *testing.T, s guestpass.Store) {
			if _, _, err := takeAll(t, s, at(0), []guestpass.TokenTake{{Key: "a", Burst: 1}}); err == nil {
				t.Fatal("interval 0 accepted")
			}
		}},
		{"WithLock", func(t *testing.T, s guestpass.Store) {
			must(t, s.SetLock(t.Context(), "lock:x", at(3*time.Hour)))
			type withLock struct {
				Until time.Time
				Takes result
			}
			call := func(lockKey string) withLock {
				t.Helper()
				until, refused, remaining, err := s.LockedUntilTakingTokens(t.Context(), lockKey, at(0), takes(2, 1))
				must(t, err)
				return withLock{until, result{refused, remaining}}
			}
			// The lock is LockedUntil's, and the takes are made whether
			// or not the key is locked.
			equal(t, withLock{at(3 * time.Hour), result{2, []int{1, 0}}}, call("lock:x"))
			equal(t, withLock{time.Time{}, result{1, []int{0}}}, call("lock:none"))
			equal(t, take{false, 0}, mustTake(t, s, "a", at(0), time.Minute, 2))
			if _, _, _, err := s.LockedUntilTakingTokens(t.Context(), "lock:x", at(0), []guestpass.TokenTake{{Key: "c", Burst: 1}}); err == nil {
				t.Fatal("interval 0 accepted")
			}
		}},
		{"ExactUnderRace", func(t *testing.T, s guestpass.Store) {
			// Two buckets in one call: 4 of the 20 calls pass both.
			ok := race(t, 20, func() (bool, error) {
				refused, _, err := takeAll(t, s, at(0), []guestpass.TokenTake{
					{Key: "wide", Interval: time.Minute, Burst: 10},
					{Key: "narrow", Interval: time.Minute, Burst: 4},
				})
				return refused == 2, err
			})
			if ok != 4 {
				t.Fatalf("%d calls passed both buckets, want 4", ok)
			}
			// wide was charged only by calls that reached it: all 20 tried
			// it, 10 passed.
			equal(t, take{false, 0}, mustTake(t, s, "wide", at(0), time.Minute, 10))
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
