package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/postgres"
)

// member is one Update of a group test: its fn and how often it ran.
type member struct {
	ctx   context.Context
	fn    func(tx guestpass.Tx) error
	calls atomic.Int32
	err   error
	panic any
}

// runGroup makes the members' Updates join one group in the given order
// (every lane is held until all have joined) and waits for them all.
func runGroup(t *testing.T, s *postgres.Store, members ...*member) {
	t.Helper()
	release := s.HoldLanes()
	done := startInOrder(t, s, members)
	release()
	for range members {
		<-done
	}
}

// startInOrder starts the members' Updates one after another, each once
// the previous one has joined the forming group, while the caller holds
// every lane. done receives once per member that has returned.
func startInOrder(t *testing.T, s *postgres.Store, members []*member) (done <-chan struct{}) {
	t.Helper()
	ended := make(chan struct{}, len(members))
	for i, m := range members {
		if m.ctx == nil {
			m.ctx = t.Context()
		}
		go func() {
			defer func() {
				m.panic = recover()
				ended <- struct{}{}
			}()
			m.err = s.Update(m.ctx, func(tx guestpass.Tx) error {
				m.calls.Add(1)
				return m.fn(tx)
			})
		}()
		waitFor(t, func() bool { return s.Forming() == i+1 })
	}
	return ended
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

func createTenant(id string) func(tx guestpass.Tx) error {
	return func(tx guestpass.Tx) error {
		return tx.CreateTenant(context.Background(), &guestpass.Tenant{ID: id, DisplayName: id})
	}
}

// tenantsExist fails the test unless exactly the tenants want exist among
// ids.
func tenantsExist(t *testing.T, s *postgres.Store, ids []string, want ...string) {
	t.Helper()
	for _, id := range ids {
		_, err := s.GetTenant(t.Context(), id)
		exists := err == nil
		if !exists && !errors.Is(err, guestpass.ErrNotFound) {
			t.Fatalf("get tenant %s: %v", id, err)
		}
		wanted := false
		for _, w := range want {
			wanted = wanted || w == id
		}
		if exists != wanted {
			t.Errorf("tenant %s exists: %v, want %v", id, exists, wanted)
		}
	}
}

func TestGroupCommitsAsOneTransaction(t *testing.T) {
	s := mustOpen(t, newSchema(t))
	ids := []string{"g1", "g2", "g3", "g4"}
	var ms []*member
	for i, id := range ids {
		// Three rounds each: create, read back, and read the previous
		// member's tenant, which is there because members run in order.
		ms = append(ms, &member{fn: func(tx guestpass.Tx) error {
			if err := createTenant(id)(tx); err != nil {
				return err
			}
			if _, err := tx.GetTenant(context.Background(), id); err != nil {
				return err
			}
			if i > 0 {
				_, err := tx.GetTenant(context.Background(), ids[i-1])
				return err
			}
			return nil
		}})
	}
	runGroup(t, s, ms...)
	for i, m := range ms {
		if m.err != nil || m.calls.Load() != 1 {
			t.Errorf("member %d: %v after %d calls", i, m.err, m.calls.Load())
		}
	}
	tenantsExist(t, s, ids, ids...)
	if st := s.Stats(); st.GroupCommits != 1 || st.GroupedUpdates != int64(len(ids)) {
		t.Errorf("%d shared commits of %d updates, want 1 of %d", st.GroupCommits, st.GroupedUpdates, len(ids))
	}
}

// TestGroupMembersRunInOrder: a member sees the writes of those before it,
// so a limit holds inside a group as across transactions.
func TestGroupMembersRunInOrder(t *testing.T) {
	s := mustOpen(t, newSchema(t))
	now := time.Now()
	var ms []*member
	took := make([]bool, 4)
	for i := range took {
		ms = append(ms, &member{fn: func(tx guestpass.Tx) error {
			ok, _, err := tx.TakeToken(context.Background(), "k", now, time.Minute, 2)
			took[i] = ok
			return err
		}})
	}
	runGroup(t, s, ms...)
	for i, m := range ms {
		if m.err != nil {
			t.Fatalf("member %d: %v", i, m.err)
		}
	}
	if want := []bool{true, true, false, false}; !slices.Equal(took, want) {
		t.Errorf("took %v, want %v", took, want)
	}
	if ok, _, err := s.TakeToken(t.Context(), "k", now, time.Minute, 2); ok || err != nil {
		t.Errorf("take after the group: %v, %v; the group's takes were not kept", ok, err)
	}
}

// TestGroupFailureRunsAgain: one member's failure, its own error or a
// statement PostgreSQL refuses, costs the others nothing but a second run;
// the failing member's writes are not kept.
func TestGroupFailureRunsAgain(t *testing.T) {
	boom := errors.New("boom")
	cases := map[string]func(s *postgres.Store) (fn func(tx guestpass.Tx) error, want error){
		"FnError": func(*postgres.Store) (func(tx guestpass.Tx) error, error) {
			return func(tx guestpass.Tx) error {
				if err := createTenant("f2")(tx); err != nil {
					return err
				}
				return boom
			}, boom
		},
		"StatementError": func(s *postgres.Store) (func(tx guestpass.Tx) error, error) {
			if err := s.CreateTenant(context.Background(), &guestpass.Tenant{ID: "taken"}); err != nil {
				t.Fatal(err)
			}
			return func(tx guestpass.Tx) error {
				if err := createTenant("f2")(tx); err != nil {
					return err
				}
				return createTenant("taken")(tx)
			}, guestpass.ErrConflict
		},
	}
	for name, failing := range cases {
		t.Run(name, func(t *testing.T) {
			s := mustOpen(t, newSchema(t))
			fn, want := failing(s)
			ms := []*member{{fn: createTenant("f1")}, {fn: fn}, {fn: createTenant("f3")}}
			runGroup(t, s, ms...)
			if !errors.Is(ms[1].err, want) {
				t.Errorf("failing member: %v, want %v", ms[1].err, want)
			}
			for _, i := range []int{0, 2} {
				if ms[i].err != nil {
					t.Errorf("member %d: %v", i, ms[i].err)
				}
			}
			for i, m := range ms {
				if m.calls.Load() != 2 {
					t.Errorf("member %d ran %d times, want 2 (in the group, then again)", i, m.calls.Load())
				}
			}
			tenantsExist(t, s, []string{"f1", "f2", "f3"}, "f1", "f3")
			// The failing member ran again alone, the two others in a
			// group of their own.
			if got := s.Stats().RegroupedUpdates; got != 2 {
				t.Errorf("%d members ran again in a group, want 2", got)
			}
		})
	}
}

func TestGroupMemberPanics(t *testing.T) {
	s := mustOpen(t, newSchema(t))
	ms := []*member{{fn: createTenant("p1")}, {fn: func(guestpass.Tx) error { panic("member bug") }}, {fn: createTenant("p3")}}
	runGroup(t, s, ms...)
	if ms[1].panic != "member bug" {
		t.Errorf("panic %v did not reach the member's caller", ms[1].panic)
	}
	for _, i := range []int{0, 2} {
		if ms[i].err != nil || ms[i].panic != nil {
			t.Errorf("member %d: %v, panic %v", i, ms[i].err, ms[i].panic)
		}
	}
	tenantsExist(t, s, []string{"p1", "p3"}, "p1", "p3")
}

// TestGroupLeaderGivesUp: the leader's context ends while it waits for a
// lane; the members it gathered run alone instead.
func TestGroupLeaderGivesUp(t *testing.T) {
	s := mustOpen(t, newSchema(t))
	ctx, cancel := context.WithCancel(t.Context())
	ms := []*member{{ctx: ctx, fn: createTenant("l1")}, {ctx: t.Context(), fn: createTenant("l2")}, {ctx: t.Context(), fn: createTenant("l3")}}
	release := s.HoldLanes()
	done := startInOrder(t, s, ms)
	cancel()
	for range ms {
		<-done
	}
	release()
	if !errors.Is(ms[0].err, context.Canceled) || ms[0].calls.Load() != 0 {
		t.Errorf("leader: %v after %d calls", ms[0].err, ms[0].calls.Load())
	}
	for _, i := range []int{1, 2} {
		if ms[i].err != nil || ms[i].calls.Load() != 1 {
			t.Errorf("member %d: %v after %d calls", i, ms[i].err, ms[i].calls.Load())
		}
	}
	tenantsExist(t, s, []string{"l1", "l2", "l3"}, "l2", "l3")
}

// TestGroupsUnderLoad: many concurrent Updates through few lanes, each
// writing its own row, all commit exactly once.
func TestGroupsUnderLoad(t *testing.T) {
	s := mustOpen(t, newSchema(t))
	const n = 200
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- s.Update(t.Context(), func(tx guestpass.Tx) error {
				ok, _, err := tx.TakeToken(context.Background(), "load", time.Now(), time.Hour, n)
				if err == nil && !ok {
					err = errors.New("token refused")
				}
				if err != nil {
					return err
				}
				return createTenant("load" + strconv.Itoa(i))(tx)
			})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if ok, _, err := s.TakeToken(t.Context(), "load", time.Now(), time.Hour, n); ok || err != nil {
		t.Errorf("a %dth take: %v, %v; some take ran twice or was lost", n+1, ok, err)
	}
	for i := range n {
		if _, err := s.GetTenant(t.Context(), "load"+strconv.Itoa(i)); err != nil {
			t.Fatalf("tenant %d: %v", i, err)
		}
	}
	t.Logf("%d shared commits for %d updates", s.Stats().GroupCommits, n)
}
