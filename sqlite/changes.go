package sqlite

import (
	"context"

	"github.com/guestpass/guestpass"
)

func (q queries) RecordChange(ctx context.Context, c *guestpass.Change) error {
	err := q.wr.QueryRowContext(ctx, `INSERT INTO changes (kind, tenant_id, guest_id, session_id, at)
		VALUES (?, ?, ?, ?, ?) RETURNING seq`, c.Kind, c.TenantID, c.GuestID, c.SessionID, nanos(c.At)).Scan(&c.Seq)
	return dbErr("record change", err)
}

func (q queries) ChangesSince(ctx context.Context, after int64, limit int) ([]guestpass.Change, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT seq, kind, tenant_id, guest_id, session_id, at
		FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
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
	err := q.rd.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq)
	return seq, dbErr("latest change", err)
}

func (q queries) GetSessionByID(ctx context.Context, tenantID, id string) (*guestpass.Session, error) {
	var s guestpass.Session
	err := q.rd.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE tenant_id = ? AND id = ?`, tenantID, id).
		Scan(sessionDest(&s)...)
	if err != nil {
		return nil, dbErr("get session", err)
	}
	return &s, nil
}
