package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func TestScanners(t *testing.T) {
	var tm time.Time
	var l []string
	for name, err := range map[string]error{
		"TimeFromText":  ts(&tm).Scan("2030-01-01"),
		"ListFromInt":   list(&l).Scan(int64(1)),
		"ListFromJunk":  list(&l).Scan("{not json"),
		"ListFromBytes": list(&l).Scan([]byte(`["a"`)),
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
	t.Run("ListFromBytes", func(t *testing.T) {
		if err := list(&l).Scan([]byte(`["a","b"]`)); err != nil || len(l) != 2 {
			t.Fatalf("%v %v", l, err)
		}
	})
}

func TestDBErr(t *testing.T) {
	for name, c := range map[string]struct {
		err  error
		want error
	}{
		"NoRows":      {sql.ErrNoRows, guestpass.ErrNotFound},
		"ConnDone":    {sql.ErrConnDone, guestpass.ErrUnavailable},
		"BadConn":     {fmt.Errorf("x: %w", driver.ErrBadConn), guestpass.ErrUnavailable},
		"Closed":      {errors.New("sql: database is closed"), guestpass.ErrUnavailable},
		"Cancelled":   {context.Canceled, context.Canceled},
		"Other":       {errors.ErrUnsupported, errors.ErrUnsupported},
		"BusyWriter":  {busyError(t), guestpass.ErrUnavailable},
		"SyntaxError": {syntaxError(t), nil},
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

// busyError is the error of a second writer while the store's writer holds
// the write lock, without waiting (busy_timeout 0).
func busyError(t *testing.T) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "busy.db")
	s, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var busy error
	err = s.Update(t.Context(), func(guestpass.Tx) error {
		_, busy = other.ExecContext(t.Context(), `INSERT INTO locks (key, locked_until) VALUES ('k', 1)`)
		return nil
	})
	if err != nil || busy == nil {
		t.Fatalf("update %v, second writer %v", err, busy)
	}
	return busy
}

func syntaxError(t *testing.T) error {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(t.Context(), "NOT SQL")
	return err
}
