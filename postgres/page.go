package postgres

// The cursor format and paging rules are those of the SQLite store (this
// file is a copy of sqlite/page.go with $n placeholders), so a cursor means
// the same thing whichever store issued it.

import (
	"context"
	"strconv"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/storeutil"
	"github.com/jackc/pgx/v5"
)

// pageKey is the shared sort key of every list (internal/storeutil).
type pageKey = storeutil.Key

// collect scans up to limit rows and returns the cursor of the next page,
// or "" when there is none.
func collect[T any](rows pgx.Rows, limit int, scan func(scanner) (T, error), key func(T) pageKey) ([]T, string, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		if len(out) == limit {
			return out, storeutil.EncodeCursor(key(out[len(out)-1])), nil
		}
		v, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, "", rows.Err()
}

// listing is one paged list query; query ends in a WHERE clause.
type listing[T any] struct {
	op, query, col string
	desc           bool // newest first
	scan           func(scanner) (T, error)
	key            func(T) pageKey
}

func (l listing[T]) run(ctx context.Context, db dbtx, p guestpass.Page, args ...any) ([]T, string, error) {
	query, more, limit, err := storeutil.Paged(l.query, l.col, l.desc, len(args), p, func(n int) string { return "$" + strconv.Itoa(n) })
	if err != nil {
		return nil, "", err
	}
	rows, err := db.Query(ctx, query, append(args, more...)...)
	if err != nil {
		return nil, "", dbErr(l.op, err)
	}
	out, next, err := collect(rows, limit, l.scan, l.key)
	if err != nil {
		return nil, "", dbErr(l.op, err)
	}
	return out, next, nil
}
