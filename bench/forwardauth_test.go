package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/bench/load"
	"github.com/guestpass/guestpass/internal/nginxtest"
	"github.com/guestpass/guestpass/internal/servertest"
)

const fwdHost = "wiki.example.test"

// fwdSetup is a server with one proxy app and one signed-in guest: the
// Cookie header that guest's browser sends.
func fwdSetup(tb testing.TB) (*servertest.Env, string) {
	e := servertest.New(tb, servertest.Options{SMTP: true, RealClock: true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	tn, err := e.Svc.CreateTenantLocal(tb.Context(), &guestpass.Tenant{DisplayName: "Contoso"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.Svc.InviteLocal(tb.Context(), tn.ID, guestpass.InviteRequest{Email: "jo@fabrikam.test"}); err != nil {
		tb.Fatal(err)
	}
	name, typ := "Wiki", guestpass.AppProxy
	if _, _, err := e.Svc.CreateApplicationLocal(tb.Context(), tn.ID, &guestpass.AppInput{DisplayName: &name, Type: &typ, Hosts: &[]string{fwdHost}}); err != nil {
		tb.Fatal(err)
	}
	c := e.Browser()
	e.SignIn(tb, c, tn.ID, "jo@fabrikam.test", "")
	ck := c.CookieWithPrefix("__Host-gp-session-")
	return e, ck.Name + "=" + ck.Value
}

func fwdRequest(url, cookie string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.RemoteAddr = "127.0.0.1:5555"
	req.Header.Set("Cookie", "other=1; "+cookie)
	req.Header.Set("X-Forwarded-Method", "GET")
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-Host", fwdHost)
	req.Header.Set("X-Forwarded-Uri", "/page")
	req.RequestURI = ""
	return req
}

// BenchmarkForwardAuth is the hot path with a valid session: in memory
// (the handler's own cost and allocations) and over loopback TCP.
func BenchmarkForwardAuth(b *testing.B) {
	e, cookie := fwdSetup(b)
	h := e.Server.Config.Handler
	b.Run("Handler", func(b *testing.B) {
		req := fwdRequest("/api/authz/forward-auth", cookie)
		req.RequestURI = "/api/authz/forward-auth"
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Errorf("status %d", w.Code)
					return
				}
			}
		})
	})
	b.Run("Loopback", func(b *testing.B) {
		c := load.NewClient(64)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := load.Do(c, fwdRequest(e.URL+"/api/authz/forward-auth", cookie), 200); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// TestForwardAuthLoad measures, in one sitting, 32 keep-alive clients
// against the bare net/http handler, forward auth with a valid session,
// and an app behind nginx auth_request asking GuestPass. It is a
// measurement, not a check: run it with GUESTPASS_LOAD=1
// (go test -run TestForwardAuthLoad -v ./bench).
func TestForwardAuthLoad(t *testing.T) {
	if os.Getenv("GUESTPASS_LOAD") == "" {
		t.Skip("set GUESTPASS_LOAD=1 to measure")
	}
	e, cookie := fwdSetup(t)
	bare, err := load.Serve(load.Bare())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bare.Close() })
	nginx := nginxtest.Start(t, strings.TrimPrefix(e.URL, "http://"), strings.TrimPrefix(bare.URL, "http://"))
	const clients = 32
	c := load.NewClient(clients)
	opts := load.Options{Clients: clients, Duration: 5 * time.Second, Warmup: time.Second}
	rows := []struct {
		name string
		op   load.Op
	}{
		{"bare net/http", load.Get(c, bare.URL, 200)},
		{"forward-auth, valid session", func(ctx context.Context, _ int) error {
			return load.Do(c, fwdRequest(e.URL+"/api/authz/forward-auth", cookie).WithContext(ctx), 200)
		}},
		{"nginx auth_request + bare app", func(ctx context.Context, _ int) error {
			req := fwdRequest("http://"+nginx+"/page", cookie).WithContext(ctx)
			req.Host = fwdHost
			return load.Do(c, req, 200)
		}},
	}
	var base float64
	out := "| scenario | req/s | p50 | p99 | ratio to bare |\n| --- | ---: | ---: | ---: | ---: |\n"
	for _, r := range rows {
		res, err := load.Run(t.Context(), opts, r.op)
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors > 0 {
			t.Fatalf("%s: %d errors, e.g. %v", r.name, res.Errors, res.FirstError)
		}
		if base == 0 {
			base = res.OpsPerSec()
		}
		out += fmt.Sprintf("| %s | %.0f | %v | %v | %.2f |\n", r.name, res.OpsPerSec(), res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond), res.OpsPerSec()/base)
	}
	t.Log("\n" + out)
}
