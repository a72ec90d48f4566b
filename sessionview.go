package guestpass

import (
	"sync"
	"sync/atomic"
	"time"
)

// ActiveSession is a snapshot the session view serves: the session with its
// guest and tenant as they were loaded. It is shared between requests, so
// nothing it points to may be modified.
type ActiveSession struct {
	Session *Session
	Guest   *Guest
	Tenant  *Tenant
}

// sessionView is this node's in-memory copy of the sessions in use, so that
// the per-request session check (pages, forward auth, OIDC userinfo) costs
// no database round trip. It is correct only while the change feed is read:
// an entry is served only if the last successful poll is younger than
// staleAfter, so a node that cannot read the feed falls back to the
// database (and fails closed with it) instead of trusting old state.
type sessionView struct {
	mu      sync.RWMutex
	byHash  map[string]*ActiveSession // key: string(token hash)
	byID    map[string]string         // session id -> byHash key
	byGuest map[string][]string       // tenant/guest -> byHash keys
	byProxy map[string]string         // string(proxy token hash) -> byHash key
	max     int

	// gen counts invalidations. A loader reads it before going to the
	// database and caches its result only if it has not moved, so a load
	// racing a revocation never re-inserts what the revocation removed.
	gen        atomic.Uint64
	freshUntil atomic.Int64 // wall-clock unix nanos; 0: never fresh
	staleAfter time.Duration
	now        func() time.Time // wall clock: freshness is about real polls
}

func newSessionView(max int, staleAfter time.Duration) *sessionView {
	return &sessionView{byHash: map[string]*ActiveSession{}, byID: map[string]string{},
		byGuest: map[string][]string{}, byProxy: map[string]string{}, max: max, staleAfter: staleAfter, now: time.Now}
}

func guestKey(tenantID, guestID string) string { return tenantID + "/" + guestID }

// markFresh records a successful read of the feed.
func (v *sessionView) markFresh() {
	v.freshUntil.Store(v.now().Add(v.staleAfter).UnixNano())
}

// fresh reports whether the feed was read recently enough to serve from
// memory (the session view and the proxy host index alike).
func (v *sessionView) fresh() bool { return v.now().UnixNano() < v.freshUntil.Load() }

// markStale stops serving from memory until the next successful poll.
func (v *sessionView) markStale() { v.freshUntil.Store(0) }

// get returns the cached entry for a token hash, or nil on a miss or when
// the view is not fresh.
func (v *sessionView) get(hash []byte) *ActiveSession {
	if !v.fresh() {
		return nil
	}
	v.mu.RLock()
	e := v.byHash[string(hash)]
	v.mu.RUnlock()
	return e
}

// getByProxy is get by the hash of the session's forward-auth token.
func (v *sessionView) getByProxy(hash []byte) *ActiveSession {
	if !v.fresh() {
		return nil
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.byHash[v.byProxy[string(hash)]]
}

// getByID is get by the session's public handle.
func (v *sessionView) getByID(id string) *ActiveSession {
	if !v.fresh() {
		return nil
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.byHash[v.byID[id]]
}

// generation is read by a loader before its database reads.
func (v *sessionView) generation() uint64 { return v.gen.Load() }

// put caches e unless an invalidation happened since gen was read.
func (v *sessionView) put(e *ActiveSession, gen uint64) {
	key := string(e.Session.TokenHash)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.gen.Load() != gen {
		return
	}
	if _, ok := v.byHash[key]; !ok && len(v.byHash) >= v.max {
		v.evictLocked(v.max / 10)
	}
	v.byHash[key] = e
	v.byID[e.Session.ID] = key
	if len(e.Session.ProxyTokenHash) > 0 {
		v.byProxy[string(e.Session.ProxyTokenHash)] = key
	}
	gk := guestKey(e.Session.TenantID, e.Session.GuestID)
	v.byGuest[gk] = append(v.byGuest[gk], key)
}

// evictLocked drops about n entries; map order is random enough for a
// cache whose misses only cost a query.
func (v *sessionView) evictLocked(n int) {
	for key := range v.byHash {
		if n <= 0 {
			return
		}
		v.removeLocked(key)
		n--
	}
}

func (v *sessionView) removeLocked(key string) {
	e, ok := v.byHash[key]
	if !ok {
		return
	}
	delete(v.byHash, key)
	delete(v.byID, e.Session.ID)
	delete(v.byProxy, string(e.Session.ProxyTokenHash))
	gk := guestKey(e.Session.TenantID, e.Session.GuestID)
	keys := v.byGuest[gk]
	for i, k := range keys {
		if k == key {
			keys = append(keys[:i], keys[i+1:]...)
			break
		}
	}
	if len(keys) == 0 {
		delete(v.byGuest, gk)
	} else {
		v.byGuest[gk] = keys
	}
}

// apply drops what c makes stale.
func (v *sessionView) apply(c Change) {
	if c.Kind == ChangeApps {
		return // sessions do not depend on applications
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen.Add(1)
	switch c.Kind {
	case ChangeSession:
		if key, ok := v.byID[c.SessionID]; ok {
			v.removeLocked(key)
		}
	case ChangeGuest:
		for _, key := range append([]string(nil), v.byGuest[guestKey(c.TenantID, c.GuestID)]...) {
			v.removeLocked(key)
		}
	default: // ChangeTenant, and kinds this build does not know: drop more, not less
		for key, e := range v.byHash {
			if c.Kind != ChangeTenant || e.Session.TenantID == c.TenantID {
				v.removeLocked(key)
			}
		}
	}
}

// reset empties the view (after a gap in the feed).
func (v *sessionView) reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen.Add(1)
	clear(v.byHash)
	clear(v.byID)
	clear(v.byGuest)
	clear(v.byProxy)
}

// size is the number of cached sessions.
func (v *sessionView) size() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.byHash)
}
