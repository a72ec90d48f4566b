package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func tenantTests() []test {
	return []test{
		{"CreateThenGet", func(t *testing.T, s guestpass.Store) {
			want := newTenant(t, at(0))
			want.Settings.BlockedDomains = []string{"spam.example"}
			must(t, s.CreateTenant(t.Context(), want))
			got, err := s.GetTenant(t.Context(), want.ID)
			must(t, err)
			equal(t, want, got)
		}},
		{"UnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			_, err := s.GetTenant(t.Context(), newID(t))
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"DuplicateIDIsConflict", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			wantErr(t, s.CreateTenant(t.Context(), tn), guestpass.ErrConflict)
		}},
		{"UpdateKeepsCreatedAt", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			tn.DisplayName = "Contoso Ltd"
			tn.VerifiedDomains = nil
			tn.Settings = guestpass.TenantSettings{EmailOTP: guestpass.EmailOTPDisabled, CodeLifetime: 5 * time.Minute,
				MFAMethods: []guestpass.MFAKind{guestpass.MFAPasskey}}
			tn.UpdatedAt = at(time.Hour)
			must(t, s.UpdateTenant(t.Context(), tn))
			got, err := s.GetTenant(t.Context(), tn.ID)
			must(t, err)
			equal(t, tn, got)
		}},
		{"UpdateUnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			wantErr(t, s.UpdateTenant(t.Context(), newTenant(t, at(0))), guestpass.ErrNotFound)
		}},
		{"ListPagesOldestFirst", func(t *testing.T, s guestpass.Store) {
			var want []string
			for i := range 5 {
				tn := newTenant(t, at(time.Duration(i)*time.Second))
				must(t, s.CreateTenant(t.Context(), tn))
				want = append(want, tn.ID)
			}
			got, sizes := pages(t, 2, func(p guestpass.Page) ([]*guestpass.Tenant, string, error) {
				return s.ListTenants(t.Context(), p)
			})
			equal(t, want, ids(got, func(tn *guestpass.Tenant) string { return tn.ID }))
			equal(t, []int{2, 2, 1}, sizes)
		}},
		{"ListEmpty", func(t *testing.T, s guestpass.Store) {
			got, next, err := s.ListTenants(t.Context(), guestpass.Page{})
			must(t, err)
			if len(got) != 0 || next != "" {
				t.Fatalf("got %d tenants, next %q", len(got), next)
			}
		}},
		{"BadCursorIsInvalid", func(t *testing.T, s guestpass.Store) {
			_, _, err := s.ListTenants(t.Context(), guestpass.Page{After: "not a cursor!"})
			wantKind(t, err, guestpass.KindInvalid)
		}},
	}
}

func adminTokenTests() []test {
	return []test{
		{"CreateThenGetByHash", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			for _, want := range []*guestpass.AdminToken{
				{ID: newID(t), TenantID: tn.ID, Name: "ci", Hash: randomHash(t), CreatedAt: at(0)},
				{ID: newID(t), Name: "operator", Hash: randomHash(t), CreatedAt: at(time.Second)},
			} {
				must(t, s.CreateAdminToken(t.Context(), want))
				got, err := s.GetAdminToken(t.Context(), want.Hash)
				must(t, err)
				equal(t, want, got)
			}
		}},
		{"UnknownHashIsNotFound", func(t *testing.T, s guestpass.Store) {
			_, err := s.GetAdminToken(t.Context(), randomHash(t))
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"DuplicateHashIsConflict", func(t *testing.T, s guestpass.Store) {
			tok := &guestpass.AdminToken{ID: newID(t), Name: "a", Hash: randomHash(t), CreatedAt: at(0)}
			must(t, s.CreateAdminToken(t.Context(), tok))
			tok.ID = newID(t)
			wantErr(t, s.CreateAdminToken(t.Context(), tok), guestpass.ErrConflict)
		}},
	}
}
