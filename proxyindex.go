package guestpass

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
)

// ProxyTarget is an application with its assigned guests as a set, as the
// in-memory index holds it: the proxy application serving one host, as
// forward auth sees it, or an OpenID client (OIDCClient). It is shared
// between requests: nothing it points to may be modified.
type ProxyTarget struct {
	App *Application
	// assigned holds App.AssignedGuestIDs as a set; nil for allGuests.
	assigned map[string]struct{}
}

func newProxyTarget(a *Application) *ProxyTarget {
	t := &ProxyTarget{App: a}
	if a.Assignment != AssignAll {
		t.assigned = make(map[string]struct{}, len(a.AssignedGuestIDs))
		for _, id := range a.AssignedGuestIDs {
			t.assigned[id] = struct{}{}
		}
	}
	return t
}

// Allows reports whether the guest may use the app, without a database
// read. An app that is not allGuests allows only its listed guests.
func (t *ProxyTarget) Allows(guestID string) bool {
	if t.App.Assignment == AssignAll {
		return true
	}
	_, ok := t.assigned[guestID]
	return ok
}

// hostTable maps the hosts of every proxy app to its target, and the client
// IDs of every OIDC app to the app. Wildcards are keyed by what follows
// "*." so that a lookup only slices the request host and never builds a
// string.
type hostTable struct {
	exact   map[string]*ProxyTarget // "wiki.example.com", "wiki.example.com:8443"
	wild    map[string]*ProxyTarget // "docs.example.com" for "*.docs.example.com"
	clients map[string]*ProxyTarget // OIDC client ID (the app ID, unique across tenants)
}

func newHostTable(apps []*Application) *hostTable {
	t := &hostTable{exact: map[string]*ProxyTarget{}, wild: map[string]*ProxyTarget{}, clients: map[string]*ProxyTarget{}}
	for _, a := range apps {
		if a.Type == AppOIDC {
			t.clients[a.ID] = newProxyTarget(a)
		}
		if a.Type != AppProxy {
			continue
		}
		pt := newProxyTarget(a)
		for _, h := range a.Hosts {
			if rest, ok := strings.CutPrefix(h, "*."); ok {
				t.wild[rest] = pt
			} else {
				t.exact[h] = pt
			}
		}
	}
	return t
}

// lookup tries, most specific first, what HostCandidates lists: the host
// as given, without its port, then the one-level wildcards with and
// without the port. host must be lower case.
func (t *hostTable) lookup(host string) *ProxyTarget {
	if pt := t.exact[host]; pt != nil {
		return pt
	}
	name, port := host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		name, port = host[:i], host[i:]
		if pt := t.exact[name]; pt != nil {
			return pt
		}
	}
	dot := strings.IndexByte(name, '.')
	if dot < 0 || !strings.Contains(name[dot+1:], ".") {
		return nil
	}
	if port != "" {
		// name[dot+1:] followed by port is host[dot+1:].
		if pt := t.wild[host[dot+1:]]; pt != nil {
			return pt
		}
	}
	return t.wild[name[dot+1:]]
}

// proxyIndex is this node's in-memory host table, so that forward auth
// (and the OpenID provider's userinfo) costs no database round trip. A change of any tenant's applications
// (ChangeApps, from this node or through the feed) drops the table; the
// next lookup rebuilds it from the store. Like the session view it is used
// only while the change feed is fresh.
type proxyIndex struct {
	cur     atomic.Pointer[hostTable]
	gen     atomic.Uint64
	loading sync.Mutex // one rebuild at a time
}

// invalidate drops the table. A rebuild that read the store before this
// call does not install its result (see load).
func (x *proxyIndex) invalidate() {
	x.gen.Add(1)
	x.cur.Store(nil)
}

// table returns the current table, rebuilding it from the store if it was
// dropped.
func (x *proxyIndex) table(ctx context.Context, st Store) (*hostTable, error) {
	if t := x.cur.Load(); t != nil {
		return t, nil
	}
	x.loading.Lock()
	defer x.loading.Unlock()
	if t := x.cur.Load(); t != nil {
		return t, nil
	}
	gen := x.gen.Load()
	apps, err := st.IndexedApplications(ctx)
	if err != nil {
		return nil, err
	}
	t := newHostTable(apps)
	// Install t unless an invalidation came in since gen was read. If one
	// lands between the check and the swap, its Store(nil) follows the
	// swap: either way an invalidated table does not stay installed.
	if x.cur.CompareAndSwap(nil, t) && x.gen.Load() != gen {
		x.cur.CompareAndSwap(t, nil)
	}
	return t, nil
}

// apply drops the table when c may have changed hosts or assignments.
func (x *proxyIndex) apply(c Change) {
	switch c.Kind {
	case ChangeSession, ChangeGuest:
		// Sessions and guests do not change which host is whose; a deleted
		// guest's sessions are gone, so a stale assignment admits no one.
	default: // ChangeApps, ChangeTenant (rare), and kinds this build does not know
		x.invalidate()
	}
}

// requestHost lower-cases a request's host and accepts only what a stored
// host pattern can match: letters, digits, '-' and '.', at most 253 of
// them, and an optional port 1-65535 without leading zeros. It allocates
// only when it has upper case to fold.
func requestHost(h string) (string, bool) {
	name, port := h, ""
	if i := strings.IndexByte(h, ':'); i >= 0 {
		name, port = h[:i], h[i+1:]
		if len(port) == 0 || len(port) > 5 || port[0] == '0' {
			return "", false
		}
		n := 0
		for i := 0; i < len(port); i++ {
			c := port[i]
			if c < '0' || c > '9' {
				return "", false
			}
			n = n*10 + int(c-'0')
		}
		if n > 65535 {
			return "", false
		}
	}
	if name == "" || len(name) > 253 {
		return "", false
	}
	upper := false
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.':
		case c >= 'A' && c <= 'Z':
			upper = true
		default:
			return "", false
		}
	}
	if upper {
		h = strings.ToLower(h)
	}
	return h, true
}

var errUnknownHost = Errorf(KindForbidden, "unknown_host", "This host is not an application of any organization.")

// ProxyTarget finds the proxy app serving a request host (exact names
// before wildcards), from memory while the change feed is fresh and from
// the database otherwise. An unknown host is a KindForbidden error: forward
// auth never lets a request through to a host nobody registered.
func (s *Service) ProxyTarget(ctx context.Context, host string) (*ProxyTarget, error) {
	host, ok := requestHost(host)
	if !ok {
		return nil, errUnknownHost
	}
	if s.view.fresh() {
		t, err := s.proxies.table(ctx, s.store)
		if err != nil {
			return nil, internal("load proxy applications", err)
		}
		if pt := t.lookup(host); pt != nil {
			return pt, nil
		}
		return nil, errUnknownHost
	}
	a, err := s.ApplicationForHost(ctx, host)
	if errors.Is(err, ErrNotFound) {
		return nil, errUnknownHost
	}
	if err != nil {
		return nil, err
	}
	return newProxyTarget(a), nil
}

// OIDCClient finds the tenant's OIDC app clientID with its assignment, from
// memory while the change feed is fresh (the index forward auth uses) and
// from the database otherwise. It is ErrNotFound when the tenant has no
// such OIDC app (any more).
func (s *Service) OIDCClient(ctx context.Context, tenantID, clientID string) (*ProxyTarget, error) {
	if s.view.fresh() {
		t, err := s.proxies.table(ctx, s.store)
		if err != nil {
			return nil, internal("load applications", err)
		}
		if pt := t.clients[clientID]; pt != nil && pt.App.TenantID == tenantID {
			return pt, nil
		}
		return nil, ErrNotFound
	}
	a, err := s.store.GetApplication(ctx, tenantID, clientID)
	if errors.Is(err, ErrNotFound) || err == nil && a.Type != AppOIDC {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, internal("get application", err)
	}
	return newProxyTarget(a), nil
}
