package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/guestpass/guestpass"
)

// The pages the OpenID provider (package oidc) shows in a sign-in to an
// app, drawn here so they have the look, language and headers of every
// other guest page. Server implements oidc.Pages (wired in cmd/guestpass).

// oidcData is what the OIDC page templates show.
type oidcData struct {
	App    string
	Action string // form#denied's or the form_post form's target
	ID     string // the authorization request (form#denied)
	Params []kv   // the form_post response
}

// OIDCError shows why a sign-in to an app cannot go on.
func (s *Server) OIDCError(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, err error) {
	setPageHeaders(w.Header())
	s.renderError(w, r, t, err)
}

// OIDCNoAccess is the "you have not been given access" page; its
// form#denied returns access_denied to the app.
func (s *Server) OIDCNoAccess(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, app, action, id string) {
	setPageHeaders(w.Header())
	d := s.newPage(r, "title.noaccess", t)
	d.Alert = d.L.T("noaccess.alert", app)
	d.OIDC = &oidcData{App: app, Action: action, ID: id}
	s.render(w, r, http.StatusForbidden, "noaccess", d)
}

// OIDCFormPost posts an authorization response to the app's redirect URI
// (response_mode=form_post): formpost.js submits the form, or the guest
// does.
func (s *Server) OIDCFormPost(w http.ResponseWriter, r *http.Request, t *guestpass.Tenant, app, redirectURI string, params url.Values) {
	setPageHeaders(w.Header())
	d := s.newPage(r, "title.formpost", t)
	d.OIDC = &oidcData{App: app, Action: redirectURI}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range params[k] {
			d.OIDC.Params = append(d.OIDC.Params, kv{k, v})
		}
	}
	s.render(w, r, http.StatusOK, "formpost", d)
}

func init() {
	for k, v := range map[string]string{
		"title.noaccess":               "No access",
		"noaccess.alert":               "You have not been given access to %s. Ask the person who invited you to give you access.",
		"button.backto":                "Return to %s",
		"button.backtoapp":             "Return to the application",
		"title.formpost":               "Returning to the application",
		"formpost.lead":                "You are signed in. Returning you to %s.",
		"formpost.leadapp":             "Returning you to the application.",
		"err.oidc_request_expired":     "This sign-in link has expired. Go back to the application and start again.",
		"err.oidc_unknown_application": "This application is no longer registered.",
		"err.oidc_bad_request":         "The application sent a sign-in request that cannot be accepted (%s). Contact the application's owner.",
	} {
		if _, ok := catalog["en"][k]; !ok {
			catalog["en"][k] = v
		}
	}
	for k, v := range map[string]string{
		"title.noaccess":               "Kein Zugriff",
		"noaccess.alert":               "Sie haben keinen Zugriff auf %s erhalten. Bitten Sie die Person, die Sie eingeladen hat, Ihnen Zugriff zu geben.",
		"button.backto":                "Zurück zu %s",
		"button.backtoapp":             "Zurück zur Anwendung",
		"title.formpost":               "Zurück zur Anwendung",
		"formpost.lead":                "Sie sind angemeldet. Es geht zurück zu %s.",
		"formpost.leadapp":             "Es geht zurück zur Anwendung.",
		"err.oidc_request_expired":     "Dieser Anmeldelink ist abgelaufen. Gehen Sie zurück zur Anwendung und beginnen Sie neu.",
		"err.oidc_unknown_application": "Diese Anwendung ist nicht mehr registriert.",
		"err.oidc_bad_request":         "Die Anwendung hat eine Anmeldeanfrage gesendet, die nicht angenommen werden kann (%s). Wenden Sie sich an die Verantwortlichen der Anwendung.",
	} {
		if _, ok := catalog["de"][k]; !ok {
			catalog["de"][k] = v
		}
	}
}
