package guestpass_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/sqlite"
	"github.com/guestpass/guestpass/upstream"
)

// TestOIDCClient: the OpenID provider's per-use check of an app (userinfo,
// refresh) reads the app from the in-memory index while the change feed is
// fresh, follows a change at once on the node that made it, and reads the
// database on a node that is not following the feed.
func TestOIDCClient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gp.db")
	clock := guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	e, counted := countingNode(t, path, clock, &recordingMailer{})
	var err error
	if e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	op := mustOperator(t, e)
	jo, al := e.invite(t, "jo@fabrikam.com").Guest, e.invite(t, "al@fabrikam.com").Guest
	name, typ := "Wiki", guestpass.AppOIDC
	app, _, err := e.svc.CreateApplicationLocal(t.Context(), e.tenant.ID, &guestpass.AppInput{DisplayName: &name, Type: &typ,
		RedirectURIs: &[]string{"https://wiki.example.com/cb"}, Assignment: ptr(guestpass.AssignAssigned), AssignedGuestIDs: &[]string{jo.ID}})
	if err != nil {
		t.Fatal(err)
	}
	proxy, _, err := e.svc.CreateApplicationLocal(t.Context(), e.tenant.ID, proxyInput(guestpass.AssignAll, nil, "wiki.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	allows := func(t *testing.T, svc *guestpass.Service, tenantID, clientID string, g *guestpass.Guest) string {
		t.Helper()
		c, err := svc.OIDCClient(t.Context(), tenantID, clientID)
		switch {
		case guestpass.KindOf(err) == guestpass.KindNotFound:
			return "not found"
		case err != nil:
			t.Fatal(err)
		case c.App.ID != clientID:
			t.Fatalf("asked for %s, got %s", clientID, c.App.ID)
		case c.Allows(g.ID):
			return "allowed"
		}
		return "refused"
	}
	check := func(t *testing.T, svc *guestpass.Service) {
		t.Helper()
		for _, tc := range []struct {
			tenantID, clientID string
			g                  *guestpass.Guest
			want               string
		}{
			{e.tenant.ID, app.ID, jo, "allowed"},
			{e.tenant.ID, app.ID, al, "refused"},
			{other.ID, app.ID, jo, "not found"},      // another tenant's client
			{e.tenant.ID, proxy.ID, jo, "not found"}, // a proxy app is no client
			{e.tenant.ID, "no-such-id", jo, "not found"},
		} {
			if got := allows(t, svc, tc.tenantID, tc.clientID, tc.g); got != tc.want {
				t.Errorf("%s in %s for %s: %s, want %s", tc.clientID, tc.tenantID, tc.g.Mail, got, tc.want)
			}
		}
	}

	t.Run("FromMemory", func(t *testing.T) {
		check(t, e.svc)
		idx, apps := counted.indexReads.Load(), counted.appReads.Load()
		for range 100 {
			check(t, e.svc)
		}
		if d := [2]int64{counted.indexReads.Load() - idx, counted.appReads.Load() - apps}; d != [2]int64{} {
			t.Fatalf("500 warm checks read the database: index %d, application %d", d[0], d[1])
		}
	})
	t.Run("ChangeAppliesAtOnce", func(t *testing.T) {
		if _, err := e.svc.UpdateApplication(t.Context(), op, e.tenant.ID, app.ID, &guestpass.AppInput{AssignedGuestIDs: &[]string{al.ID}}); err != nil {
			t.Fatal(err)
		}
		if got := allows(t, e.svc, e.tenant.ID, app.ID, jo) + " " + allows(t, e.svc, e.tenant.ID, app.ID, al); got != "refused allowed" {
			t.Fatalf("after reassigning from jo to al: %s", got)
		}
		if _, err := e.svc.UpdateApplication(t.Context(), op, e.tenant.ID, app.ID, &guestpass.AppInput{AssignedGuestIDs: &[]string{jo.ID}}); err != nil {
			t.Fatal(err)
		}
		check(t, e.svc)
	})
	t.Run("WithoutTheFeedFromTheDatabase", func(t *testing.T) {
		// A node that never started follows no feed: nothing in memory is
		// trusted.
		st, err := sqlite.Open(t.Context(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		c := &proxyCountingStore{Store: st, MailQueue: st}
		keys, _ := guestpass.NewKeys([]byte(strings.Repeat("k", 32)))
		svc, err := guestpass.NewService(guestpass.Config{Store: c, Keys: keys, BaseURL: "http://localhost:8080", Clock: clock,
			Upstream: upstream.New(upstream.Options{})})
		if err != nil {
			t.Fatal(err)
		}
		check(t, svc)
		if c.indexReads.Load() != 0 || c.appReads.Load() != 5 {
			t.Fatalf("5 checks without the feed: %d index reads, %d application reads", c.indexReads.Load(), c.appReads.Load())
		}
		if err := e.svc.DeleteApplication(t.Context(), op, e.tenant.ID, app.ID); err != nil {
			t.Fatal(err)
		}
		if got := allows(t, svc, e.tenant.ID, app.ID, jo) + " " + allows(t, e.svc, e.tenant.ID, app.ID, jo); got != "not found not found" {
			t.Fatalf("a deleted client: %s", got)
		}
	})
}
