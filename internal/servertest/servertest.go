package servertest

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/sqlite"
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
	cfg := guestpass.Config{Store: st, Keys: keys, BaseURL: e.URL + o.BasePrefix, Mailer: o.Mailer}
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
	srv, err := web.New(web.Options{Service: e.Svc, TrustedProxies: o.TrustedProxies})
	if err != nil {
		tb.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	if o.Mailer != nil {
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
