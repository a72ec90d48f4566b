package guestpass

import (
	"context"
	"errors"
	"sync"
)

// maxCachedTenants bounds the tenant cache; past it the cache starts over,
// which costs a reload per tenant and nothing else.
const maxCachedTenants = 10_000

// tenantCache is this node's copy of each tenant and its identity
// providers, which every guest request reads first (the sign-in page, send
// code, verify code, forward auth's sign-in redirect). Without it, each of
// them began with one or two database round trips for rows that change a
// few times a year. A ChangeTenant (settings or identity providers, from
// this node at once and from others through the change feed) drops the
// tenant's entry. Like the session view it is used only while the feed is
// fresh, so a node cut off from the feed reads the database.
type tenantCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by every drop; a load that spans one is not kept
	entries map[string]*tenantEntry
}

// tenantEntry is shared between requests: nothing it points to may be
// modified.
type tenantEntry struct {
	tenant *Tenant
	idps   []*IdentityProvider // nil when this server has no federation
}

func newTenantCache() *tenantCache {
	return &tenantCache{entries: map[string]*tenantEntry{}}
}

func (c *tenantCache) get(id string) (*tenantEntry, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[id], c.gen
}

// put keeps e unless a drop came in since gen was read.
func (c *tenantCache) put(id string, e *tenantEntry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.entries) >= maxCachedTenants {
		clear(c.entries)
	}
	c.entries[id] = e
}

func (c *tenantCache) apply(ch Change) {
	switch ch.Kind {
	case ChangeSession, ChangeGuest, ChangeApps:
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if ch.Kind == ChangeTenant {
		delete(c.entries, ch.TenantID)
	} else { // a kind this build does not know: drop more, not less
		clear(c.entries)
	}
}

func (c *tenantCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// cachedTenant returns the tenant's entry, from memory when the change feed
// is fresh. ok is false when it is not: the caller reads the database.
func (s *Service) cachedTenant(ctx context.Context, q Queries, id string) (e *tenantEntry, ok bool, err error) {
	if !s.readsFromMemory(q) {
		return nil, false, nil
	}
	e, gen := s.tenants.get(id)
	if e != nil {
		return e, true, nil
	}
	t, err := s.loadTenant(ctx, s.store, id)
	if err != nil {
		return nil, true, err
	}
	e = &tenantEntry{tenant: t}
	if s.upstream != nil {
		if e.idps, err = s.loadIDPs(ctx, s.store, id); err != nil {
			return nil, true, err
		}
	}
	s.tenants.put(id, e, gen)
	return e, true, nil
}

// readsFromMemory says whether a read through q may be answered from this
// node's memory: only a read outside a transaction (a transaction reads
// what it is about to change), and only while the change feed is fresh.
func (s *Service) readsFromMemory(q Queries) bool {
	st, ok := q.(Store)
	return ok && st == s.store && s.view.fresh()
}

// getTenant returns the tenant, or a KindNotFound error. The result is the
// caller's to modify.
func (s *Service) getTenant(ctx context.Context, q Queries, id string) (*Tenant, error) {
	e, ok, err := s.cachedTenant(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.loadTenant(ctx, q, id)
	}
	t := *e.tenant
	return &t, nil
}

// loadTenant reads the tenant from q, never from the cache: for admin
// reads and writes, which must see a change made a moment ago on another
// node.
func (s *Service) loadTenant(ctx context.Context, q Queries, id string) (*Tenant, error) {
	t, err := q.GetTenant(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(KindNotFound, "tenant_not_found", "no organization with id %s", quoteSafe(id))
	}
	return t, internal("get tenant", err)
}

// tenantIDPs returns every identity provider of the tenant (bounded in
// practice: each claims its own domains). The result is shared: the caller
// must not modify it.
func (s *Service) tenantIDPs(ctx context.Context, q Queries, tenantID string) ([]*IdentityProvider, error) {
	e, ok, err := s.cachedTenant(ctx, q, tenantID)
	if err != nil {
		return nil, err
	}
	if ok && s.upstream != nil {
		return e.idps, nil
	}
	return s.loadIDPs(ctx, q, tenantID)
}

func (s *Service) loadIDPs(ctx context.Context, q Queries, tenantID string) ([]*IdentityProvider, error) {
	var all []*IdentityProvider
	page := Page{Limit: 100}
	for {
		ps, next, err := q.ListIdentityProviders(ctx, tenantID, page)
		if err != nil {
			return nil, internal("list identity providers", err)
		}
		all = append(all, ps...)
		if next == "" {
			return all, nil
		}
		page.After = next
	}
}
