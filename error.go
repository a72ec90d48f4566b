package guestpass

import (
	"errors"
	"fmt"
)

// ErrorKind is the closed set of failure classes. Transports map a kind to a
// status (HTTP 400, 404, ...) in one place; nothing else inspects messages.
type ErrorKind string

const (
	KindInvalid      ErrorKind = "invalid"
	KindNotFound     ErrorKind = "not_found"
	KindConflict     ErrorKind = "conflict"
	KindUnauthorized ErrorKind = "unauthorized"
	KindForbidden    ErrorKind = "forbidden"
	KindRateLimited  ErrorKind = "rate_limited"
	KindUnavailable  ErrorKind = "unavailable"
	KindInternal     ErrorKind = "internal"
)

// Error is the one error type that crosses package boundaries. Code is a
// stable machine-readable identifier ("invalid_email"); Message is safe to show
// to the caller; Err is the cause, for logs only.
type Error struct {
	Kind    ErrorKind
	Code    string
	Message string
	// Args are the values formatted into Message, so that a page can show
	// the same error in another language.
	Args []any
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Wrap records cause (for logs) on an error just built with Errorf.
func (e *Error) Wrap(cause error) *Error { e.Err = cause; return e }

// Is lets errors.Is(err, ErrNotFound) match any error of the same kind and
// code, so stores can wrap the sentinels with context.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == e.Code
}

// Errorf builds an *Error with a formatted safe message.
func Errorf(kind ErrorKind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...), Args: args}
}

// Store sentinels. Stores return them (possibly wrapped); policy above the
// stores turns them into caller-facing errors.
var (
	ErrNotFound = &Error{Kind: KindNotFound, Code: "not_found", Message: "not found"}
	ErrConflict = &Error{Kind: KindConflict, Code: "conflict", Message: "already exists"}
	// ErrUnavailable means the database cannot be reached; callers answer 503.
	ErrUnavailable = &Error{Kind: KindUnavailable, Code: "unavailable", Message: "service temporarily unavailable"}
)

// KindOf reports the kind of err; errors that are not *Error are internal.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// internal wraps an unexpected cause so that it is logged but never shown.
func internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: KindInternal, Code: "internal", Message: "internal error", Err: fmt.Errorf("%s: %w", op, err)}
}

// ErrMailPermanent marks a delivery failure that retrying cannot fix (the
// server refused the recipient, 5xx); Mailer implementations wrap it.
var ErrMailPermanent = &Error{Kind: KindInvalid, Code: "mail_permanent", Message: "mail permanently refused"}
