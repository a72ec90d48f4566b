package bench

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/bench/load"
	"github.com/guestpass/guestpass/internal/servertest"
)

// BenchmarkForwardAuth measures GET /api/authz/forward-auth for a signed-in,
// assigned guest: the question a reverse proxy asks before every request
// to an app. Read it against BenchmarkBare: Handler is the handler's own
// cost in memory, Loopback a keep-alive client over loopback TCP.
func BenchmarkForwardAuth(b *testing.B) {
	const host = "wiki.bench.example"
	env := servertest.New(b, servertest.Options{SMTP: true, RealClock: true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("192.0.2.0/24")}})
	t, err := env.Svc.CreateTenantLocal(b.Context(), &guestpass.Tenant{DisplayName: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	inv, err := env.Svc.InviteLocal(b.Context(), t.ID, guestpass.InviteRequest{Email: "jo@fabrikam.example"})
	if err != nil {
		b.Fatal(err)
	}
	name, proxy, assigned := "Wiki", guestpass.AppProxy, guestpass.AssignAssigned
	app := guestpass.AppInput{DisplayName: &name, Type: &proxy, Hosts: &[]string{host},
		Assignment: &assigned, AssignedGuestIDs: &[]string{inv.Guest.ID}}
	if _, _, err := env.Svc.CreateApplicationLocal(b.Context(), t.ID, &app); err != nil {
		b.Fatal(err)
	}
	browser := env.Browser()
	env.SignIn(b, browser, t.ID, "jo@fabrikam.example", "")
	cookie := browser.Cookie("__Host-gp-session-" + t.ID)
	if cookie == nil {
		b.Fatal("no session cookie after sign-in")
	}
	newRequest := func(url string) *http.Request {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.RequestURI = ""
		req.Header.Set("X-Forwarded-Method", "GET")
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", host)
		req.Header.Set("X-Forwarded-Uri", "/page/Home?rev=42")
		req.Header.Set("Cookie", "theme=dark; "+cookie.Name+"="+cookie.Value+"; lang=en")
		return req
	}
	b.Run("Handler", func(b *testing.B) {
		h := env.Server.Config.Handler
		check := httptest.NewRecorder()
		h.ServeHTTP(check, newRequest("/api/authz/forward-auth"))
		if check.Code != http.StatusOK || check.Header().Get("Remote-Email") != "jo@fabrikam.example" {
			b.Fatalf("forward auth answered %d %q", check.Code, check.Header())
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			req := newRequest("/api/authz/forward-auth")
			for pb.Next() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	})
	b.Run("Loopback", func(b *testing.B) {
		c := load.NewClient(64)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req := newRequest(env.URL + "/api/authz/forward-auth").WithContext(b.Context())
				if err := load.Do(c, req, http.StatusOK); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
