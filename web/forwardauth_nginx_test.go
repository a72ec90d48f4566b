package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/nginxtest"
	"github.com/guestpass/guestpass/internal/servertest"
)

// echoApp is the upstream: it answers with the identity headers it got.
func echoApp(t *testing.T) *httptest.Server {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "app sees user=%s email=%s tenant=%s\n", r.Header.Get("Remote-User"), r.Header.Get("Remote-Email"), r.Header.Get("Remote-Tenant"))
	}))
	t.Cleanup(app.Close)
	return app
}

// via fetches path on host through nginx with c's cookies.
func via(t *testing.T, c *guestclient.Client, nginx, host, path string) *guestclient.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+nginx+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNginxAuthRequest(t *testing.T) {
	e := newFwdEnv(t, servertest.Options{TrustedProxies: loopback})
	app := echoApp(t)
	nginx := nginxtest.Start(t, strings.TrimPrefix(e.URL, "http://"), strings.TrimPrefix(app.URL, "http://"))
	jo, al, stranger := e.Browser(), e.Browser(), e.Browser()
	e.SignIn(t, jo, e.tenant.ID, e.jo.Mail, "")
	e.SignIn(t, al, e.tenant.ID, e.al.Mail, "")

	t.Run("SignedInGuestReachesTheApp", func(t *testing.T) {
		r := via(t, jo, nginx, wikiHost, "/page")
		if want := "app sees user=" + e.jo.ID + " email=" + e.jo.Mail + " tenant=" + e.tenant.ID; r.Status != 200 || !strings.Contains(r.Body, want) {
			t.Fatalf("%d %q, want 200 with %q", r.Status, r.Body, want)
		}
	})
	t.Run("StrangerIsSentToSignIn", func(t *testing.T) {
		r := via(t, stranger, nginx, wikiHost, "/page?x=1")
		if r.Status != http.StatusFound || !strings.HasPrefix(r.Location, e.URL+"/t/"+e.tenant.ID+"/signin?app="+e.wiki.ID+"&return_to=http%3A%2F%2F"+wikiHost) {
			t.Fatalf("%d to %q", r.Status, r.Location)
		}
		// The sign-in page keeps that destination, and signing in lands there.
		c := e.Browser()
		dest := e.SignIn(t, c, e.tenant.ID, e.jo.Mail, "http://"+wikiHost+"/page?x=1")
		if dest != "http://"+wikiHost+"/page?x=1" {
			t.Fatalf("sign-in ended at %q", dest)
		}
	})
	t.Run("UnassignedGuestIsForbidden", func(t *testing.T) {
		if r := via(t, al, nginx, wikiHost, "/"); r.Status != http.StatusForbidden || strings.Contains(r.Body, "app sees") {
			t.Fatalf("%d %q", r.Status, r.Body)
		}
		if r := via(t, al, nginx, docsHost, "/"); r.Status != 200 {
			t.Fatalf("all-guests app: %d", r.Status)
		}
	})
	t.Run("UnknownHostIsForbidden", func(t *testing.T) {
		if r := via(t, jo, nginx, "nowhere.example.test", "/"); r.Status != http.StatusForbidden {
			t.Fatalf("%d", r.Status)
		}
	})
	t.Run("ForgedOrTamperedCookieIsRefused", func(t *testing.T) {
		good := jo.CookieWithPrefix("__Host-gp-session-")
		for _, v := range []string{good.Value[:len(good.Value)-2] + "AA", "forged-forged-forged-forged-forged-forged"} {
			c := e.Browser()
			req, _ := http.NewRequest(http.MethodGet, "http://"+nginx+"/", nil)
			req.Host = wikiHost
			req.Header.Set("Cookie", good.Name+"="+v)
			r, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != http.StatusFound || strings.Contains(r.Body, "app sees") {
				t.Fatalf("cookie %q: %d", v, r.Status)
			}
		}
	})
	t.Run("RevokedSessionRefusedWithinASecond", func(t *testing.T) {
		if _, err := e.Svc.RevokeGuestSessions(t.Context(), e.Op, e.tenant.ID, e.jo.ID); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for {
			began := time.Since(start)
			r := via(t, jo, nginx, wikiHost, "/")
			if r.Status == http.StatusFound {
				t.Logf("refused %v after the revocation", began)
				return
			}
			if began > time.Second {
				t.Fatalf("a request %v after the revocation still got %d", began, r.Status)
			}
			time.Sleep(time.Millisecond)
		}
	})
}
