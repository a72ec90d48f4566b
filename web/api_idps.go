package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/guestpass/guestpass"
)

// idpJSON is an identity provider (DESIGN §4). The client secret is
// write-only: hasClientSecret says whether one is stored.
type idpJSON struct {
	ID              string    `json:"id"`
	DisplayName     string    `json:"displayName"`
	Type            string    `json:"type"`
	Issuer          string    `json:"issuer"`
	ClientID        string    `json:"clientId"`
	HasClientSecret bool      `json:"hasClientSecret"`
	Scopes          []string  `json:"scopes"`
	Domains         []string  `json:"domains"`
	RedirectURI     string    `json:"redirectUri"`
	CreatedDateTime time.Time `json:"createdDateTime"`
	UpdatedDateTime time.Time `json:"updatedDateTime"`
}

func (s *Server) idpOut(p *guestpass.IdentityProvider) idpJSON {
	return idpJSON{ID: p.ID, DisplayName: p.DisplayName, Type: "oidc", Issuer: p.Issuer, ClientID: p.ClientID,
		HasClientSecret: len(p.SealedSecret) > 0, Scopes: nonNil(p.Scopes), Domains: nonNil(p.EmailDomains),
		RedirectURI: s.svc.FederationRedirectURI(p.TenantID), CreatedDateTime: p.CreatedAt.UTC(), UpdatedDateTime: p.UpdatedAt.UTC()}
}

var idpFields = []string{"displayName", "type", "issuer", "clientId", "clientSecret", "scopes", "domains"}

func (s *Server) readIDP(w http.ResponseWriter, r *http.Request) (*guestpass.IdentityProviderInput, bool) {
	o, err := readObject(w, r, idpFields)
	if err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	in := &guestpass.IdentityProviderInput{
		DisplayName:  optional[string](o, "displayName"),
		Type:         optional[string](o, "type"),
		Issuer:       optional[string](o, "issuer"),
		ClientID:     optional[string](o, "clientId"),
		ClientSecret: optional[string](o, "clientSecret"),
		Scopes:       optional[[]string](o, "scopes"),
		Domains:      optional[[]string](o, "domains"),
	}
	if err := o.Err(); err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	return in, true
}

func (s *Server) apiCreateIDP(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readIDP(w, r)
	if !ok {
		return
	}
	tid := r.PathValue("tid")
	p, err := s.svc.CreateIdentityProvider(r.Context(), adminOf(r), tid, in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", s.absURL("/api/v1/tenants/"+url.PathEscape(tid)+"/identityProviders/"+url.PathEscape(p.ID), nil))
	writeJSON(w, http.StatusCreated, s.idpOut(p))
}

func (s *Server) apiListIDPs(w http.ResponseWriter, r *http.Request) {
	page, err := apiPage(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ps, next, err := s.svc.ListIdentityProviders(r.Context(), adminOf(r), r.PathValue("tid"), page)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := list[idpJSON]{Value: []idpJSON{}, NextLink: s.nextLink(r, next)}
	for _, p := range ps {
		out.Value = append(out.Value, s.idpOut(p))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetIDP(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.GetIdentityProvider(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.idpOut(p))
}

func (s *Server) apiPatchIDP(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readIDP(w, r)
	if !ok {
		return
	}
	p, err := s.svc.UpdateIdentityProvider(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.idpOut(p))
}

func (s *Server) apiDeleteIDP(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteIdentityProvider(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id")); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
