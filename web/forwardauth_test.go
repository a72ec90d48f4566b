package web_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/servertest"
)

// fwdEnv is a server with one tenant, two proxy apps and two guests: jo is
// assigned to the wiki, al is not; the docs are open to all guests.
type fwdEnv struct {
	*servertest.Env
	tenant             *guestpass.Tenant
	jo, al             *guestpass.Guest
	wiki, docs, secure *guestpass.Application
}

const (
	wikiHost   = "wiki.example.test"
	docsHost   = "a.docs.example.test"
	secureHost = "secure.example.test" // requireMfa
)

func newFwdEnv(t *testing.T, o servertest.Options) *fwdEnv {
	t.Helper()
	o.SMTP, o.RealClock = true, true
	e := &fwdEnv{Env: servertest.New(t, o)}
	var err error
	if e.tenant, err = e.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		to   **guestpass.Guest
		mail string
	}{{&e.jo, "jo@fabrikam.test"}, {&e.al, "al@fabrikam.test"}} {
		res, err := e.Svc.InviteLocal(t.Context(), e.tenant.ID, guestpass.InviteRequest{Email: g.mail, DisplayName: "Jo Example"})
		if err != nil {
			t.Fatal(err)
		}
		*g.to = res.Guest
	}
	name, proxy, assigned, mfa := "Wiki", guestpass.AppProxy, guestpass.AssignAssigned, true
	for _, app := range []struct {
		to **guestpass.Application
		in guestpass.AppInput
	}{
		{&e.wiki, guestpass.AppInput{DisplayName: &name, Type: &proxy, Hosts: &[]string{wikiHost}, Assignment: &assigned, AssignedGuestIDs: &[]string{e.jo.ID}}},
		{&e.docs, guestpass.AppInput{DisplayName: &name, Type: &proxy, Hosts: &[]string{"*.docs.example.test"}}},
		{&e.secure, guestpass.AppInput{DisplayName: &name, Type: &proxy, Hosts: &[]string{secureHost}, RequireMFA: &mfa}},
	} {
		if *app.to, _, err = e.Svc.CreateApplicationLocal(t.Context(), e.tenant.ID, &app.in); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// ask sends c's cookies to a forward-auth endpoint with the given headers.
func ask(t *testing.T, c *guestclient.Client, path string, hdr map[string]string) *guestclient.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func forwarded(host, uri string) map[string]string {
	return map[string]string{"X-Forwarded-Method": "GET", "X-Forwarded-Proto": "https", "X-Forwarded-Host": host, "X-Forwarded-Uri": uri}
}

func original(rawURL string) map[string]string {
	return map[string]string{"X-Original-URL": rawURL, "X-Original-Method": "GET"}
}

func TestForwardAuthEndpoints(t *testing.T) {
	e := newFwdEnv(t, servertest.Options{TrustedProxies: loopback})
	jo, al, stranger := e.Browser(), e.Browser(), e.Browser()
	e.SignIn(t, jo, e.tenant.ID, e.jo.Mail, "")
	e.SignIn(t, al, e.tenant.ID, e.al.Mail, "")
	signIn := e.URL + "/t/" + e.tenant.ID + "/signin"

	t.Run("AssignedGuestGetsHeaders", func(t *testing.T) {
		for _, r := range []*guestclient.Response{
			ask(t, jo, "/api/authz/forward-auth", forwarded(wikiHost, "/page")),
			ask(t, jo, "/api/authz/auth-request", original("https://"+wikiHost+"/page")),
		} {
			if r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			got := [4]string{r.Header.Get("Remote-User"), r.Header.Get("Remote-Email"), r.Header.Get("Remote-Name"), r.Header.Get("Remote-Tenant")}
			if want := [4]string{e.jo.ID, e.jo.Mail, "Jo Example", e.tenant.ID}; got != want {
				t.Fatalf("headers %q, want %q", got, want)
			}
			if amr := r.Header.Get("Remote-Amr"); amr != "otp" {
				t.Fatalf("Remote-Amr %q, want otp (emailed code)", amr)
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Fatal("forward-auth answer may be cached")
			}
		}
	})
	t.Run("StrangerIsSentToSignIn", func(t *testing.T) {
		r := ask(t, stranger, "/api/authz/forward-auth", forwarded(wikiHost, "/page?x=1"))
		want := signIn + "?" + url.Values{"app": {e.wiki.ID}, "return_to": {"https://" + wikiHost + "/page?x=1"}}.Encode()
		if r.Status != http.StatusFound || r.Location != want {
			t.Fatalf("%d to %q, want 302 to %q", r.Status, r.Location, want)
		}
		post := forwarded(wikiHost, "/form")
		post["X-Forwarded-Method"] = "POST"
		if r := ask(t, stranger, "/api/authz/forward-auth", post); r.Status != http.StatusSeeOther {
			t.Fatalf("POST without session: %d, want 303", r.Status)
		}
		r = ask(t, stranger, "/api/authz/auth-request", original("https://"+wikiHost+"/page?x=1"))
		if r.Status != http.StatusUnauthorized || r.Location != want {
			t.Fatalf("auth-request: %d with Location %q, want 401 with %q", r.Status, r.Location, want)
		}
	})
	t.Run("UnassignedGuestIsForbidden", func(t *testing.T) {
		if r := ask(t, al, "/api/authz/forward-auth", forwarded(wikiHost, "/")); r.Status != http.StatusForbidden {
			t.Fatalf("status %d", r.Status)
		}
		if r := ask(t, al, "/api/authz/auth-request", original("https://"+wikiHost+"/")); r.Status != http.StatusForbidden {
			t.Fatalf("status %d", r.Status)
		}
		if r := ask(t, al, "/api/authz/forward-auth", forwarded(docsHost, "/")); r.Status != 200 {
			t.Fatalf("all-guests app: status %d", r.Status)
		}
	})
	t.Run("UnknownOrMalformedHostIsForbidden", func(t *testing.T) {
		for _, hdr := range []map[string]string{
			forwarded("nowhere.example.test", "/"),
			forwarded(wikiHost+", evil.test", "/"),
			forwarded("", "/"), // falls back to GuestPass's own host
			original("https://nowhere.example.test/"),
			original("ftp://" + wikiHost + "/"),
			original("https://user@" + wikiHost + "/"),
			original(wikiHost),
		} {
			path := "/api/authz/forward-auth"
			if _, ok := hdr["X-Original-URL"]; ok {
				path = "/api/authz/auth-request"
			}
			if r := ask(t, jo, path, hdr); r.Status != http.StatusForbidden {
				t.Errorf("%v: status %d, want 403", hdr, r.Status)
			}
		}
	})
	t.Run("ForgedOrTamperedCookieIsRefused", func(t *testing.T) {
		good := jo.CookieWithPrefix("__Host-gp-session-")
		for _, v := range []string{good.Value[:len(good.Value)-1] + "x", good.Value + "x", "forged-forged-forged-forged-forged", `"` + good.Value, ""} {
			c := e.Browser()
			hdr := forwarded(wikiHost, "/")
			hdr["Cookie"] = good.Name + "=" + v
			if r := ask(t, c, "/api/authz/forward-auth", hdr); r.Status != http.StatusFound {
				t.Errorf("cookie %q: status %d, want 302", v, r.Status)
			}
		}
	})
	t.Run("AppRequiringMFARefusesSessionWithout", func(t *testing.T) {
		// jo's session proved only the emailed code: the app that requires
		// a second factor sends jo through sign-in again, naming itself so
		// that the new sign-in asks for the factor.
		want := signIn + "?" + url.Values{"app": {e.secure.ID}, "return_to": {"https://" + secureHost + "/"}}.Encode()
		for _, r := range []*guestclient.Response{
			ask(t, jo, "/api/authz/forward-auth", forwarded(secureHost, "/")),
			ask(t, jo, "/api/authz/auth-request", original("https://"+secureHost+"/")),
		} {
			if r.Status == http.StatusOK || r.Location != want {
				t.Fatalf("%d to %q, want sign-in at %q", r.Status, r.Location, want)
			}
		}
		page, err := jo.Get(strings.TrimPrefix(want, e.URL))
		if err != nil || page.Status != http.StatusOK || !strings.Contains(page.Body, `name="app" value="`+e.secure.ID+`"`) {
			t.Fatalf("sign-in page does not carry the app: %v %d", err, page.Status)
		}
	})
	t.Run("SignedOutIsSentToSignIn", func(t *testing.T) {
		if _, err := al.PostForm("/t/"+e.tenant.ID+"/signout", nil); err != nil {
			t.Fatal(err)
		}
		if r := ask(t, al, "/api/authz/forward-auth", forwarded(docsHost, "/")); r.Status != http.StatusFound {
			t.Fatalf("status %d", r.Status)
		}
	})
}

func TestForwardAuthIgnoresUntrustedHeaders(t *testing.T) {
	e := newFwdEnv(t, servertest.Options{}) // no trusted proxies
	jo := e.Browser()
	e.SignIn(t, jo, e.tenant.ID, e.jo.Mail, "")
	if r := ask(t, jo, "/api/authz/forward-auth", forwarded(wikiHost, "/")); r.Status != http.StatusForbidden {
		t.Fatalf("forward-auth believed an untrusted X-Forwarded-Host: %d", r.Status)
	}
	if r := ask(t, jo, "/api/authz/auth-request", original("https://"+wikiHost+"/")); r.Status != http.StatusForbidden {
		t.Fatalf("auth-request believed an untrusted X-Original-URL: %d", r.Status)
	}
}

func TestForwardAuthCookieDomain(t *testing.T) {
	e := newFwdEnv(t, servertest.Options{TrustedProxies: loopback, CookieDomain: "example.test"})
	jo := e.Browser()
	e.SignIn(t, jo, e.tenant.ID, e.jo.Mail, "")
	ck := jo.Cookie("__Secure-gp-proxy-" + e.tenant.ID)
	sess := jo.Cookie("__Host-gp-session-" + e.tenant.ID)
	if ck == nil || sess == nil {
		t.Fatal("sign-in did not set both cookies")
	}
	if ck.Domain != "example.test" || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.SameSite != http.SameSiteLaxMode || ck.Value == sess.Value {
		t.Fatalf("forward-auth cookie %+v", ck)
	}
	if ck.MaxAge < int((24*time.Hour-time.Minute).Seconds()) || ck.MaxAge > int((24*time.Hour).Seconds()) {
		t.Fatalf("forward-auth cookie lives %d s, want the session's 24 h", ck.MaxAge)
	}
	if r := ask(t, jo, "/api/authz/forward-auth", forwarded(wikiHost, "/")); r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	// With a cookie domain the session cookie alone does not do.
	only := e.Browser()
	hdr := forwarded(wikiHost, "/")
	hdr["Cookie"] = sess.Name + "=" + sess.Value
	if r := ask(t, only, "/api/authz/forward-auth", hdr); r.Status != http.StatusFound {
		t.Fatalf("session cookie alone: status %d, want 302", r.Status)
	}
	r, err := jo.PostForm("/t/"+e.tenant.ID+"/signout", nil)
	if err != nil || r.Status != http.StatusSeeOther {
		t.Fatal(err, r.Status)
	}
	if !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), "\n"), "__Secure-gp-proxy-"+e.tenant.ID+"=; Path=/; Domain=example.test; Max-Age=0") {
		t.Fatalf("sign-out did not clear the forward-auth cookie: %q", r.Header.Values("Set-Cookie"))
	}
	revoked := e.Browser()
	hdr["Cookie"] = ck.Name + "=" + ck.Value
	if r := ask(t, revoked, "/api/authz/forward-auth", hdr); r.Status != http.StatusFound {
		t.Fatalf("signed-out forward-auth cookie: status %d, want 302", r.Status)
	}
}
