package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/postgres"
	"github.com/jackc/pgx/v5"
)

// awaitSignal fails the test unless sig fires within a generous bound (the
// bound only stops a broken listener from hanging the test).
func awaitSignal(t *testing.T, sig <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-sig:
	case <-time.After(30 * time.Second):
		t.Fatalf("no change signal %s", what)
	}
}

func recordChange(t *testing.T, s *postgres.Store) {
	t.Helper()
	err := s.Update(t.Context(), func(tx guestpass.Tx) error {
		return tx.RecordChange(t.Context(), &guestpass.Change{Kind: guestpass.ChangeTenant, TenantID: "t1", At: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestChangeSignal: a change committed through one store wakes the feed of
// another store on the same schema, and the listener survives losing its
// connection.
func TestChangeSignal(t *testing.T) {
	schema := newSchema(t)
	a, b := mustOpen(t, schema), mustOpen(t, schema)
	sig := b.ChangeSignal()
	if b.ChangeSignal() != sig {
		t.Fatal("ChangeSignal returned a second channel")
	}
	awaitSignal(t, sig, "after the listener connected")

	recordChange(t, a)
	awaitSignal(t, sig, "after a committed change")

	t.Run("RolledBackChangeIsNotVisible", func(t *testing.T) {
		// The notification travels with the transaction: a rollback takes
		// the row with it, whatever the listener saw.
		errAbort := errors.New("abort")
		err := a.Update(t.Context(), func(tx guestpass.Tx) error {
			if err := tx.RecordChange(t.Context(), &guestpass.Change{Kind: guestpass.ChangeTenant, TenantID: "t1", At: time.Now()}); err != nil {
				return err
			}
			return errAbort
		})
		if !errors.Is(err, errAbort) {
			t.Fatal(err)
		}
		cs, err := b.ChangesSince(t.Context(), 0, 10)
		if err != nil || len(cs) != 1 {
			t.Fatalf("changes %v, %v; want the one committed", cs, err)
		}
	})

	t.Run("ListenerReconnects", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, testURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var killed int
		err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'guestpass change listener' AND query LIKE '%' || $1 || '%'`,
			postgres.ChangeChannel(schema)).Scan(&killed)
		if err != nil || killed != 1 {
			t.Fatalf("terminated %d listeners, %v; want 1", killed, err)
		}
		// The listener signals after reconnecting (notifications sent
		// while it was away are lost), then relays new ones again.
		awaitSignal(t, sig, "after the listener reconnected")
		recordChange(t, a)
		awaitSignal(t, sig, "for a change after the reconnect")
	})
}
