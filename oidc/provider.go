package oidc

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Options wire a Provider.
type Options struct {
	Service *guestpass.Service
	Logger  *slog.Logger
	// SessionCookie names the guest session cookie of a tenant (the web
	// pages set it; guestpass.SessionCookieName).
	SessionCookie func(tenantID string) string
	// ClientIP finds the caller's address for the audit log; default the
	// peer address.
	ClientIP func(r *http.Request) string
	// Pages draws the provider's guest-facing pages (web.Server).
	Pages Pages
}

// Provider serves the OpenID provider endpoints of every tenant.
type Provider struct {
	svc    *guestpass.Service
	log    *slog.Logger
	op     *op.Provider
	cookie func(string) string
	ip     func(*http.Request) string
	pages  Pages
}

// paths are the provider's endpoints relative to a tenant's issuer; every
// other path under /t/{tid}/ belongs to the web pages.
var paths = []string{
	"/.well-known/openid-configuration", "/authorize", "/authorize/callback", "/oauth/token",
	"/oauth/introspect", "/userinfo", "/revoke", "/end_session", "/keys",
}

// New builds the provider.
func New(o Options) (*Provider, error) {
	if o.Service == nil || o.SessionCookie == nil || o.Pages == nil {
		return nil, errors.New("oidc: Service, SessionCookie and Pages are required")
	}
	p := &Provider{svc: o.Service, log: o.Logger, cookie: o.SessionCookie, ip: o.ClientIP, pages: o.Pages}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.ip == nil {
		p.ip = func(r *http.Request) string {
			h, _, _ := net.SplitHostPort(r.RemoteAddr)
			return h
		}
	}
	st := &storage{svc: o.Service, loginURL: func(tid, id string) string {
		return o.Service.TenantURL(tid, "/oidc/login?id="+url.QueryEscape(id))
	}}
	cfg := &op.Config{
		CryptoKey:             o.Service.Keys().OIDCTokenKey(),
		CryptoKeyId:           "guestpass-1",
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedUILocales:    []language.Tag{language.English, language.German},
		SupportedScopes:       []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile, oidc.ScopeOfflineAccess},
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "amr", "at_hash", "c_hash",
			"email", "email_verified", "name", "tid", "idp"},
	}
	issuer := func(bool) (op.IssuerFromRequest, error) {
		return func(r *http.Request) string { return o.Service.TenantURL(tenantOf(r.Context()), "") }, nil
	}
	var opts []op.Option
	if o.Service.BaseURL().Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	opts = append(opts, op.WithLogger(p.log))
	prov, err := op.NewProvider(cfg, st, issuer, opts...)
	if err != nil {
		return nil, err
	}
	p.op = prov
	return p, nil
}

type ctxKey int

const (
	tenantKey ctxKey = iota
	sessionTokenKey
	clientKey
	appKey
)

// requestApp is filled in while op serves a request: the application op
// looked up as the client. op asks for the signing key with nothing but
// the request context, and the key's algorithm is the client's.
type requestApp struct{ app *guestpass.Application }

func requestAppOf(ctx context.Context) *requestApp { a, _ := ctx.Value(appKey).(*requestApp); return a }

func tenantOf(ctx context.Context) string { s, _ := ctx.Value(tenantKey).(string); return s }
func sessionTokenOf(ctx context.Context) string {
	s, _ := ctx.Value(sessionTokenKey).(string)
	return s
}
func clientOf(ctx context.Context) guestpass.Client {
	c, _ := ctx.Value(clientKey).(guestpass.Client)
	return c
}

// Mount registers the provider's endpoints, under /t/{tid}/, on mux (next
// to the web pages, whose "/t/" pattern is less specific).
func (p *Provider) Mount(mux *http.ServeMux) {
	for _, path := range paths {
		mux.Handle("/t/{tid}"+path, http.HandlerFunc(p.serveOP))
	}
	mux.Handle("GET /t/{tid}/oidc/login", http.HandlerFunc(p.login))
	mux.Handle("POST /t/{tid}/oidc/denied", http.NewCrossOriginProtection().Handler(http.HandlerFunc(p.deniedPost)))
}

// withTenant checks the tenant and stores it, the browser's session
// cookie and the client description in the request context. An unknown
// tenant is a page where a browser asked (browser), plain text otherwise.
func (p *Provider) withTenant(w http.ResponseWriter, r *http.Request, browser bool) (*http.Request, *guestpass.Tenant, bool) {
	tid := r.PathValue("tid")
	t, err := p.svc.PublicTenant(r.Context(), tid)
	if err != nil {
		if browser {
			p.pages.OIDCError(w, r, nil, err)
			return nil, nil, false
		}
		status := http.StatusNotFound
		if k := guestpass.KindOf(err); k != guestpass.KindNotFound {
			status = http.StatusInternalServerError
			p.log.Error("oidc tenant", "err", err)
		}
		http.Error(w, http.StatusText(status), status)
		return nil, nil, false
	}
	return p.withContext(r, t.ID), t, true
}

// withContext stores the tenant id, the browser's session cookie and the
// client description in the request context.
func (p *Provider) withContext(r *http.Request, tenantID string) *http.Request {
	ctx := context.WithValue(r.Context(), tenantKey, tenantID)
	if c, err := r.Cookie(p.cookie(tenantID)); err == nil {
		ctx = context.WithValue(ctx, sessionTokenKey, c.Value)
	}
	ctx = context.WithValue(ctx, clientKey, guestpass.Client{IP: p.ip(r), UserAgent: r.UserAgent()})
	ctx = context.WithValue(ctx, appKey, &requestApp{})
	return r.WithContext(ctx)
}

// clientPaths are the endpoints only clients call, server to server. They
// skip the tenant row, a database read per call on the busiest endpoints
// (userinfo, token): every lookup they make (client, code, refresh token,
// session) is scoped by the path's tenant and finds nothing for a tenant
// that does not exist.
var clientPaths = map[string]bool{"/oauth/token": true, "/userinfo": true, "/revoke": true, "/oauth/introspect": true}

// serveOP hands the request to op with the tenant prefix stripped. On the
// endpoints a browser visits, op's error answers become pages, and a
// form_post response is the pages' form.
func (p *Provider) serveOP(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	path := strings.TrimPrefix(r.URL.Path, "/t/"+tid)
	browser := browserPaths[path]
	var t *guestpass.Tenant
	if clientPaths[path] {
		r = p.withContext(r, tid)
	} else {
		var ok bool
		if r, t, ok = p.withTenant(w, r, browser); !ok {
			return
		}
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = path
	r2.URL.RawPath = ""
	w.Header().Set("Cache-Control", "no-store")
	if !browser {
		p.op.ServeHTTP(w, r2)
		return
	}
	if r2.URL.Path == "/authorize/callback" && p.formPostCallback(w, r2, t) {
		return
	}
	ep := &errorPage{w: w, header: http.Header{}}
	p.op.ServeHTTP(ep, r2)
	ep.finish(p, r, t)
}
