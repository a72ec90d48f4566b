package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func newApp(tb testing.TB, tenantID string, typ guestpass.AppType, created time.Time) *guestpass.Application {
	tb.Helper()
	a := &guestpass.Application{ID: newID(tb), TenantID: tenantID, DisplayName: "Wiki", Type: typ,
		Assignment: guestpass.AssignAll, CreatedAt: created, UpdatedAt: created}
	if typ == guestpass.AppOIDC {
		a.RedirectURIs = []string{"https://app.example.com/cb"}
		a.SecretHash = randomHash(tb)
	} else {
		a.Hosts = []string{newID(tb) + ".example.com"}
	}
	return a
}

// createApp creates an app the way the service does: inside Update.
func createApp(tb testing.TB, s guestpass.Store, a *guestpass.Application) error {
	tb.Helper()
	return s.Update(context.Background(), func(tx guestpass.Tx) error { return tx.CreateApplication(context.Background(), a) })
}

func appTests() []test {
	return []test{
		{"CreateThenGetWithListsAndSecrets", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g1, g2 := mustGuest(t, s, tn.ID, "a@fabrikam.com"), mustGuest(t, s, tn.ID, "b@fabrikam.com")
			want := newApp(t, tn.ID, guestpass.AppOIDC, at(0))
			want.PostLogoutRedirectURIs = []string{"https://app.example.com/bye"}
			want.PrevSecretHash, want.PrevSecretExpiresAt = randomHash(t), at(time.Hour)
			want.Assignment, want.RequireMFA, want.IDTokenAlg = guestpass.AssignAssigned, true, guestpass.AlgES256
			want.AssignedGuestIDs = sortedIDs(g1.ID, g2.ID)
			must(t, createApp(t, s, want))
			got, err := s.GetApplication(t.Context(), tn.ID, want.ID)
			must(t, err)
			equal(t, want, got)
			got, err = s.GetApplicationByID(t.Context(), want.ID)
			must(t, err)
			equal(t, want, got)
			proxy := newApp(t, tn.ID, guestpass.AppProxy, at(time.Second))
			proxy.Hosts = []string{"*.docs.example.com", "wiki.example.com:8443"}
			must(t, createApp(t, s, proxy))
			got, err = s.ApplicationByHost(t.Context(), "*.docs.example.com")
			must(t, err)
			equal(t, proxy, got)
		}},
		{"ProxyApplicationsListsEveryTenantsProxies", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			g := mustGuest(t, s, b.ID, "jo@fabrikam.com")
			must(t, createApp(t, s, newApp(t, a.ID, guestpass.AppOIDC, at(0))))
			pa := newApp(t, a.ID, guestpass.AppProxy, at(0))
			pb := newApp(t, b.ID, guestpass.AppProxy, at(time.Second))
			pb.Hosts = []string{"*.docs.example.com", "wiki.example.com"}
			pb.Assignment, pb.AssignedGuestIDs = guestpass.AssignAssigned, []string{g.ID}
			must(t, createApp(t, s, pa))
			must(t, createApp(t, s, pb))
			got, err := s.ProxyApplications(t.Context())
			must(t, err)
			want := []*guestpass.Application{pa, pb}
			if pb.ID < pa.ID {
				want = []*guestpass.Application{pb, pa}
			}
			equal(t, want, got)
		}},
		{"OtherTenantIsNotFound", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			app := newApp(t, a.ID, guestpass.AppOIDC, at(0))
			must(t, createApp(t, s, app))
			_, err := s.GetApplication(t.Context(), b.ID, app.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.DeleteApplication(t.Context(), b.ID, app.ID), guestpass.ErrNotFound)
		}},
		{"HostBelongsToOneApplicationAcrossTenants", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			first := newApp(t, a.ID, guestpass.AppProxy, at(0))
			must(t, createApp(t, s, first))
			second := newApp(t, b.ID, guestpass.AppProxy, at(0))
			second.Hosts = append(second.Hosts, first.Hosts[0])
			wantErr(t, createApp(t, s, second), guestpass.ErrConflict)
			// Nothing of the refused app was kept.
			_, err := s.GetApplicationByID(t.Context(), second.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.ApplicationByHost(t.Context(), second.Hosts[0])
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"UpdateReplacesHostsAndAssignments", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "a@fabrikam.com")
			app := newApp(t, tn.ID, guestpass.AppProxy, at(0))
			old := app.Hosts[0]
			must(t, createApp(t, s, app))
			app.Hosts = []string{"new.example.com"}
			app.Assignment, app.AssignedGuestIDs = guestpass.AssignAssigned, []string{g.ID}
			app.DisplayName, app.UpdatedAt = "Renamed", at(time.Minute)
			must(t, s.Update(t.Context(), func(tx guestpass.Tx) error { return tx.UpdateApplication(t.Context(), app) }))
			got, err := s.GetApplication(t.Context(), tn.ID, app.ID)
			must(t, err)
			equal(t, app, got)
			_, err = s.ApplicationByHost(t.Context(), old)
			wantErr(t, err, guestpass.ErrNotFound)
			got, err = s.ApplicationByHost(t.Context(), "new.example.com")
			must(t, err)
			equal(t, app.ID, got.ID)
		}},
		{"UpdateOIDCFields", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			app := newApp(t, tn.ID, guestpass.AppOIDC, at(0))
			must(t, createApp(t, s, app))
			app.IDTokenAlg, app.RequireMFA, app.RedirectURIs = guestpass.AlgES256, true, []string{"https://app.example.com/cb2"}
			app.UpdatedAt = at(time.Minute)
			must(t, s.Update(t.Context(), func(tx guestpass.Tx) error { return tx.UpdateApplication(t.Context(), app) }))
			got, err := s.GetApplication(t.Context(), tn.ID, app.ID)
			must(t, err)
			equal(t, app, got)
		}},
		{"DeleteFreesHosts", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			app := newApp(t, tn.ID, guestpass.AppProxy, at(0))
			must(t, createApp(t, s, app))
			must(t, s.DeleteApplication(t.Context(), tn.ID, app.ID))
			_, err := s.ApplicationByHost(t.Context(), app.Hosts[0])
			wantErr(t, err, guestpass.ErrNotFound)
			again := newApp(t, tn.ID, guestpass.AppProxy, at(0))
			again.Hosts = app.Hosts
			must(t, createApp(t, s, again))
		}},
		{"DeletingAGuestDropsItsAssignments", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g1, g2 := mustGuest(t, s, tn.ID, "a@fabrikam.com"), mustGuest(t, s, tn.ID, "b@fabrikam.com")
			app := newApp(t, tn.ID, guestpass.AppOIDC, at(0))
			app.Assignment, app.AssignedGuestIDs = guestpass.AssignAssigned, sortedIDs(g1.ID, g2.ID)
			must(t, createApp(t, s, app))
			must(t, s.DeleteGuest(t.Context(), tn.ID, g1.ID))
			got, err := s.GetApplication(t.Context(), tn.ID, app.ID)
			must(t, err)
			equal(t, []string{g2.ID}, got.AssignedGuestIDs)
		}},
		{"AssignmentToAnotherTenantsGuestFails", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			foreign := mustGuest(t, s, b.ID, "x@fabrikam.com")
			app := newApp(t, a.ID, guestpass.AppOIDC, at(0))
			app.Assignment, app.AssignedGuestIDs = guestpass.AssignAssigned, []string{foreign.ID}
			if err := createApp(t, s, app); err == nil {
				t.Fatal("an app of tenant A was assigned to a guest of tenant B")
			}
		}},
		{"ApplicationsForGuest", func(t *testing.T, s guestpass.Store) {
			tn, other := mustTenant(t, s), mustTenant(t, s)
			g1, g2 := mustGuest(t, s, tn.ID, "a@fabrikam.com"), mustGuest(t, s, tn.ID, "b@fabrikam.com")
			all := newApp(t, tn.ID, guestpass.AppOIDC, at(0))
			all.DisplayName = "A all"
			only1 := newApp(t, tn.ID, guestpass.AppProxy, at(0))
			only1.DisplayName, only1.Assignment, only1.AssignedGuestIDs = "B only one", guestpass.AssignAssigned, []string{g1.ID}
			foreign := newApp(t, other.ID, guestpass.AppOIDC, at(0))
			for _, a := range []*guestpass.Application{all, only1, foreign} {
				must(t, createApp(t, s, a))
			}
			for _, c := range []struct {
				guest string
				want  []string
			}{{g1.ID, []string{all.ID, only1.ID}}, {g2.ID, []string{all.ID}}} {
				got, err := s.ApplicationsForGuest(t.Context(), tn.ID, c.guest)
				must(t, err)
				equal(t, c.want, ids(got, func(a *guestpass.Application) string { return a.ID }))
			}
		}},
		{"ListPages", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			var want []string
			for i := range 5 {
				a := newApp(t, tn.ID, guestpass.AppProxy, at(time.Duration(i)*time.Second))
				must(t, createApp(t, s, a))
				want = append(want, a.ID)
			}
			got, sizes := pages(t, 2, func(p guestpass.Page) ([]*guestpass.Application, string, error) {
				return s.ListApplications(t.Context(), tn.ID, p)
			})
			equal(t, want, ids(got, func(a *guestpass.Application) string { return a.ID }))
			equal(t, []int{2, 2, 1}, sizes)
		}},
	}
}

func sortedIDs(a, b string) []string {
	if a > b {
		a, b = b, a
	}
	return []string{a, b}
}
