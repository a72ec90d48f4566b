package oidc

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// login is where op sends the browser after /authorize. With a usable
// guest session it marks the request signed in and continues at op's
// callback; otherwise it sends the guest through the sign-in pages and
// back here, or answers login_required to prompt=none.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	r, t, ok := p.withTenant(w, r, true)
	if !ok {
		return
	}
	st := p.storage()
	id := r.URL.Query().Get("id")
	req, err := st.request(r.Context(), id)
	if err != nil || req.Done {
		p.pages.OIDCError(w, r, t, errRequestExpired)
		return
	}
	app, err := st.application(r.Context(), req.ClientID)
	if err != nil {
		p.pages.OIDCError(w, r, t, errAppGone)
		return
	}
	sess, guest, err := p.svc.SessionByToken(r.Context(), t.ID, sessionTokenOf(r.Context()))
	switch {
	case err != nil || p.needsSignIn(req, sess):
		p.toSignIn(w, r, t, app, req)
		return
	case !app.Allows(guest.ID):
		p.pages.OIDCNoAccess(w, r, t, app.DisplayName, "/t/"+url.PathEscape(t.ID)+"/oidc/denied", req.ID)
		return
	case t.MFARequiredFor(app) && !sess.HasMFA():
		// A session from a sign-in without a second factor: the app gets
		// none but one that proved it, so the guest signs in again for it.
		p.toSignIn(w, r, t, app, req)
		return
	}
	req.SessionID, req.GuestID, req.AuthTime = sess.ID, guest.ID, sess.AuthTime
	req.AMR, req.IDP, req.Done = sess.AMR, sess.IDP, true
	if err := p.svc.Store().UpdateOIDCAuthRequest(r.Context(), req); err != nil {
		p.pages.OIDCError(w, r, t, fmt.Errorf("oidc login: %w", err))
		return
	}
	http.Redirect(w, r, p.svc.TenantURL(t.ID, "/authorize/callback?id="+url.QueryEscape(req.ID)), http.StatusSeeOther)
}

// toSignIn sends the guest to the sign-in pages, naming the app (so that
// they ask for whatever it requires, a second factor) and coming back here.
// With prompt=none the client learns login_required instead: signing in
// again, second factor included, is End-User authentication (OpenID
// Connect Core §3.1.2.6), whatever the reason it is needed.
func (p *Provider) toSignIn(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, app *guestpass.Application, req *guestpass.OIDCAuthRequest) {
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		_ = p.storage().DeleteAuthRequest(r.Context(), req.ID)
		p.authError(w, r, t, req, oidc.ErrLoginRequired())
		return
	}
	back := p.svc.TenantURL(t.ID, "/oidc/login?id="+url.QueryEscape(req.ID))
	q := url.Values{"return_to": {back}, "app": {app.ID}}
	http.Redirect(w, r, "/t/"+url.PathEscape(t.ID)+"/signin?"+q.Encode(), http.StatusSeeOther)
}

// needsSignIn applies prompt=login and max_age (op turns prompt=login
// into max_age=0): a sign-in made after the request began always counts,
// older ones only within max_age. A session that ends before the tokens
// would is not used either.
func (p *Provider) needsSignIn(req *guestpass.OIDCAuthRequest, sess *guestpass.Session) bool {
	now := p.svc.Now()
	if sess.ExpiresAt.Sub(now) < idTokenLifetime+codeLifetime {
		return true
	}
	if !sess.AuthTime.Before(req.CreatedAt) {
		return false
	}
	return req.MaxAge >= 0 && now.Sub(sess.AuthTime) > time.Duration(req.MaxAge)*time.Second
}

// deniedPost is the button of the "no access" page: the client learns
// access_denied, in the response mode it asked for.
func (p *Provider) deniedPost(w http.ResponseWriter, r *http.Request) {
	r, t, ok := p.withTenant(w, r, true)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	st := p.storage()
	req, err := st.request(r.Context(), r.PostFormValue("id"))
	if err != nil || req.Done {
		p.pages.OIDCError(w, r, t, errRequestExpired)
		return
	}
	_ = st.DeleteAuthRequest(r.Context(), req.ID)
	p.authError(w, r, t, req, oidc.ErrAccessDenied().WithDescription("the guest has not been given access to this application"))
}

func (p *Provider) storage() *storage { return p.op.Storage().(*storage) }
