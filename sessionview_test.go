package guestpass

import (
	"fmt"
	"testing"
	"time"
)

func viewEntry(tenant, guest, id string) *ActiveSession {
	return &ActiveSession{Session: &Session{TokenHash: []byte("hash-" + id), ID: id, TenantID: tenant, GuestID: guest},
		Guest: &Guest{ID: guest, TenantID: tenant}, Tenant: &Tenant{ID: tenant}}
}

func freshView(max int) *sessionView {
	v := newSessionView(max, time.Hour)
	v.markFresh()
	return v
}

func TestSessionViewApply(t *testing.T) {
	cases := []struct {
		name   string
		change Change
		gone   []string
	}{
		{"SessionDropsOnlyIt", Change{Kind: ChangeSession, TenantID: "t1", SessionID: "a1"}, []string{"a1"}},
		{"GuestDropsAllItsSessions", Change{Kind: ChangeGuest, TenantID: "t1", GuestID: "g1"}, []string{"a1", "a2"}},
		{"GuestOfAnotherTenantDropsNothing", Change{Kind: ChangeGuest, TenantID: "t2", GuestID: "g1"}, nil},
		{"TenantDropsItsSessions", Change{Kind: ChangeTenant, TenantID: "t1"}, []string{"a1", "a2", "b1"}},
		{"AppsDropNothing", Change{Kind: ChangeApps, TenantID: "t1"}, nil},
		{"UnknownKindDropsEverything", Change{Kind: "future", TenantID: "t1"}, []string{"a1", "a2", "b1", "c1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := freshView(100)
			for _, e := range []*ActiveSession{viewEntry("t1", "g1", "a1"), viewEntry("t1", "g1", "a2"),
				viewEntry("t1", "g2", "b1"), viewEntry("t2", "g3", "c1")} {
				v.put(e, v.generation())
			}
			v.apply(tc.change)
			for _, id := range []string{"a1", "a2", "b1", "c1"} {
				gone := v.get([]byte("hash-"+id)) == nil
				want := false
				for _, g := range tc.gone {
					want = want || g == id
				}
				if gone != want {
					t.Errorf("session %s: gone %v, want %v", id, gone, want)
				}
				if (v.getByID(id) == nil) != want {
					t.Errorf("session %s by id: gone mismatch", id)
				}
			}
		})
	}
}

func TestSessionViewLoadRacingInvalidationIsNotCached(t *testing.T) {
	v := freshView(100)
	gen := v.generation() // a loader starts reading the database
	v.apply(Change{Kind: ChangeGuest, TenantID: "t1", GuestID: "g1"})
	v.put(viewEntry("t1", "g1", "a1"), gen) // ...and finishes after the revocation
	if v.get([]byte("hash-a1")) != nil {
		t.Fatal("a load that raced a revocation was cached")
	}
}

func TestSessionViewServesNothingWhenStale(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := newSessionView(100, time.Second)
	v.now = func() time.Time { return now }
	v.put(viewEntry("t1", "g1", "a1"), v.generation())
	if v.get([]byte("hash-a1")) != nil {
		t.Fatal("served before the feed was ever read")
	}
	v.markFresh()
	if v.get([]byte("hash-a1")) == nil {
		t.Fatal("fresh view missed")
	}
	now = now.Add(time.Second)
	if v.get([]byte("hash-a1")) != nil || v.getByID("a1") != nil {
		t.Fatal("served after a second without reading the feed")
	}
	v.markFresh()
	v.markStale()
	if v.get([]byte("hash-a1")) != nil {
		t.Fatal("served after a failed poll")
	}
}

func TestSessionViewStaysBounded(t *testing.T) {
	v := freshView(50)
	for i := range 500 {
		v.put(viewEntry("t1", fmt.Sprint("g", i%7), fmt.Sprint("s", i)), v.generation())
	}
	if n := v.size(); n > 50 {
		t.Fatalf("view holds %d sessions, bound 50", n)
	}
	for gk, keys := range v.byGuest {
		for _, k := range keys {
			if _, ok := v.byHash[k]; !ok {
				t.Fatalf("guest index %s names evicted %q", gk, k)
			}
		}
	}
	if len(v.byID) != v.size() {
		t.Fatalf("id index %d entries, view %d", len(v.byID), v.size())
	}
	v.reset()
	if v.size() != 0 || len(v.byGuest) != 0 || len(v.byID) != 0 {
		t.Fatal("reset left entries")
	}
}
