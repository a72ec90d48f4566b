package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/guestpass/guestpass/internal/storeutil"
)

// dbtx is what queries run on: a pool or a transaction.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
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
	var b []byte
	switch s := v.(type) {
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("list column holds %T", v)
	}
	*d.p = nil
	if err := json.Unmarshal(b, d.p); err != nil {
		return fmt.Errorf("list column: %w", err)
	}
	return nil
}

// blobOrNull stores an empty hash as NULL, so that "no code pending" has
// one representation.
func blobOrNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
