package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/guestpass/guestpass"
)

// TakeToken is GCRA in one upsert. tat is the theoretical arrival time: a
// take moves it to max(tat, now) + interval, allowed while it stays within
// burst intervals of now. The WHERE of DO UPDATE makes a refused take change
// nothing and return no row. A new key always admits its first take.
func (q queries) TakeToken(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (bool, int, error) {
	if interval <= 0 {
		return false, 0, fmt.Errorf("sqlite: take token %q: interval %s is not positive", key, interval)
	}
	if burst < 1 {
		return false, 0, nil
	}
	n, iv, b := now.UnixNano(), int64(interval), int64(burst)
	var tat int64
	err := q.wr.QueryRowContext(ctx, `INSERT INTO limits (key, tat) VALUES (?1, ?2 + ?3)
		ON CONFLICT (key) DO UPDATE SET tat = max(tat, ?2) + ?3
		WHERE max(tat, ?2) + ?3 - ?2 <= ?4 * ?3
		RETURNING tat`, key, n, iv, b).Scan(&tat)
	if errors.Is(err, sql.ErrNoRows) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, dbErr("take token", err)
	}
	return true, int((n + b*iv - tat) / iv), nil
}

// takeTokens is TakeToken in turn: SQLite has no round trips to save.
func (q queries) takeTokens(ctx context.Context, now time.Time, takes []guestpass.TokenTake) (int, []int, error) {
	remaining := make([]int, 0, len(takes))
	for _, t := range takes {
		ok, left, err := q.TakeToken(ctx, t.Key, now, t.Interval, t.Burst)
		if err != nil || !ok {
			return len(remaining), remaining, err
		}
		remaining = append(remaining, left)
	}
	return len(remaining), remaining, nil
}

// ReturnToken moves tat back one interval; a key never taken has nothing
// to return.
func (q queries) ReturnToken(ctx context.Context, key string, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("sqlite: return token %q: interval %s is not positive", key, interval)
	}
	_, err := q.wr.ExecContext(ctx, `UPDATE limits SET tat = tat - ? WHERE key = ?`, int64(interval), key)
	return dbErr("return token", err)
}

// SetLock with the zero time unlocks.
func (q queries) SetLock(ctx context.Context, key string, until time.Time) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO locks (key, locked_until) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET locked_until = excluded.locked_until`, key, nanos(until))
	return dbErr("set lock", err)
}

// LockedUntilTakingTokens is LockedUntil and then takeTokens.
func (q queries) LockedUntilTakingTokens(ctx context.Context, lockKey string, now time.Time, takes []guestpass.TokenTake) (time.Time, int, []int, error) {
	until, err := q.LockedUntil(ctx, lockKey)
	if err != nil {
		return time.Time{}, 0, nil, err
	}
	refused, remaining, err := q.takeTokens(ctx, now, takes)
	if err != nil {
		return time.Time{}, 0, nil, err
	}
	return until, refused, remaining, nil
}

// LockedUntil returns the stored time even when it has passed: comparing
// it with now is the caller's policy.
func (q queries) LockedUntil(ctx context.Context, key string) (time.Time, error) {
	var until time.Time
	err := q.rd.QueryRowContext(ctx, `SELECT locked_until FROM locks WHERE key = ?`, key).Scan(ts(&until))
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, dbErr("locked until", err)
	}
	return until, nil
}

// PurgeExpired runs one DELETE per table; if one fails, the rows already
// removed stay removed and the next run finishes the job.
func (q queries) PurgeExpired(ctx context.Context, before time.Time) (int, error) {
	b := nanos(before)
	total := 0
	for _, stmt := range []string{
		`DELETE FROM flows WHERE expires_at < ?`,
		`DELETE FROM sessions WHERE expires_at < ?`,
		`DELETE FROM oidc_auth_requests WHERE expires_at < ?`,
		`DELETE FROM oidc_refresh_tokens WHERE expires_at < ?`,
		`DELETE FROM limits WHERE tat < ?`,
		`DELETE FROM locks WHERE locked_until < ?`,
		`DELETE FROM mfa_challenges WHERE expires_at < ?`,
		// The feed outlives what it describes by ChangeRetention.
		`DELETE FROM changes WHERE at < ? - ` + strconv.FormatInt(guestpass.ChangeRetention.Nanoseconds(), 10),
		// Registrations never confirmed: secrets shown but never proven.
		`DELETE FROM mfa_methods WHERE confirmed_at = 0 AND created_at <= ? - ` + strconv.FormatInt(guestpass.PendingMFALifetime.Nanoseconds(), 10),
	} {
		res, err := q.wr.ExecContext(ctx, stmt, b)
		if err != nil {
			return total, dbErr("purge expired", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, dbErr("purge expired", err)
		}
		total += int(n)
	}
	return total, nil
}
