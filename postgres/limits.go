package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
)

// TakeToken is GCRA in one upsert. tat is the theoretical arrival time: a
// take moves it to GREATEST(tat, now) + interval, allowed while it stays
// within burst intervals of now. The WHERE of DO UPDATE makes a refused
// take change nothing and return no row; a racing take waits for the row
// lock and is evaluated against the winner's tat. A new key always admits
// its first take.
func (q queries) TakeToken(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (bool, int, error) {
	if interval <= 0 {
		return false, 0, fmt.Errorf("postgres: take token %q: interval %s is not positive", key, interval)
	}
	if burst < 1 {
		return false, 0, nil
	}
	n, iv, b := now.UnixNano(), int64(interval), int64(burst)
	var tat int64
	err := q.db.QueryRow(ctx, `INSERT INTO limits AS l (key, tat) VALUES ($1, $2::bigint + $3::bigint)
		ON CONFLICT (key) DO UPDATE SET tat = GREATEST(l.tat, $2::bigint) + $3::bigint
		WHERE GREATEST(l.tat, $2::bigint) + $3::bigint - $2::bigint <= $4::bigint * $3::bigint
		RETURNING tat`, key, n, iv, b).Scan(&tat)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, dbErr("take token", err)
	}
	return true, int((n + b*iv - tat) / iv), nil
}

// LockedUntilTakingTokens is LockedUntil's read with take_tokens
// (migration 0070, the takes one after another in the database) as a
// second column: one round trip.
func (q queries) LockedUntilTakingTokens(ctx context.Context, lockKey string, now time.Time, takes []guestpass.TokenTake) (time.Time, int, []int, error) {
	keys, intervals, bursts, err := tokenArgs(takes)
	if err != nil {
		return time.Time{}, 0, nil, err
	}
	var until time.Time
	var res []int64
	err = q.db.QueryRow(ctx, `SELECT (SELECT locked_until FROM locks WHERE key = $1), take_tokens($2, $3, $4, $5)`,
		lockKey, keys, now.UnixNano(), intervals, bursts).Scan(ts(&until), &res)
	if err != nil {
		return time.Time{}, 0, nil, dbErr("locked until taking tokens", err)
	}
	refused, remaining := tokenResult(res)
	return until, refused, remaining, nil
}

// tokenArgs are take_tokens' array arguments.
func tokenArgs(takes []guestpass.TokenTake) (keys []string, intervals, bursts []int64, err error) {
	keys = make([]string, len(takes))
	intervals = make([]int64, len(takes))
	bursts = make([]int64, len(takes))
	for i, t := range takes {
		if t.Interval <= 0 {
			return nil, nil, nil, fmt.Errorf("postgres: take token %q: interval %s is not positive", t.Key, t.Interval)
		}
		keys[i], intervals[i], bursts[i] = t.Key, int64(t.Interval), int64(t.Burst)
	}
	return keys, intervals, bursts, nil
}

// tokenResult reads take_tokens' answer: the tokens left after each
// successful take, then -1 for a refused bucket.
func tokenResult(res []int64) (refused int, remaining []int) {
	remaining = make([]int, 0, len(res))
	for _, r := range res {
		if r < 0 {
			break
		}
		remaining = append(remaining, int(r))
	}
	return len(remaining), remaining
}

// ReturnToken moves tat back one interval; a key never taken has nothing
// to return.
func (q queries) ReturnToken(ctx context.Context, key string, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("postgres: return token %q: interval %s is not positive", key, interval)
	}
	return q.execLate(ctx, "return token", `UPDATE limits SET tat = tat - $1::bigint WHERE key = $2`, int64(interval), key)
}

// SetLock with the zero time unlocks.
func (q queries) SetLock(ctx context.Context, key string, until time.Time) error {
	return q.execLate(ctx, "set lock", `INSERT INTO locks (key, locked_until) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET locked_until = excluded.locked_until`, key, nanos(until))
}

// LockedUntil returns the stored time even when it has passed: comparing
// it with now is the caller's policy.
func (q queries) LockedUntil(ctx context.Context, key string) (time.Time, error) {
	var until time.Time
	err := q.db.QueryRow(ctx, `SELECT locked_until FROM locks WHERE key = $1`, key).Scan(ts(&until))
	if errors.Is(err, pgx.ErrNoRows) {
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
		`DELETE FROM flows WHERE expires_at < $1`,
		`DELETE FROM sessions WHERE expires_at < $1`,
		`DELETE FROM oidc_auth_requests WHERE expires_at < $1`,
		`DELETE FROM oidc_refresh_tokens WHERE expires_at < $1`,
		`DELETE FROM limits WHERE tat < $1`,
		`DELETE FROM locks WHERE locked_until < $1`,
		`DELETE FROM mfa_challenges WHERE expires_at < $1`,
		// The feed outlives what it describes by ChangeRetention.
		`DELETE FROM changes WHERE at < $1 - ` + strconv.FormatInt(guestpass.ChangeRetention.Nanoseconds(), 10),
		// Registrations never confirmed: secrets shown but never proven.
		`DELETE FROM mfa_methods WHERE confirmed_at = 0 AND created_at <= $1 - ` + strconv.FormatInt(guestpass.PendingMFALifetime.Nanoseconds(), 10),
	} {
		tag, err := q.db.Exec(ctx, stmt, b)
		if err != nil {
			return total, dbErr("purge expired", err)
		}
		total += int(tag.RowsAffected())
	}
	return total, nil
}
