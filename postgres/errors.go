package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes the store reacts to.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeNoDataFound          = "P0002" // expect_rows, migration 0080
)

// dbErr maps a database error to the store's sentinels, with op as context.
func dbErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: %s: %w", op, guestpass.ErrNotFound)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("postgres: %s: %w", op, err)
	case isUnavailable(err):
		return fmt.Errorf("postgres: %s: %w: %w", op, guestpass.ErrUnavailable, err)
	}
	switch sqlState(err) {
	case codeUniqueViolation:
		return fmt.Errorf("postgres: %s: %w: %w", op, guestpass.ErrConflict, err)
	case codeForeignKeyViolation:
		// The row names a tenant or guest that does not exist.
		return fmt.Errorf("postgres: %s: %w: %w", op, guestpass.ErrNotFound, err)
	case codeNoDataFound:
		// A late write did not change the rows its caller held locked.
		return fmt.Errorf("postgres: %s: %w: %w", op, guestpass.ErrConflict, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// sqlState is the SQLSTATE of a server error, "" for any other error.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isUnavailable reports whether err means the database cannot serve at all,
// as opposed to rejecting this one statement.
func isUnavailable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case pgconn.SafeToRetry(err):
		// Failed before the statement reached the server.
		return true
	case strings.Contains(err.Error(), "closed pool"):
		// pgxpool returns puddle's unexported-by-pgx ErrClosedPool.
		return true
	}
	state := sqlState(err)
	switch {
	case strings.HasPrefix(state, "08"), // connection exception
		strings.HasPrefix(state, "53"),                       // insufficient resources
		state == "57P01", state == "57P02", state == "57P03", // shutdown, cannot connect now
		state == "25006": // read-only transaction: a standby after failover
		return true
	}
	return false
}

// retryable reports whether a transaction failed only because of a
// concurrent one, so that running it again may succeed.
func retryable(err error) bool {
	switch sqlState(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}

// affected turns an UPDATE or DELETE that matched no row into ErrNotFound.
func affected(op string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return dbErr(op, err)
	}
	if tag.RowsAffected() == 0 {
		return dbErr(op, pgx.ErrNoRows)
	}
	return nil
}
