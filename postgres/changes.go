package postgres

import (
	"context"

	"github.com/guestpass/guestpass"
)

func (q queries) RecordChange(ctx context.Context, c *guestpass.Change) error {
	// pg_notify in the same statement: PostgreSQL sends it when the
	// transaction commits and drops it on rollback, so every node's feed
	// wakes exactly for committed changes, without an extra round trip.
	var void string
	err := q.db.QueryRow(ctx, `INSERT INTO changes (kind, tenant_id, guest_id, session_id, at)
		VALUES ($1, $2, $3, $4, $5) RETURNING seq, pg_notify($6, '')::text`,
		c.Kind, c.TenantID, c.GuestID, c.SessionID, nanos(c.At), q.channel).Scan(&c.Seq, &void)
	return dbErr("record change", err)
}

func (q queries) ChangesSince(ctx context.Context, after int64, limit int) ([]guestpass.Change, error) {
	rows, err := q.db.Query(ctx, `SELECT seq, kind, tenant_id, guest_id, session_id, at
		FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, dbErr("changes since", err)
	}
	defer rows.Close()
	var cs []guestpass.Change
	for rows.Next() {
		var c guestpass.Change
		if err := rows.Scan(&c.Seq, &c.Kind, &c.TenantID, &c.GuestID, &c.SessionID, ts(&c.At)); err != nil {
			return nil, dbErr("changes since", err)
		}
		cs = append(cs, c)
	}
	return cs, dbErr("changes since", rows.Err())
}

func (q queries) LatestChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := q.db.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq)
	return seq, dbErr("latest change", err)
}

func (q queries) GetSessionByID(ctx context.Context, tenantID, id string) (*guestpass.Session, error) {
	var s guestpass.Session
	err := q.db.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE tenant_id = $1 AND id = $2`, tenantID, id).
		Scan(sessionDest(&s)...)
	if err != nil {
		return nil, dbErr("get session", err)
	}
	return &s, nil
}
