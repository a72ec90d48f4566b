package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestDBErr(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("x: %w", &pgconn.PgError{Code: code}) }
	for name, c := range map[string]struct {
		err  error
		want error
	}{
		"NoRows":           {pgx.ErrNoRows, guestpass.ErrNotFound},
		"Unique":           {pg("23505"), guestpass.ErrConflict},
		"ForeignKey":       {pg("23503"), guestpass.ErrNotFound},
		"Cancelled":        {context.Canceled, context.Canceled},
		"Deadline":         {context.DeadlineExceeded, context.DeadlineExceeded},
		"ClosedPool":       {errors.New("closed pool"), guestpass.ErrUnavailable},
		"EOF":              {io.ErrUnexpectedEOF, guestpass.ErrUnavailable},
		"ConnException":    {pg("08006"), guestpass.ErrUnavailable},
		"TooManyConns":     {pg("53300"), guestpass.ErrUnavailable},
		"AdminShutdown":    {pg("57P01"), guestpass.ErrUnavailable},
		"ReadOnly":         {pg("25006"), guestpass.ErrUnavailable},
		"ConnectFailed":    {&pgconn.ConnectError{}, guestpass.ErrUnavailable},
		"Other":            {errors.ErrUnsupported, errors.ErrUnsupported},
		"SyntaxIsInternal": {pg("42601"), nil},
	} {
		t.Run(name, func(t *testing.T) {
			err := dbErr("op", c.err)
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("dbErr(%v) = %v, want %v", c.err, err, c.want)
			}
			if c.want == nil && guestpass.KindOf(err) != guestpass.KindInternal {
				t.Fatalf("dbErr(%v) has kind %q", c.err, guestpass.KindOf(err))
			}
		})
	}
	if dbErr("op", nil) != nil {
		t.Fatal("nil error mapped to non-nil")
	}
}

func TestScanners(t *testing.T) {
	var tm time.Time
	var l []string
	for name, err := range map[string]error{
		"TimeFromText": ts(&tm).Scan("2030-01-01"),
		"ListFromInt":  list(&l).Scan(int64(1)),
		"ListFromJunk": list(&l).Scan("{not json"),
	} {
		t.Run(name+"Fails", func(t *testing.T) {
			if err == nil {
				t.Fatal("no error")
			}
		})
	}
	t.Run("NullTimeIsZero", func(t *testing.T) {
		tm = time.Now()
		if err := ts(&tm).Scan(nil); err != nil || !tm.IsZero() {
			t.Fatalf("%v %v", tm, err)
		}
	})
}
