package guestpass

import (
	"context"
	"slices"
	"testing"
)

// feedStore serves a scripted change feed; every other Store method is
// absent (nil embedded interface), which the feed must not need.
type feedStore struct {
	Store
	rows []Change
}

func (f *feedStore) ChangesSince(_ context.Context, after int64, limit int) ([]Change, error) {
	var out []Change
	for _, c := range f.rows {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func newFeedService(t *testing.T, st *feedStore) (*Service, *[]int64) {
	t.Helper()
	keys, _ := NewKeys(make([]byte, 32))
	s, err := NewService(Config{Store: st, Keys: keys, BaseURL: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int64
	s.OnChange(func(c Change) { seen = append(seen, c.Seq) })
	return s, &seen
}

func TestFeedCatchesLateCommits(t *testing.T) {
	st := &feedStore{rows: []Change{{Seq: 1, Kind: ChangeApps}, {Seq: 3, Kind: ChangeApps}}}
	s, seen := newFeedService(t, st)
	f := &changeFeed{seen: map[int64]struct{}{}}
	if err := s.pollFeed(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	// Seq 2 was taken before 3 but committed after it was read (PostgreSQL
	// sequences are not commit-ordered).
	st.rows = []Change{{Seq: 1, Kind: ChangeApps}, {Seq: 2, Kind: ChangeApps}, {Seq: 3, Kind: ChangeApps}, {Seq: 4, Kind: ChangeApps}}
	if err := s.pollFeed(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, 3, 2, 4}; !slices.Equal(*seen, want) {
		t.Fatalf("listener saw %v, want %v (each once)", *seen, want)
	}
}

func TestFeedResetsAfterPurgedGap(t *testing.T) {
	st := &feedStore{rows: []Change{{Seq: 7, Kind: ChangeApps}}}
	s, _ := newFeedService(t, st)
	f := &changeFeed{last: 0, seen: map[int64]struct{}{}}
	if err := s.pollFeed(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	s.view.markFresh()
	s.view.put(viewEntry("t1", "g1", "a1"), s.view.generation())
	// The node was away: row 7 and whatever followed it were purged.
	st.rows = []Change{{Seq: 5000, Kind: ChangeApps}}
	if err := s.pollFeed(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	if s.view.size() != 0 {
		t.Fatal("view kept sessions across a gap in the feed")
	}
	if f.last != 5000 {
		t.Fatalf("feed at %d, want 5000", f.last)
	}
}

func TestFeedReadsPastOneBatch(t *testing.T) {
	st := &feedStore{}
	for i := range int64(feedBatch*2 + 5) {
		st.rows = append(st.rows, Change{Seq: i + 1, Kind: ChangeApps})
	}
	s, seen := newFeedService(t, st)
	f := &changeFeed{seen: map[int64]struct{}{}}
	if err := s.pollFeed(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	if len(*seen) != len(st.rows) || f.last != int64(len(st.rows)) {
		t.Fatalf("applied %d of %d changes, last %d", len(*seen), len(st.rows), f.last)
	}
	if len(f.seen) > feedOverlap {
		t.Fatalf("remembers %d seqs, bound %d", len(f.seen), feedOverlap)
	}
}
