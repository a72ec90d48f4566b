package servertest

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/mail"
	"github.com/guestpass/guestpass/mail/smtptest"
	"github.com/guestpass/guestpass/oidc"
	"github.com/guestpass/guestpass/passkey"
	"github.com/guestpass/guestpass/sqlite"
	"github.com/guestpass/guestpass/upstream"
	"github.com/guestpass/guestpass/web"
)

// Options adjust the environment; the zero value is a plain server with a
// fake clock and no mail delivery.
type Options struct {
	// BasePrefix is appended to the server's address to form the public
	// base URL, as behind a proxy that strips it.
	BasePrefix string
	// Epoch starts the fake clock; zero means 2026-01-01 09:00 UTC.
	Epoch          time.Time
	RealClock      bool // use the wall clock instead of a fake one
	Mailer         guestpass.Mailer
	TrustedProxies []netip.Prefix
	// CookieDomain is web.Options.CookieDomain (forward-auth cookies).
	CookieDomain string
	// SMTP starts an in-test SMTP server and delivers mail to it (Env.SMTP);
	// it replaces Mailer.
	SMTP bool
	// Flow lifetime beyond a code's (guestpass.Config.FlowLifetime).
	FlowLifetime time.Duration
	// Localhost names the server http://localhost:port instead of by its
	// IP address in the base URL: a WebAuthn RP ID must be a name.
	Localhost bool
	// Passkeys makes the server a WebAuthn relying party (needs Localhost).
	Passkeys bool
	// TextSender delivers SMS codes; nil: SMS is not offered.
	TextSender guestpass.TextSender
}

// Env is a running server.
type Env struct {
	Svc     *guestpass.Service
	Store   *sqlite.Store
	URL     string
	Clock   *guestpass.FakeClock // nil with RealClock
	OpToken string               // an operator bearer token
	Op      *guestpass.AdminToken
	Server  *httptest.Server
	SMTP    *smtptest.Server // with Options.SMTP
}

// New starts an environment that is torn down with tb.
func New(tb testing.TB, o Options) *Env {
	tb.Helper()
	st, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "gp.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	root := make([]byte, 32)
	_, _ = rand.Read(root)
	keys, err := guestpass.NewKeys(root)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	e := &Env{Store: st, URL: "http://" + hs.Listener.Addr().String(), Server: hs}
	if o.Localhost {
		e.URL = "http://localhost:" + strconv.Itoa(hs.Listener.Addr().(*net.TCPAddr).Port)
	}
	if o.SMTP {
		e.SMTP = smtptest.Start(tb)
		if o.Mailer, err = mail.NewSMTP(e.SMTP.URL(), "GuestPass <no-reply@localhost>"); err != nil {
			tb.Fatal(err)
		}
	}
	// Every environment can federate: the upstream client is the real one.
	cfg := guestpass.Config{Store: st, Keys: keys, BaseURL: e.URL + o.BasePrefix, Mailer: o.Mailer,
		Upstream: upstream.New(upstream.Options{}), FlowLifetime: o.FlowLifetime, TextSender: o.TextSender}
	if o.Passkeys {
		rp, err := passkey.New(e.URL + o.BasePrefix)
		if err != nil {
			tb.Fatal(err)
		}
		cfg.Passkeys = rp
	}
	if !o.RealClock {
		if o.Epoch.IsZero() {
			o.Epoch = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		}
		e.Clock = guestpass.NewFakeClock(o.Epoch)
		cfg.Clock = e.Clock
	}
	if e.Svc, err = guestpass.NewService(cfg); err != nil {
		tb.Fatal(err)
	}
	srv, err := web.New(web.Options{Service: e.Svc, TrustedProxies: o.TrustedProxies, CookieDomain: o.CookieDomain})
	if err != nil {
		tb.Fatal(err)
	}
	prov, err := oidc.New(oidc.Options{Service: e.Svc, SessionCookie: guestpass.SessionCookieName, Pages: srv})
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	prov.Mount(mux)
	hs.Config.Handler = mux
	hs.Start()
	if o.Mailer != nil || o.TextSender != nil {
		if err := e.Svc.Start(tb.Context()); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(func() {
		hs.Close()
		// tb.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.Svc.Stop(ctx)
		_ = st.Close()
	})
	if e.OpToken, e.Op, err = e.Svc.CreateAdminToken(tb.Context(), nil, "", "test operator"); err != nil {
		tb.Fatal(err)
	}
	return e
}

// Browser is a cookie-keeping client of the server.
func (e *Env) Browser() *guestclient.Client { return guestclient.New(e.URL, e.Server.Client()) }

// SignIn signs addr in to tenantID in browser c through the real pages:
// send code, read it from the in-test SMTP server (Options.SMTP), verify,
// and accept the consent page of a first redemption. returnTo, when not
// empty, is the pending destination. It returns where the server finally
// redirected.
func (e *Env) SignIn(tb testing.TB, c *guestclient.Client, tenantID, addr, returnTo string) string {
	tb.Helper()
	form := url.Values{}
	if returnTo != "" {
		form.Set("return_to", returnTo)
	}
	r := e.SignInForm(tb, c, tenantID, addr, form)
	if r.Status != 303 {
		tb.Fatalf("sign-in of %s ended with %d: %s", addr, r.Status, guestclient.Alert(r.Body))
	}
	return r.Location
}

// SignInForm is SignIn with form#send-code's hidden fields as given
// (return_to, app: what a sign-in page URL carries). It returns the answer
// to the email code (or to the consent after it): a 303 to the
// destination, or to the second-factor page when one is due.
func (e *Env) SignInForm(tb testing.TB, c *guestclient.Client, tenantID, addr string, fields url.Values) *guestclient.Response {
	tb.Helper()
	if e.SMTP == nil {
		tb.Fatal("servertest: SignIn needs Options.SMTP")
	}
	t := "/t/" + tenantID
	before := len(e.SMTP.Messages())
	form := url.Values{"email": {addr}}
	for k, v := range fields {
		form[k] = v
	}
	r := mustDo(tb)(c.PostForm(t+"/send-code", form))
	if err := guestclient.Expect(r, 303, t+"/verify"); err != nil {
		tb.Fatalf("send code: %v", err)
	}
	var code string
	seen := 0 // WaitFor offers each message once, oldest first
	e.SMTP.WaitFor(tb, func(m smtptest.Message) bool {
		if seen++; seen <= before || !slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, addr) }) {
			return false
		}
		code = guestclient.CodeIn(m.Text())
		return code != ""
	})
	r = mustDo(tb)(c.PostForm(t+"/verify", url.Values{"code": {code}}))
	if r.Status == 303 && strings.HasSuffix(r.Location, t+"/consent") {
		r = mustDo(tb)(c.PostForm(t+"/consent", url.Values{"accept": {"yes"}}))
	}
	return r
}

func mustDo(tb testing.TB) func(*guestclient.Response, error) *guestclient.Response {
	return func(r *guestclient.Response, err error) *guestclient.Response {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return r
	}
}
