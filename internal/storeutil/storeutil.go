package storeutil

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/guestpass/guestpass"
)

const (
	defaultLimit = 100
	maxLimit     = 1000
)

// Limit is the page size of p: 100 by default, at most 1000.
func Limit(p guestpass.Page) int {
	switch {
	case p.Limit <= 0:
		return defaultLimit
	case p.Limit > maxLimit:
		return maxLimit
	}
	return p.Limit
}

// Key is a list's sort key: a time column (unix nanoseconds), then id to
// break ties.
type Key struct {
	At int64
	ID string
}

// EncodeCursor makes the opaque After cursor: base64url of "at:id".
func EncodeCursor(k Key) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(k.At, 10) + ":" + k.ID))
}

// DecodeCursor parses a cursor from outside; ok is false for "" (first page).
func DecodeCursor(s string) (k Key, ok bool, err error) {
	if s == "" {
		return Key{}, false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Key{}, false, badCursor(err)
	}
	at, id, found := strings.Cut(string(raw), ":")
	if !found {
		return Key{}, false, badCursor(fmt.Errorf("no separator"))
	}
	n, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return Key{}, false, badCursor(err)
	}
	return Key{At: n, ID: id}, true, nil
}

func badCursor(err error) error {
	e := guestpass.Errorf(guestpass.KindInvalid, "invalid_cursor", "invalid page cursor")
	e.Err = err
	return e
}

// Paged appends keyset pagination on (col, id) to query, which must end in
// a WHERE clause holding nargs placeholders; ph(n) writes the n-th
// placeholder of the dialect. It returns the full query, its extra
// arguments and the limit. One row more than the limit is fetched to learn
// whether a next page exists.
func Paged(query, col string, desc bool, nargs int, p guestpass.Page, ph func(n int) string) (string, []any, int, error) {
	key, ok, err := DecodeCursor(p.After)
	if err != nil {
		return "", nil, 0, err
	}
	op, order := ">", "ASC"
	if desc {
		op, order = "<", "DESC"
	}
	var args []any
	if ok {
		query += fmt.Sprintf(" AND (%s, id) %s (%s, %s)", col, op, ph(nargs+1), ph(nargs+2))
		args = append(args, key.At, key.ID)
	}
	limit := Limit(p)
	query += fmt.Sprintf(" ORDER BY %s %s, id %s LIMIT %s", col, order, order, ph(nargs+len(args)+1))
	return query, append(args, limit+1), limit, nil
}

// Nanos is how a time is stored: unix nanoseconds, 0 for the zero time.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos reads a stored time back, in UTC; 0 is the zero time.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// TimeDest scans a Nanos column back into a UTC time. It is a
// database/sql Scanner, which both stores' drivers accept.
type TimeDest struct{ T *time.Time }

func (d TimeDest) Scan(v any) error {
	switch n := v.(type) {
	case nil:
		*d.T = time.Time{}
	case int64:
		*d.T = FromNanos(n)
	default:
		return fmt.Errorf("time column holds %T", v)
	}
	return nil
}

// LeftGuestCols are the guest columns of a LEFT JOIN on guests g: an
// absent guest reads as found = false instead of NULLs.
const LeftGuestCols = `g.id IS NOT NULL, COALESCE(g.id, ''), COALESCE(g.tenant_id, ''),
	COALESCE(g.mail, ''), COALESCE(g.display_name, ''), COALESCE(g.state, ''), COALESCE(g.invited_by, ''),
	g.invited_at, g.redeemed_at, g.last_sign_in_at, g.created_at, g.updated_at, COALESCE(g.redeemed_with, '')`

// LeftGuest scans LeftGuestCols.
type LeftGuest struct {
	found bool
	g     guestpass.Guest
}

// Dest is the scan destinations of LeftGuestCols, in order.
func (l *LeftGuest) Dest() []any {
	g := &l.g
	return []any{&l.found, &g.ID, &g.TenantID, &g.Mail, &g.DisplayName, &g.State, &g.InvitedBy,
		TimeDest{&g.InvitedAt}, TimeDest{&g.RedeemedAt}, TimeDest{&g.LastSignInAt}, TimeDest{&g.CreatedAt}, TimeDest{&g.UpdatedAt}, &g.RedeemedWith}
}

// Guest is the scanned guest, nil when the join found none.
func (l *LeftGuest) Guest() *guestpass.Guest {
	if !l.found {
		return nil
	}
	return &l.g
}

// KindsJSON is how a tenant's mfaMethods are stored: a JSON list of names,
// like the domain lists ("null" for nil).
func KindsJSON(ks []guestpass.MFAKind) string {
	b, _ := json.Marshal(ks) // a []string underneath: cannot fail
	return string(b)
}

// Kinds reads back the names a list column held.
func Kinds(names []string) []guestpass.MFAKind {
	if names == nil {
		return nil
	}
	out := make([]guestpass.MFAKind, len(names))
	for i, n := range names {
		out[i] = guestpass.MFAKind(n)
	}
	return out
}
