package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func newIDP(tb testing.TB, tenantID string, created time.Time) *guestpass.IdentityProvider {
	tb.Helper()
	return &guestpass.IdentityProvider{ID: newID(tb), TenantID: tenantID, DisplayName: "Fabrikam",
		Issuer: "https://login.fabrikam.com", ClientID: "guestpass", SealedSecret: randomHash(tb),
		Scopes: []string{"openid", "email"}, EmailDomains: []string{"fabrikam.com"},
		CreatedAt: created, UpdatedAt: created}
}

func idpTests() []test {
	return []test{
		{"CreateGetUpdateDelete", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			want := newIDP(t, tn.ID, at(0))
			must(t, s.CreateIdentityProvider(t.Context(), want))
			got, err := s.GetIdentityProvider(t.Context(), tn.ID, want.ID)
			must(t, err)
			equal(t, want, got)

			want.DisplayName, want.Issuer, want.ClientID = "Contoso", "https://id.contoso.com/", "gp2"
			want.SealedSecret, want.Scopes = nil, []string{"openid"}
			want.EmailDomains, want.UpdatedAt = []string{"contoso.com", "contoso.org"}, at(time.Hour)
			must(t, s.UpdateIdentityProvider(t.Context(), want))
			got, err = s.GetIdentityProvider(t.Context(), tn.ID, want.ID)
			must(t, err)
			equal(t, want, got)

			must(t, s.DeleteIdentityProvider(t.Context(), tn.ID, want.ID))
			_, err = s.GetIdentityProvider(t.Context(), tn.ID, want.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.DeleteIdentityProvider(t.Context(), tn.ID, want.ID), guestpass.ErrNotFound)
			wantErr(t, s.UpdateIdentityProvider(t.Context(), want), guestpass.ErrNotFound)
		}},
		{"OtherTenantCannotSee", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			p := newIDP(t, a.ID, at(0))
			must(t, s.CreateIdentityProvider(t.Context(), p))
			_, err := s.GetIdentityProvider(t.Context(), b.ID, p.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.DeleteIdentityProvider(t.Context(), b.ID, p.ID), guestpass.ErrNotFound)
			list, _, err := s.ListIdentityProviders(t.Context(), b.ID, guestpass.Page{})
			must(t, err)
			if len(list) != 0 {
				t.Fatalf("tenant b sees %d providers", len(list))
			}
		}},
		{"ListPagesOldestFirst", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			var want []*guestpass.IdentityProvider
			for i := range 5 {
				p := newIDP(t, tn.ID, at(time.Duration(i)*time.Minute))
				must(t, s.CreateIdentityProvider(t.Context(), p))
				want = append(want, p)
			}
			got, sizes := pages(t, 2, func(p guestpass.Page) ([]*guestpass.IdentityProvider, string, error) {
				return s.ListIdentityProviders(t.Context(), tn.ID, p)
			})
			equal(t, want, got)
			equal(t, []int{2, 2, 1}, sizes)
		}},
	}
}
