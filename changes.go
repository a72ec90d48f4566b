package guestpass

import (
	"context"
	"time"
)

// ChangeKind names what a Change makes stale.
type ChangeKind string

const (
	// ChangeSession: one session (SessionID) was revoked.
	ChangeSession ChangeKind = "session"
	// ChangeGuest: a guest's sessions were revoked, or the guest was
	// disabled, deleted or renamed.
	ChangeGuest ChangeKind = "guest"
	// ChangeTenant: a tenant's settings changed (e.g. emailOtp disabled).
	ChangeTenant ChangeKind = "tenant"
	// ChangeApps: a tenant's applications changed (hosts, assignments).
	ChangeApps ChangeKind = "apps"
)

// Change is one row of the change feed: a note that state some node may
// hold in memory is stale. Every node reads the feed and drops what it
// names, which is how a revocation on one node reaches all of them without
// a database round trip per request. A change says nothing about the new
// state: readers reload it.
type Change struct {
	Seq       int64 // assigned by the store, increasing
	Kind      ChangeKind
	TenantID  string
	GuestID   string // ChangeGuest, and ChangeSession when known
	SessionID string // ChangeSession
	At        time.Time
}

// ChangeQueries persist the change feed.
type ChangeQueries interface {
	// RecordChange appends c (its Seq is assigned). Inside Update it commits
	// or rolls back with the change it describes.
	RecordChange(ctx context.Context, c *Change) error
	// ChangesSince returns up to limit changes with Seq > after, in Seq
	// order.
	ChangesSince(ctx context.Context, after int64, limit int) ([]Change, error)
	// LatestChangeSeq returns the highest Seq recorded, 0 when none.
	LatestChangeSeq(ctx context.Context) (int64, error)
	// GetSessionByID returns the tenant's session with public handle id,
	// or ErrNotFound.
	GetSessionByID(ctx context.Context, tenantID, id string) (*Session, error)
}

// ChangeNotifier is implemented by stores that can wake the feed's readers
// the moment a change commits (PostgreSQL LISTEN/NOTIFY). The feed still
// polls, so a lost notification delays a change by one poll at most.
type ChangeNotifier interface {
	// ChangeSignal returns a channel that receives (without blocking the
	// sender; a full channel drops the signal) after changes commit.
	ChangeSignal() <-chan struct{}
}

// ChangeRetention is how long the feed keeps rows: far beyond any poll
// interval, so a node that missed a few polls still finds what it missed.
const ChangeRetention = time.Hour

// recordChange notes a change in tx. Inside s.update the change is also
// applied to this node's view as soon as the transaction commits, so this
// node does not wait for its own poll.
func (s *Service) recordChange(ctx context.Context, tx Tx, c Change) error {
	c.At = s.clock.Now()
	if err := tx.RecordChange(ctx, &c); err != nil {
		return internal("record change", err)
	}
	if ct, ok := tx.(*changeTx); ok {
		ct.changes = append(ct.changes, c)
	}
	return nil
}

// changeTx collects the changes recorded in one attempt of a transaction.
type changeTx struct {
	Tx
	changes []Change
}

// update is Store.Update for operations that record changes: after the
// commit, the changes recorded by the successful attempt are applied here.
func (s *Service) update(ctx context.Context, fn func(tx Tx) error) error {
	var committed []Change
	err := s.store.Update(ctx, func(tx Tx) error {
		ct := &changeTx{Tx: tx}
		if err := fn(ct); err != nil {
			return err
		}
		committed = ct.changes
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range committed {
		s.applyChange(c)
	}
	return nil
}
