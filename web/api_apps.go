package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/guestpass/guestpass"
)

// appJSON is an application. clientSecret appears only in the answer that
// created or rotated it.
type appJSON struct {
	ID                     string    `json:"id"`
	DisplayName            string    `json:"displayName"`
	Type                   string    `json:"type"`
	ClientID               string    `json:"clientId,omitempty"`
	ClientSecret           string    `json:"clientSecret,omitempty"`
	RedirectURIs           []string  `json:"redirectUris,omitempty"`
	PostLogoutRedirectURIs []string  `json:"postLogoutRedirectUris,omitempty"`
	Public                 *bool     `json:"public,omitempty"`
	Hosts                  []string  `json:"hosts,omitempty"`
	Assignment             string    `json:"assignment"`
	AssignedGuestIDs       []string  `json:"assignedGuestIds"`
	RequireMFA             bool      `json:"requireMfa"`
	IDTokenAlg             string    `json:"idTokenSignedResponseAlg,omitempty"`
	CreatedDateTime        time.Time `json:"createdDateTime"`
	UpdatedDateTime        time.Time `json:"updatedDateTime"`
}

func appOut(a *guestpass.Application, secret string) appJSON {
	out := appJSON{ID: a.ID, DisplayName: a.DisplayName, Type: string(a.Type), Assignment: string(a.Assignment),
		AssignedGuestIDs: nonNil(a.AssignedGuestIDs), RequireMFA: a.RequireMFA,
		CreatedDateTime: a.CreatedAt.UTC(), UpdatedDateTime: a.UpdatedAt.UTC()}
	switch a.Type {
	case guestpass.AppOIDC:
		public := a.Public
		out.ClientID, out.ClientSecret, out.Public = a.ClientID(), secret, &public
		out.RedirectURIs, out.PostLogoutRedirectURIs = nonNil(a.RedirectURIs), nonNil(a.PostLogoutRedirectURIs)
		out.IDTokenAlg = a.IDTokenAlg
		if out.IDTokenAlg == "" { // registered before the field existed
			out.IDTokenAlg = guestpass.AlgRS256
		}
	case guestpass.AppProxy:
		out.Hosts = nonNil(a.Hosts)
	}
	return out
}

var appFields = []string{"displayName", "type", "redirectUris", "postLogoutRedirectUris", "public", "hosts",
	"assignment", "assignedGuestIds", "requireMfa", "idTokenSignedResponseAlg"}

func (s *Server) readApp(w http.ResponseWriter, r *http.Request) (*guestpass.AppInput, bool) {
	o, err := readObject(w, r, appFields)
	if err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	in := &guestpass.AppInput{
		DisplayName:            optional[string](o, "displayName"),
		Type:                   optional[guestpass.AppType](o, "type"),
		RedirectURIs:           optional[[]string](o, "redirectUris"),
		PostLogoutRedirectURIs: optional[[]string](o, "postLogoutRedirectUris"),
		Public:                 optional[bool](o, "public"),
		Hosts:                  optional[[]string](o, "hosts"),
		Assignment:             optional[guestpass.Assignment](o, "assignment"),
		AssignedGuestIDs:       optional[[]string](o, "assignedGuestIds"),
		RequireMFA:             optional[bool](o, "requireMfa"),
		IDTokenAlg:             optional[string](o, "idTokenSignedResponseAlg"),
	}
	if err := o.Err(); err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	return in, true
}

func (s *Server) apiCreateApp(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readApp(w, r)
	if !ok {
		return
	}
	a, secret, err := s.svc.CreateApplication(r.Context(), adminOf(r), r.PathValue("tid"), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", s.absURL("/api/v1/tenants/"+url.PathEscape(r.PathValue("tid"))+"/applications/"+url.PathEscape(a.ID), nil))
	writeJSON(w, http.StatusCreated, appOut(a, secret))
}

func (s *Server) apiListApps(w http.ResponseWriter, r *http.Request) {
	page, err := apiPage(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	as, next, err := s.svc.ListApplications(r.Context(), adminOf(r), r.PathValue("tid"), page)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := list[appJSON]{Value: []appJSON{}, NextLink: s.nextLink(r, next)}
	for _, a := range as {
		out.Value = append(out.Value, appOut(a, ""))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetApp(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.GetApplication(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, appOut(a, ""))
}

func (s *Server) apiPatchApp(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readApp(w, r)
	if !ok {
		return
	}
	a, err := s.svc.UpdateApplication(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, appOut(a, ""))
}

func (s *Server) apiDeleteApp(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteApplication(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id")); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiRotateAppSecret answers the app with its new secret, shown this once.
func (s *Server) apiRotateAppSecret(w http.ResponseWriter, r *http.Request) {
	a, secret, err := s.svc.RotateApplicationSecret(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, appOut(a, secret))
}
