package guestpass_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

// proxyCountingStore counts the forward-auth reads that reach the database
// and can make the change feed unreadable.
type proxyCountingStore struct {
	guestpass.Store
	guestpass.MailQueue
	indexReads, hostReads, sessionReads atomic.Int64
	appReads, tenantReads               atomic.Int64
	feedDown                            atomic.Bool
}

func (c *proxyCountingStore) GetTenant(ctx context.Context, id string) (*guestpass.Tenant, error) {
	c.tenantReads.Add(1)
	return c.Store.GetTenant(ctx, id)
}

func (c *proxyCountingStore) GetApplication(ctx context.Context, tenantID, id string) (*guestpass.Application, error) {
	c.appReads.Add(1)
	return c.Store.GetApplication(ctx, tenantID, id)
}

func (c *proxyCountingStore) IndexedApplications(ctx context.Context) ([]*guestpass.Application, error) {
	c.indexReads.Add(1)
	return c.Store.IndexedApplications(ctx)
}

func (c *proxyCountingStore) ApplicationByHost(ctx context.Context, host string) (*guestpass.Application, error) {
	c.hostReads.Add(1)
	return c.Store.ApplicationByHost(ctx, host)
}

func (c *proxyCountingStore) GetSessionByProxyToken(ctx context.Context, h []byte) (*guestpass.Session, error) {
	c.sessionReads.Add(1)
	return c.Store.GetSessionByProxyToken(ctx, h)
}

func (c *proxyCountingStore) ChangesSince(ctx context.Context, after int64, limit int) ([]guestpass.Change, error) {
	if c.feedDown.Load() {
		return nil, errors.New("feed down")
	}
	return c.Store.ChangesSince(ctx, after, limit)
}

func countingNode(t *testing.T, path string, clock *guestpass.FakeClock, mailer *recordingMailer) (*env, *proxyCountingStore) {
	var counted *proxyCountingStore
	e := newNode(t, path, clock, mailer, func(st guestpass.Store) guestpass.Store {
		counted = &proxyCountingStore{Store: st, MailQueue: st.(guestpass.MailQueue)}
		return counted
	})
	return e, counted
}

func proxyInput(assignment guestpass.Assignment, guests []string, hosts ...string) *guestpass.AppInput {
	name, typ := "Wiki", guestpass.AppProxy
	return &guestpass.AppInput{DisplayName: &name, Type: &typ, Hosts: &hosts, Assignment: &assignment, AssignedGuestIDs: &guests}
}

// signedInGrant signs addr in and returns the whole grant (both tokens).
func (e *env) signedInGrant(t *testing.T, addr string, nth int) *guestpass.SessionGrant {
	t.Helper()
	flow := e.send(t, "", addr)
	codes := e.waitCodes(t, addr, nth)
	res, err := e.verify(t, flow, codes[nth-1])
	if err != nil {
		t.Fatal(err)
	}
	if res.NeedConsent {
		if res, err = e.svc.Consent(t.Context(), guestpass.ConsentRequest{TenantID: e.tenant.ID, FlowToken: flow, Accept: true, Client: client}); err != nil {
			t.Fatal(err)
		}
	}
	return res.Session
}

// authorize is one forward-auth check on node e: "ok", "signin" or
// "forbidden".
func authorize(t *testing.T, e *env, host, token string, cred guestpass.ProxyCredential) string {
	t.Helper()
	target, err := e.svc.ProxyTarget(t.Context(), host)
	if err == nil {
		_, err = e.svc.AuthorizeProxy(t.Context(), target, token, cred)
	}
	if err == nil {
		return "ok"
	}
	switch guestpass.KindOf(err) {
	case guestpass.KindUnauthorized:
		return "signin"
	case guestpass.KindForbidden:
		return "forbidden"
	}
	t.Fatal(err)
	return ""
}

func TestAuthorizeProxy(t *testing.T) {
	e, counted := countingNode(t, filepath.Join(t.TempDir(), "gp.db"), guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)), &recordingMailer{})
	var err error
	if e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	jo := e.invite(t, "jo@fabrikam.com").Guest
	e.invite(t, "al@fabrikam.com")
	if _, _, err := e.svc.CreateApplicationLocal(t.Context(), e.tenant.ID, proxyInput(guestpass.AssignAssigned, []string{jo.ID}, "wiki.example.com")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.CreateApplicationLocal(t.Context(), e.tenant.ID, proxyInput(guestpass.AssignAll, nil, "*.docs.example.com")); err != nil {
		t.Fatal(err)
	}
	other, err := e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.CreateApplicationLocal(t.Context(), other.ID, proxyInput(guestpass.AssignAll, nil, "other.example.com")); err != nil {
		t.Fatal(err)
	}
	joGrant := e.signedInGrant(t, "jo@fabrikam.com", 1)
	alGrant := e.signedInGrant(t, "al@fabrikam.com", 1)
	P, S := guestpass.CredentialProxy, guestpass.CredentialSession
	for _, tc := range []struct {
		name, host, token string
		cred              guestpass.ProxyCredential
		want              string
	}{
		{"AssignedGuestByProxyToken", "wiki.example.com", joGrant.ProxyToken, P, "ok"},
		{"AssignedGuestBySessionCookie", "WIKI.example.com", joGrant.Token, S, "ok"},
		{"WildcardForAllGuests", "a.docs.example.com", alGrant.ProxyToken, P, "ok"},
		{"UnassignedGuest", "wiki.example.com", alGrant.ProxyToken, P, "forbidden"},
		{"UnknownHost", "nowhere.example.com", joGrant.ProxyToken, P, "forbidden"},
		{"MalformedHost", "wiki.example.com:1:2", joGrant.ProxyToken, P, "forbidden"},
		{"AnotherTenantsHost", "other.example.com", joGrant.ProxyToken, P, "signin"},
		{"SessionTokenIsNoProxyToken", "wiki.example.com", joGrant.Token, P, "signin"},
		{"ProxyTokenIsNoSessionToken", "wiki.example.com", joGrant.ProxyToken, S, "signin"},
		{"NoToken", "wiki.example.com", "", P, "signin"},
		{"ForgedToken", "wiki.example.com", joGrant.ProxyToken[:len(joGrant.ProxyToken)-2] + "AA", P, "signin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := authorize(t, e, tc.host, tc.token, tc.cred); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	t.Run("ReturnToAppHosts", func(t *testing.T) {
		for raw, want := range map[string]bool{
			"https://wiki.example.com/page?x=1":  true,
			"http://a.docs.example.com/":         true, // GuestPass itself is on http here
			"https://other.example.com/":         false,
			"https://nowhere.example.com/":       false,
			"https://user@wiki.example.com/":     false,
			"javascript://wiki.example.com/%0a1": false,
			"//wiki.example.com/":                false,
		} {
			if _, ok := e.svc.CleanTenantReturnTo(t.Context(), e.tenant.ID, raw); ok != want {
				t.Errorf("return_to %q: ok %v, want %v", raw, ok, want)
			}
		}
	})
	t.Run("WarmChecksReadNothing", func(t *testing.T) {
		idx, host, sess := counted.indexReads.Load(), counted.hostReads.Load(), counted.sessionReads.Load()
		for range 100 {
			if authorize(t, e, "wiki.example.com", joGrant.ProxyToken, P) != "ok" {
				t.Fatal("refused")
			}
		}
		if d := [3]int64{counted.indexReads.Load() - idx, counted.hostReads.Load() - host, counted.sessionReads.Load() - sess}; d != [3]int64{} {
			t.Fatalf("100 warm checks read the database: index %d, host %d, session %d", d[0], d[1], d[2])
		}
	})
	t.Run("SignOutEndsTheProxyToken", func(t *testing.T) {
		if err := e.svc.SignOut(t.Context(), e.tenant.ID, alGrant.Token, client); err != nil {
			t.Fatal(err)
		}
		if got := authorize(t, e, "a.docs.example.com", alGrant.ProxyToken, P); got != "signin" {
			t.Fatalf("after sign-out: %s", got)
		}
	})
	t.Run("ExpiresWithTheSession", func(t *testing.T) {
		e.clock.Advance(24 * time.Hour)
		if got := authorize(t, e, "wiki.example.com", joGrant.ProxyToken, P); got != "signin" {
			t.Fatalf("after 24 h: %s", got)
		}
	})
}

// TestProxyIndexReachesEveryNode changes apps on node A and checks that
// node B, which holds them in memory, follows within a second; and that a
// node whose feed is unreadable asks the database instead of its memory.
func TestProxyIndexReachesEveryNode(t *testing.T) {
	path, clock, mailer := cluster(t)
	a := newNode(t, path, clock, mailer, nil)
	b, counted := countingNode(t, path, clock, mailer)
	var err error
	if a.tenant, err = a.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	b.tenant = a.tenant
	op := mustOperator(t, a)
	jo := a.invite(t, "jo@fabrikam.com").Guest
	app, _, err := a.svc.CreateApplicationLocal(t.Context(), a.tenant.ID, proxyInput(guestpass.AssignAssigned, []string{jo.ID}, "wiki.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	grant := a.signedInGrant(t, "jo@fabrikam.com", 1)
	P := guestpass.CredentialProxy
	until := func(t *testing.T, host, want string) {
		t.Helper()
		start := time.Now()
		for {
			began := time.Since(start)
			if authorize(t, b, host, grant.ProxyToken, P) == want {
				t.Logf("node B answered %s after %v", want, began)
				return
			}
			if began > time.Second {
				t.Fatalf("a check %v after the change still did not answer %s", began, want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	until(t, "wiki.example.com", "ok")
	steps := []struct {
		name, host, want string
		in               *guestpass.AppInput
	}{
		{"Unassigned", "wiki.example.com", "forbidden", &guestpass.AppInput{AssignedGuestIDs: &[]string{}}},
		{"AllGuests", "wiki.example.com", "ok", &guestpass.AppInput{Assignment: ptr(guestpass.AssignAll)}},
		{"HostMoved", "wiki.example.com", "forbidden", &guestpass.AppInput{Hosts: &[]string{"*.wiki.example.com"}}},
		{"NewHostServed", "a.wiki.example.com", "ok", &guestpass.AppInput{}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if _, err := a.svc.UpdateApplication(t.Context(), op, a.tenant.ID, app.ID, st.in); err != nil {
				t.Fatal(err)
			}
			until(t, st.host, st.want)
		})
	}
	t.Run("StaleFeedAsksTheDatabase", func(t *testing.T) {
		counted.feedDown.Store(true)
		defer counted.feedDown.Store(false)
		before := counted.hostReads.Load()
		start := time.Now()
		for counted.hostReads.Load() == before {
			if authorize(t, b, "a.wiki.example.com", grant.ProxyToken, P) != "ok" {
				t.Fatal("database path refused a good request")
			}
			if time.Since(start) > 3*time.Second {
				t.Fatal("node B kept answering from memory with its feed unreadable")
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		if err := a.svc.DeleteApplication(t.Context(), op, a.tenant.ID, app.ID); err != nil {
			t.Fatal(err)
		}
		until(t, "a.wiki.example.com", "forbidden")
	})
}
