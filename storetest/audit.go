package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func newEvent(tb testing.TB, tenantID string, typ guestpass.AuditType, when time.Time) *guestpass.AuditEvent {
	tb.Helper()
	return &guestpass.AuditEvent{
		ID:        newID(tb),
		TenantID:  tenantID,
		Time:      when,
		Type:      typ,
		Action:    "code.verify",
		Outcome:   "failure",
		Reason:    "wrong_code",
		GuestID:   "guest-1",
		Actor:     "guest",
		IP:        "192.0.2.1",
		UserAgent: "Mozilla/5.0",
		Detail:    `{"attempt":2}`,
	}
}

// appendEvents appends one event per offset, in the given order, and
// returns their IDs.
func appendEvents(tb testing.TB, s guestpass.Store, tenantID string, typ guestpass.AuditType, offsets ...time.Duration) []string {
	tb.Helper()
	var out []string
	for _, d := range offsets {
		e := newEvent(tb, tenantID, typ, at(d))
		must(tb, s.AppendAudit(tb.Context(), e))
		out = append(out, e.ID)
	}
	return out
}

func listAudit(tb testing.TB, s guestpass.Store, tenantID string, typ guestpass.AuditType, limit int) ([]string, []int) {
	tb.Helper()
	got, sizes := pages(tb, limit, func(p guestpass.Page) ([]*guestpass.AuditEvent, string, error) {
		return s.ListAudit(tb.Context(), tenantID, typ, p)
	})
	return ids(got, func(e *guestpass.AuditEvent) string { return e.ID }), sizes
}

func auditTests() []test {
	return []test{
		{"AppendThenList", func(t *testing.T, s guestpass.Store) {
			want := newEvent(t, "tenant-1", guestpass.AuditSignIn, at(0))
			must(t, s.AppendAudit(t.Context(), want))
			got, next, err := s.ListAudit(t.Context(), "tenant-1", "", guestpass.Page{})
			must(t, err)
			equal(t, []*guestpass.AuditEvent{want}, got)
			if next != "" {
				t.Fatalf("next %q", next)
			}
		}},
		{"NewestFirst", func(t *testing.T, s guestpass.Store) {
			e := appendEvents(t, s, "tenant-1", guestpass.AuditSignIn, time.Minute, 0, 2*time.Minute)
			got, _ := listAudit(t, s, "tenant-1", "", 10)
			equal(t, []string{e[2], e[0], e[1]}, got)
		}},
		{"FilterByType", func(t *testing.T, s guestpass.Store) {
			signIns := appendEvents(t, s, "tenant-1", guestpass.AuditSignIn, 0, 2*time.Minute)
			admin := appendEvents(t, s, "tenant-1", guestpass.AuditAdmin, time.Minute)
			got, _ := listAudit(t, s, "tenant-1", guestpass.AuditSignIn, 10)
			equal(t, []string{signIns[1], signIns[0]}, got)
			got, _ = listAudit(t, s, "tenant-1", guestpass.AuditAdmin, 10)
			equal(t, admin, got)
		}},
		{"ScopedByTenant", func(t *testing.T, s guestpass.Store) {
			appendEvents(t, s, "tenant-2", guestpass.AuditSignIn, 0)
			got, _ := listAudit(t, s, "tenant-1", "", 10)
			equal(t, []string(nil), got)
		}},
		{"PagesThroughTies", func(t *testing.T, s guestpass.Store) {
			appendEvents(t, s, "tenant-1", guestpass.AuditSignIn, 0, time.Minute, time.Minute, time.Minute, 2*time.Minute)
			all, _ := listAudit(t, s, "tenant-1", "", 100)
			got, sizes := listAudit(t, s, "tenant-1", "", 2)
			equal(t, all, got)
			equal(t, []int{2, 2, 1}, sizes)
		}},
		{"DuplicateIDIsConflict", func(t *testing.T, s guestpass.Store) {
			e := newEvent(t, "tenant-1", guestpass.AuditAdmin, at(0))
			must(t, s.AppendAudit(t.Context(), e))
			wantErr(t, s.AppendAudit(t.Context(), e), guestpass.ErrConflict)
		}},
	}
}
