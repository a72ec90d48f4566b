package oidc

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Pages draws the guest-facing pages of the provider in the look and
// language of the sign-in pages; web.Server implements it. The provider
// decides what they say, the pages how.
type Pages interface {
	// OIDCError explains, as a page, why a sign-in to an app cannot go on.
	// err is a *guestpass.Error (its code is translated) or anything else
	// (an internal error).
	OIDCError(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, err error)
	// OIDCNoAccess tells the guest that app has not been shared with them.
	// Its form#denied posts id to action, which answers access_denied to
	// the app.
	OIDCNoAccess(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, app, action, id string)
	// OIDCFormPost hands an authorization response to the client
	// (response_mode=form_post): a form of params posted to redirectURI,
	// submitted by script, and by a Continue button where there is none.
	OIDCFormPost(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, app, redirectURI string, params url.Values)
}

// The errors the provider's pages show; web translates them by code.
var (
	errRequestExpired = guestpass.Errorf(guestpass.KindInvalid, "oidc_request_expired",
		"This sign-in link has expired. Go back to the application and start again.")
	errAppGone = guestpass.Errorf(guestpass.KindInvalid, "oidc_unknown_application",
		"This application is no longer registered.")
)

// errBadRequest is a request op refused without a redirect URI to answer
// to (unknown client, unregistered redirect_uri, a malformed request):
// only the guest can be told, and only the app's owner can fix it.
func errBadRequest(detail string) error {
	return guestpass.Errorf(guestpass.KindInvalid, "oidc_bad_request",
		"The application sent a sign-in request that cannot be accepted (%s). Contact the application's owner.", detail)
}

// authError answers an authorization request with an OAuth error, in the
// response mode the client asked for (op's own helper always uses the
// query, also for form_post clients).
func (p *Provider) authError(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, req *guestpass.OIDCAuthRequest, e *oidc.Error) {
	if req.ResponseMode != string(oidc.ResponseModeFormPost) {
		op.AuthRequestError(w, r, authRequest{req}, e, p.op)
		return
	}
	params := url.Values{"error": {string(e.ErrorType)}}
	if e.Description != "" {
		params.Set("error_description", e.Description)
	}
	if req.State != "" {
		params.Set("state", req.State)
	}
	p.pages.OIDCFormPost(w, r, t, p.appName(r, req), req.RedirectURI, params)
}

func (p *Provider) appName(r *http.Request, req *guestpass.OIDCAuthRequest) string {
	if a, err := p.storage().application(r.Context(), req.ClientID); err == nil {
		return a.DisplayName
	}
	return ""
}

// formPostCallback serves op's /authorize/callback for a signed-in
// form_post request with the pages' form (op's own page has no language,
// title or button, and needs script). Anything else, it leaves to op.
func (p *Provider) formPostCallback(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant) bool {
	req, err := p.storage().request(r.Context(), r.URL.Query().Get("id"))
	if err != nil || !req.Done || req.ResponseMode != string(oidc.ResponseModeFormPost) {
		return false
	}
	res, err := op.BuildAuthResponseCodeResponsePayload(r.Context(), authRequest{req}, p.op)
	if err != nil {
		p.authError(w, r, t, req, oidc.DefaultToServerError(err, err.Error()))
		return true
	}
	params := url.Values{"code": {res.Code}}
	if res.State != "" {
		params.Set("state", res.State)
	}
	p.pages.OIDCFormPost(w, r, t, p.appName(r, req), req.RedirectURI, params)
	return true
}

// browserPaths are op's endpoints a browser visits; their error answers
// (plain text or JSON from op) become pages.
var browserPaths = map[string]bool{"/authorize": true, "/authorize/callback": true, "/end_session": true}

// errorPage holds back an error answer of op to show it as a page; every
// other answer passes through untouched.
type errorPage struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (e *errorPage) Header() http.Header { return e.header }

func (e *errorPage) WriteHeader(status int) {
	if e.status != 0 {
		return
	}
	e.status = status
	if status < 400 {
		for k, v := range e.header {
			e.w.Header()[k] = v
		}
		e.w.WriteHeader(status)
	}
}

func (e *errorPage) Write(b []byte) (int, error) {
	if e.status == 0 {
		e.WriteHeader(http.StatusOK)
	}
	if e.status < 400 {
		return e.w.Write(b)
	}
	if e.body.Len() < 4096 {
		e.body.Write(b[:min(len(b), 4096-e.body.Len())])
	}
	return len(b), nil
}

// finish shows a held-back error as a page.
func (e *errorPage) finish(p *Provider, r *http.Request, t *guestpass.Tenant) {
	switch {
	case e.status < 400:
		return
	case e.status >= 500:
		p.log.Error("oidc endpoint failed", "path", r.URL.Path, "status", e.status, "body", e.body.String())
		p.pages.OIDCError(e.w, r, t, errInternal)
	default:
		p.pages.OIDCError(e.w, r, t, errBadRequest(opDetail(e.body.Bytes())))
	}
}

var errInternal = guestpass.Errorf(guestpass.KindInternal, "internal", "internal error")

// opDetail is the description in an op error answer: http.Error's text, or
// a JSON error's error_description (or error).
func opDetail(b []byte) string {
	var j struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	s := strings.TrimSpace(string(b))
	if json.Unmarshal(b, &j) == nil && (j.Error != "" || j.Description != "") {
		s = j.Description
		if s == "" {
			s = j.Error
		}
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	if s == "" {
		s = "no detail"
	}
	return s
}
