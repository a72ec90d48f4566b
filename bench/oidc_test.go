package bench_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/bench/load"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/servertest"
	"golang.org/x/oauth2"
)

const oidcRedirect = "http://127.0.0.1:9/callback"

// oidcServer is a server with one guest signed in to the tenant in a
// browser, which can mint codes for the tenant's OIDC apps.
type oidcServer struct {
	e       *servertest.Env
	tenant  string
	browser *guestclient.Client
}

// oidcBench is one confidential OIDC app of an oidcServer.
type oidcBench struct {
	*oidcServer
	clientID string
	secret   string
	verifier string
	authURL  string
}

func oidcSetup(tb testing.TB) *oidcServer {
	tb.Helper()
	e := servertest.New(tb, servertest.Options{SMTP: true, RealClock: true})
	tn, err := e.Svc.CreateTenantLocal(tb.Context(), &guestpass.Tenant{DisplayName: "Contoso"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.Svc.InviteLocal(tb.Context(), tn.ID, guestpass.InviteRequest{Email: "jo@fabrikam.test"}); err != nil {
		tb.Fatal(err)
	}
	s := &oidcServer{e: e, tenant: tn.ID, browser: e.Browser()}
	e.SignIn(tb, s.browser, tn.ID, "jo@fabrikam.test", "")
	return s
}

// app registers an OIDC app whose ID tokens are signed with alg.
func (s *oidcServer) app(tb testing.TB, alg string) *oidcBench {
	tb.Helper()
	name, typ := "Wiki "+alg, guestpass.AppOIDC
	app, secret, err := s.e.Svc.CreateApplicationLocal(tb.Context(), s.tenant, &guestpass.AppInput{DisplayName: &name, Type: &typ,
		RedirectURIs: &[]string{oidcRedirect}, IDTokenAlg: &alg})
	if err != nil {
		tb.Fatal(err)
	}
	o := &oidcBench{oidcServer: s, clientID: app.ID, secret: secret, verifier: oauth2.GenerateVerifier()}
	// What oauth2-proxy asks for: no offline_access, so an exchange
	// writes no refresh token.
	q := url.Values{"client_id": {app.ID}, "redirect_uri": {oidcRedirect}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {"s"}, "nonce": {"n"}, "code_challenge_method": {"S256"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(o.verifier)}}
	o.authURL = s.e.URL + "/t/" + s.tenant + "/authorize?" + q.Encode()
	return o
}

// code runs one authorization with the signed-in browser (authorize,
// login, callback) and returns the code the client would receive.
func (o *oidcBench) code() (string, error) {
	u := o.authURL
	for range 4 {
		r, err := o.browser.Get(u)
		if err != nil {
			return "", err
		}
		if r.Status != http.StatusFound && r.Status != http.StatusSeeOther {
			return "", fmt.Errorf("authorize stopped at %d: %.200s", r.Status, r.Body)
		}
		if strings.HasPrefix(r.Location, oidcRedirect) {
			lu, err := url.Parse(r.Location)
			if err != nil || lu.Query().Get("code") == "" {
				return "", fmt.Errorf("no code in %s", r.Location)
			}
			return lu.Query().Get("code"), nil
		}
		u = r.Location
	}
	return "", errors.New("authorize: too many redirects")
}

// codes mints n codes on a few goroutines.
func (o *oidcBench) codes(tb testing.TB, n int) chan string {
	tb.Helper()
	out := make(chan string, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				c, err := o.code()
				if err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
				out <- c
			}
		})
	}
	wg.Wait()
	if first != nil {
		tb.Fatal(first)
	}
	return out
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// exchange is the client's token request for code.
func (o *oidcBench) exchange(ctx context.Context, c *http.Client, code string) error {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {oidcRedirect},
		"code_verifier": {o.verifier}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.e.URL+"/t/"+o.tenant+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(o.clientID), url.QueryEscape(o.secret))
	return load.Do(c, req, http.StatusOK)
}

// accessTokens exchanges n codes and returns their access tokens.
func (o *oidcBench) accessTokens(tb testing.TB, n int) []string {
	tb.Helper()
	conf := oauth2.Config{ClientID: o.clientID, ClientSecret: o.secret, RedirectURL: oidcRedirect,
		Endpoint: oauth2.Endpoint{TokenURL: o.e.URL + "/t/" + o.tenant + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}}
	var out []string
	for c := range closed(o.codes(tb, n)) {
		tok, err := conf.Exchange(tb.Context(), c, oauth2.VerifierOption(o.verifier))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, tok.AccessToken)
	}
	return out
}

func closed(c chan string) chan string { close(c); return c }

func (o *oidcServer) userinfo(ctx context.Context, c *http.Client, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.e.URL+"/t/"+o.tenant+"/userinfo", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return load.Do(c, req, http.StatusOK)
}

// BenchmarkOIDC is the token endpoint's code exchange (codes minted
// before the timer runs) and userinfo, over loopback TCP.
func BenchmarkOIDC(b *testing.B) {
	s := oidcSetup(b)
	c := load.NewClient(64)
	for _, alg := range []string{guestpass.AlgRS256, guestpass.AlgES256} {
		o := s.app(b, alg)
		b.Run("TokenExchange"+alg, func(b *testing.B) {
			codes := closed(o.codes(b, b.N))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := o.exchange(b.Context(), c, <-codes); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	o := s.app(b, guestpass.AlgRS256)
	b.Run("Userinfo", func(b *testing.B) {
		token := o.accessTokens(b, 1)[0]
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := o.userinfo(b.Context(), c, token); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// TestOIDCLoad measures, in one sitting, 32 keep-alive clients against the
// bare net/http handler, the token endpoint exchanging codes (minted
// beforehand, each used once) for an RS256 and an ES256 app, and userinfo
// with valid access tokens. A
// measurement, not a check: run it with GUESTPASS_LOAD=1
// (go test -run TestOIDCLoad -v ./bench); GUESTPASS_LOAD_CODES sizes each
// app's pool of codes (default 20000: more than a token row used on a
// 2-core machine, about 2,000 ops/s for 6 s).
func TestOIDCLoad(t *testing.T) {
	if os.Getenv("GUESTPASS_LOAD") == "" {
		t.Skip("set GUESTPASS_LOAD=1 to measure")
	}
	n := 20000
	if v := os.Getenv("GUESTPASS_LOAD_CODES"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			t.Fatal(err)
		}
	}
	s := oidcSetup(t)
	o, es := s.app(t, guestpass.AlgRS256), s.app(t, guestpass.AlgES256)
	bare, err := load.Serve(load.Bare())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bare.Close() })
	const clients = 32
	c := load.NewClient(clients)
	tokens := o.accessTokens(t, clients)
	start := time.Now()
	codes, esCodes := closed(o.codes(t, n)), closed(es.codes(t, n))
	t.Logf("minted 2×%d codes in %v", n, time.Since(start).Round(time.Millisecond))
	exchange := func(o *oidcBench, codes chan string) load.Op {
		return func(ctx context.Context, _ int) error {
			code, ok := <-codes
			if !ok {
				time.Sleep(10 * time.Millisecond) // fail the row without spinning
				return errors.New("out of codes: raise GUESTPASS_LOAD_CODES")
			}
			return o.exchange(ctx, c, code)
		}
	}
	opts := load.Options{Clients: clients, Duration: 5 * time.Second, Warmup: time.Second}
	rows := []struct {
		name string
		op   load.Op
	}{
		{"bare net/http", load.Get(c, bare.URL, http.StatusOK)},
		{"token endpoint, code exchange (ID token RS256)", exchange(o, codes)},
		{"token endpoint, code exchange (ID token ES256)", exchange(es, esCodes)},
		{"userinfo", func(ctx context.Context, w int) error { return o.userinfo(ctx, c, tokens[w]) }},
	}
	var base load.Result
	out := "| scenario | ops/s | p50 | p99 | ratio to bare |\n| --- | ---: | ---: | ---: | ---: |\n"
	for i, r := range rows {
		res, err := load.Run(t.Context(), opts, r.op)
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors > 0 {
			t.Fatalf("%s: %d errors, e.g. %v", r.name, res.Errors, res.FirstError)
		}
		if i == 0 {
			base = res
		}
		out += fmt.Sprintf("| %s | %.0f | %v | %v | %.3f |\n", r.name, res.OpsPerSec(), load.Round(res.P50), load.Round(res.P99),
			load.Ratio(res, base).Throughput)
	}
	t.Log("\n" + out)
}
