package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/guestpass/guestpass/internal/storeutil"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// dbtx is what queries run on: the pool or a transaction.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// nanos is how a time is stored (internal/storeutil).
func nanos(t time.Time) int64 { return storeutil.Nanos(t) }

// ts scans a nanos column back into a UTC time (internal/storeutil).
func ts(t *time.Time) storeutil.TimeDest { return storeutil.TimeDest{T: t} }

// jsonList is how a string list is stored. Marshalling a []string cannot
// fail; nil stays "null" so that it reads back as nil.
func jsonList(v []string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// listDest scans a jsonList column.
type listDest struct{ p *[]string }

func list(p *[]string) listDest { return listDest{p} }

func (d listDest) Scan(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("list column holds %T", v)
	}
	*d.p = nil
	if err := json.Unmarshal([]byte(s), d.p); err != nil {
		return fmt.Errorf("list column: %w", err)
	}
	return nil
}

// bytesOrNull stores an empty hash as NULL, so that "no code pending" has
// one representation.
func bytesOrNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
