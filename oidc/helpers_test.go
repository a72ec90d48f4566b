package oidc_test

import (
	"errors"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/oathtool"
	"github.com/guestpass/guestpass/internal/servertest"
	"golang.org/x/oauth2"
)

// rp is a relying party of one tenant: go-oidc and x/oauth2 as any OIDC
// client would use them, against the real server.
type rp struct {
	env      *servertest.Env
	tenant   *guestpass.Tenant
	app      *guestpass.Application
	secret   string
	provider *gooidc.Provider
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	totp     string // the guest's TOTP secret once registered (secondFactor)
}

const redirectURI = "http://127.0.0.1:9/callback"

// TestMain silences op, which logs every refused request on the default
// logger: the failure paths below are many and all intended.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

func newEnv(t *testing.T) *servertest.Env {
	t.Helper()
	// The fake clock starts now: op stamps iat and exp from the wall clock.
	return servertest.New(t, servertest.Options{SMTP: true, Epoch: time.Now()})
}

func newTenant(t *testing.T, env *servertest.Env, name string) *guestpass.Tenant {
	t.Helper()
	tn, err := env.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: name})
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// newRP registers an OIDC app in tn and discovers its issuer.
func newRP(t *testing.T, env *servertest.Env, tn *guestpass.Tenant, in guestpass.AppInput) *rp {
	t.Helper()
	typ, name := guestpass.AppOIDC, "Wiki"
	in.Type, in.DisplayName = &typ, &name
	if in.RedirectURIs == nil {
		in.RedirectURIs = &[]string{redirectURI}
	}
	app, secret, err := env.Svc.CreateApplicationLocal(t.Context(), tn.ID, &in)
	if err != nil {
		t.Fatal(err)
	}
	issuer := env.Svc.TenantURL(tn.ID, "")
	p, err := gooidc.NewProvider(t.Context(), issuer)
	if err != nil {
		t.Fatal(err)
	}
	r := &rp{env: env, tenant: tn, app: app, secret: secret, provider: p,
		verifier: p.Verifier(&gooidc.Config{ClientID: app.ID})}
	r.oauth = oauth2.Config{ClientID: app.ID, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: redirectURI,
		Scopes: []string{gooidc.ScopeOpenID, "email", "profile", gooidc.ScopeOfflineAccess}}
	r.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	return r
}

func invite(t *testing.T, env *servertest.Env, tn *guestpass.Tenant, addr string) *guestpass.Guest {
	t.Helper()
	res, err := env.Svc.InviteLocal(t.Context(), tn.ID, guestpass.InviteRequest{Email: addr, DisplayName: "Jo Guest"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Guest
}

func get(t *testing.T, b *guestclient.Client, u string) *guestclient.Response {
	t.Helper()
	r, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func post(t *testing.T, b *guestclient.Client, path string, form url.Values) *guestclient.Response {
	t.Helper()
	r, err := b.PostForm(path, form)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// authorize follows the browser from an authorization URL to the client's
// redirect URI, signing addr in through the real pages (email code read
// from the test SMTP server, consent on first redemption) when asked to.
// It returns the final redirect's location, or the response where the
// journey stopped (an error page, a form_post page).
func (r *rp) authorize(t *testing.T, b *guestclient.Client, addr, authURL string) (string, *guestclient.Response) {
	t.Helper()
	u := authURL
	for range 12 {
		resp := get(t, b, u)
		if resp.Status != http.StatusFound && resp.Status != http.StatusSeeOther {
			return "", resp
		}
		loc := resp.Location
		if strings.HasPrefix(loc, redirectURI) || strings.HasPrefix(loc, r.oauth.RedirectURL) {
			return loc, resp
		}
		if strings.Contains(loc, "/signin?") {
			if addr == "" {
				t.Fatalf("sent to sign in unexpectedly: %s", loc)
			}
			q := mustURL(t, loc).Query()
			if q.Get("app") != r.app.ID {
				t.Fatalf("the sign-in does not name the app: %s", loc)
			}
			resp := r.env.SignInForm(t, b, r.tenant.ID, addr, url.Values{"return_to": {q.Get("return_to")}, "app": {q.Get("app")}})
			if resp.Status != http.StatusSeeOther {
				t.Fatalf("sign-in of %s ended with %d: %s", addr, resp.Status, guestclient.Alert(resp.Body))
			}
			loc = resp.Location
			if strings.HasSuffix(loc, "/t/"+r.tenant.ID+"/mfa") {
				loc = r.secondFactor(t, b)
			}
		}
		u = loc
	}
	t.Fatalf("too many redirects from %s", authURL)
	return "", nil
}

// secondFactor answers form#mfa with a TOTP code from oathtool: on the
// first time it registers (the secret is kept in r.totp) and continues
// past the recovery codes. It returns where the browser goes next.
func (r *rp) secondFactor(t *testing.T, b *guestclient.Client) string {
	t.Helper()
	mfa := "/t/" + r.tenant.ID + "/mfa"
	page := get(t, b, mfa)
	if m := secretRe.FindStringSubmatch(page.Body); m != nil {
		r.totp = m[1]
	}
	if r.totp == "" || !strings.Contains(page.Body, `<form id="mfa"`) {
		t.Fatalf("second-factor page: %d %.400s", page.Status, page.Body)
	}
	resp := post(t, b, mfa, url.Values{"code": {oathtool.TOTP(t, r.totp, r.env.Clock.Now())}})
	if resp.Status == http.StatusSeeOther {
		return resp.Location
	}
	// Registration: the recovery codes, then form#continue (a GET).
	m := continueRe.FindStringSubmatch(resp.Body)
	if resp.Status != http.StatusOK || m == nil {
		t.Fatalf("after the TOTP code: %d %.400s", resp.Status, resp.Body)
	}
	action := html.UnescapeString(m[1])
	q := url.Values{}
	for _, f := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
		q.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return action + "?" + q.Encode()
}

var (
	secretRe   = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	continueRe = regexp.MustCompile(`(?s)<form id="continue" method="get" action="([^"]*)">(.*?)</form>`)
	hiddenRe   = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// code signs in and returns the code of a successful authorization.
func (r *rp) code(t *testing.T, b *guestclient.Client, addr string, opts ...oauth2.AuthCodeOption) (code, pkce string) {
	t.Helper()
	pkce = oauth2.GenerateVerifier()
	opts = append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(pkce), gooidc.Nonce("n-0S6_WzA2Mj")}, opts...)
	loc, resp := r.authorize(t, b, addr, r.oauth.AuthCodeURL("xyz-state", opts...))
	if loc == "" {
		t.Fatalf("authorization stopped with %d: %.400s", resp.Status, resp.Body)
	}
	q := mustURL(t, loc).Query()
	if q.Get("error") != "" || q.Get("state") != "xyz-state" {
		t.Fatalf("authorization answered %s", loc)
	}
	return q.Get("code"), pkce
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// oauthErr returns the OAuth error code of a failed exchange.
func oauthErr(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

type idClaims struct {
	Sub           string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	TID           string   `json:"tid"`
	IDP           string   `json:"idp"`
	AMR           []string `json:"amr"`
	AuthTime      int64    `json:"auth_time"`
	Nonce         string   `json:"nonce"`
}

func formValue(body, name string) string {
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// claims exchanges a code and returns the verified ID token's claims with
// the token response.
func (r *rp) claims(t *testing.T, code, pkce string) (idClaims, *oauth2.Token) {
	t.Helper()
	tok, err := r.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c, tok
}
