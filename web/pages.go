package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/guestpass/guestpass"
)

//go:embed templates
var templateFS embed.FS

// pages holds one parsed template set per page, each with the layout.
type pages struct {
	tmpl map[string]*template.Template
	css  []byte
	js   []byte // passkey.js
	// formPostJS submits the OIDC form_post page (formpost.html).
	formPostJS []byte
}

func newPages() (*pages, error) {
	p := &pages{tmpl: map[string]*template.Template{}}
	for _, name := range []string{"redeem", "signin", "verify", "consent", "apps", "message", "mfa", "recovery", "security", "noaccess", "formpost"} {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		p.tmpl[name] = t
	}
	css, err := fs.ReadFile(templateFS, "templates/guestpass.css")
	if err != nil {
		return nil, err
	}
	p.css = css
	if p.js, err = fs.ReadFile(templateFS, "templates/passkey.js"); err != nil {
		return nil, err
	}
	if p.formPostJS, err = fs.ReadFile(templateFS, "templates/formpost.js"); err != nil {
		return nil, err
	}
	return p, nil
}

// pageData is everything a page template may show.
type pageData struct {
	L           localizer
	Lang        string
	Title       string
	Alert       string
	Notice      string
	Body        string
	TenantID    string
	TenantName  string
	MaskedMail  string
	Email       string
	Ticket      string
	ReturnTo    string
	AppID       string // the app a sign-in is for (form#send-code's app)
	Expired     bool
	Disabled    bool
	Provider    string // the identity provider a page's form#idp continues at
	Federates   bool   // some guests of the tenant sign in upstream
	CodesOn     bool   // the tenant allows email codes
	CodeMinutes int
	GuestMail   string
	SessionEnds string
	Apps        []appLink
	MFA         *mfaData // form#mfa and #recovery-codes (mfa_pages.go)
	Script      bool     // the page needs passkey.js
	Security    *securityData
	OIDC        *oidcData // the OpenID provider's pages (oidc_pages.go)
}

type appLink struct{ Name, URL string }

func (s *Server) newPage(r *http.Request, titleKey string, t *guestpass.Tenant) *pageData {
	lang := localeOf(r)
	d := &pageData{L: localizer{lang: lang}, Lang: lang}
	d.Title = d.L.T(titleKey)
	if t != nil {
		d.TenantID, d.TenantName = t.ID, t.DisplayName
	}
	return d
}

// render writes a page. Rendering into a buffer first means a template
// error becomes a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, d *pageData) {
	var buf bytes.Buffer
	if err := s.pages.tmpl[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", d.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows a service error as a page in the guest's language.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, err error) {
	status, _, _ := s.publicError(r, err)
	d := s.newPage(r, "title.error", t)
	d.Alert = d.L.Error(err)
	if status == http.StatusInternalServerError {
		d.Alert = d.L.T("err.internal")
	}
	s.render(w, r, status, "message", d)
}

// pageHandler is the guest surface: CSRF protection on every state change,
// strict security headers, HTML errors.
func (s *Server) pageHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /t/static/guestpass.css", s.serveCSS)
	mux.HandleFunc("GET /t/static/passkey.js", serveJS(s.pages.js))
	mux.HandleFunc("GET /t/static/formpost.js", serveJS(s.pages.formPostJS))
	mux.HandleFunc("GET /t/{tid}/redeem", s.redeemPage)
	mux.HandleFunc("GET /t/{tid}/signin", s.signInPage)
	mux.HandleFunc("POST /t/{tid}/send-code", s.sendCode)
	mux.HandleFunc("GET /t/{tid}/verify", s.verifyPage)
	mux.HandleFunc("POST /t/{tid}/verify", s.verifyCode)
	mux.HandleFunc("GET /t/{tid}/consent", s.consentPage)
	mux.HandleFunc("POST /t/{tid}/consent", s.consent)
	mux.HandleFunc("GET /t/{tid}/mfa", s.mfaPage)
	mux.HandleFunc("POST /t/{tid}/mfa", s.verifyMFA)
	mux.HandleFunc("POST /t/{tid}/mfa/totp", s.startTOTP)
	mux.HandleFunc("POST /t/{tid}/mfa/passkey/options", s.mfaPasskeyOptions)
	mux.HandleFunc("POST /t/{tid}/mfa/passkey", s.mfaPasskey)
	mux.HandleFunc("POST /t/{tid}/mfa/sms", s.mfaSendSMS)
	mux.HandleFunc("POST /t/{tid}/mfa/sms/verify", s.mfaVerifySMS)
	mux.HandleFunc("GET /t/{tid}/apps", s.appsPage)
	mux.HandleFunc("GET /t/{tid}/security", s.securityPage)
	mux.HandleFunc("POST /t/{tid}/security/reauth", s.reauthenticate)
	mux.HandleFunc("POST /t/{tid}/security/totp", s.addTOTP)
	mux.HandleFunc("POST /t/{tid}/security/totp/confirm", s.confirmTOTP)
	mux.HandleFunc("POST /t/{tid}/security/remove", s.removeMethod)
	mux.HandleFunc("POST /t/{tid}/security/recovery-codes", s.regenerateCodes)
	mux.HandleFunc("POST /t/{tid}/security/passkey/options", s.addPasskeyOptions)
	mux.HandleFunc("POST /t/{tid}/security/passkey", s.addPasskey)
	mux.HandleFunc("POST /t/{tid}/security/sms", s.addSMS)
	mux.HandleFunc("POST /t/{tid}/security/sms/confirm", s.confirmSMS)
	mux.HandleFunc("POST /t/{tid}/signout", s.signOut)
	mux.HandleFunc("GET /t/{tid}"+guestpass.FederationCallbackPath, s.federationCallback)
	mux.HandleFunc("/", s.notFoundPage)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return pageHeaders(cop.Handler(mux))
}

func pageHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w.Header())
		h.ServeHTTP(w, r)
	})
}

// setPageHeaders are the security headers of every guest page. The only
// scripts are our own files (passkey.js, which fetches passkey options
// from our own origin, and formpost.js): no inline script, no eval.
func setPageHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
}

func (s *Server) serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(s.pages.css)
}

// serveJS serves one of the pages' own script files.
func serveJS(js []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(js)
	}
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	d := s.newPage(r, "title.error", nil)
	d.Alert = d.L.T("err.not_found")
	s.render(w, r, http.StatusNotFound, "message", d)
}

func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	d := s.newPage(r, "title.error", nil)
	d.Alert = d.L.T("err.forbidden_post")
	s.render(w, r, http.StatusForbidden, "message", d)
}

// tenant loads the tenant of the path, rendering the error page if it fails.
func (s *Server) tenant(w http.ResponseWriter, r *http.Request) (*guestpass.Tenant, bool) {
	t, err := s.svc.PublicTenant(r.Context(), r.PathValue("tid"))
	if err != nil {
		s.renderError(w, r, nil, err)
		return nil, false
	}
	return t, true
}

// formValue reads one bounded form field of a POST.
func formValue(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostFormValue(name))
}

// parseForm bounds the body: guest forms are tiny.
func parseForm(w http.ResponseWriter, r *http.Request) error { return parseFormMax(w, r, 16<<10) }

// parseFormMax is parseForm for forms that carry more (a passkey's answer).
func parseFormMax(w http.ResponseWriter, r *http.Request, max int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if err := r.ParseForm(); err != nil {
		return guestpass.Errorf(guestpass.KindInvalid, "invalid_form", "The form could not be read.")
	}
	return nil
}
