package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/guestpass/guestpass"
)

// tenantJSON is a tenant as the API shows it: settings flattened, durations
// in ISO 8601 as Microsoft Graph writes them.
type tenantJSON struct {
	ID                    string    `json:"id"`
	DisplayName           string    `json:"displayName"`
	VerifiedDomains       []string  `json:"verifiedDomains"`
	EmailOTP              string    `json:"emailOtp"`
	CodeLifetime          string    `json:"codeLifetime"`
	SessionLifetime       string    `json:"sessionLifetime"`
	InvitationLifetime    string    `json:"invitationLifetime"`
	InvitationQuotaPerDay int       `json:"invitationQuotaPerDay"`
	RequireMFAForGuests   bool      `json:"requireMfaForGuests"`
	MFAMethods            []string  `json:"mfaMethods"`
	AllowedDomains        []string  `json:"allowedDomains"`
	BlockedDomains        []string  `json:"blockedDomains"`
	CreatedDateTime       time.Time `json:"createdDateTime"`
	UpdatedDateTime       time.Time `json:"updatedDateTime"`
}

func tenantOut(t *guestpass.Tenant) tenantJSON {
	s := t.Settings
	return tenantJSON{
		ID: t.ID, DisplayName: t.DisplayName, VerifiedDomains: nonNil(t.VerifiedDomains),
		EmailOTP:              string(s.EmailOTP),
		CodeLifetime:          guestpass.FormatDuration(s.CodeLifetime),
		SessionLifetime:       guestpass.FormatDuration(s.SessionLifetime),
		InvitationLifetime:    guestpass.FormatDuration(s.InvitationLifetime),
		InvitationQuotaPerDay: s.InvitationQuotaPerDay, RequireMFAForGuests: s.RequireMFAForGuests,
		MFAMethods:     mfaKindNames(s.MFAMethods),
		AllowedDomains: nonNil(s.AllowedDomains), BlockedDomains: nonNil(s.BlockedDomains),
		CreatedDateTime: t.CreatedAt.UTC(), UpdatedDateTime: t.UpdatedAt.UTC(),
	}
}

func mfaKindNames(ks []guestpass.MFAKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// nonNil keeps lists arrays in JSON: clients iterate, they do not null-check.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

var tenantFields = []string{"displayName", "verifiedDomains", "emailOtp", "codeLifetime", "sessionLifetime",
	"invitationLifetime", "invitationQuotaPerDay", "requireMfaForGuests", "mfaMethods", "allowedDomains", "blockedDomains"}

// decodeTenant reads a tenant body (POST or PATCH) as a patch: absent
// fields stay as they are, null resets a field to its default.
func decodeTenant(o *object) (*guestpass.TenantPatch, error) {
	p := &guestpass.TenantPatch{
		DisplayName:           optional[string](o, "displayName"),
		VerifiedDomains:       optional[[]string](o, "verifiedDomains"),
		EmailOTP:              optional[guestpass.EmailOTPSetting](o, "emailOtp"),
		CodeLifetime:          o.duration("codeLifetime"),
		SessionLifetime:       o.duration("sessionLifetime"),
		InvitationLifetime:    o.duration("invitationLifetime"),
		InvitationQuotaPerDay: optional[int](o, "invitationQuotaPerDay"),
		RequireMFAForGuests:   optional[bool](o, "requireMfaForGuests"),
		MFAMethods:            optional[[]guestpass.MFAKind](o, "mfaMethods"),
		AllowedDomains:        optional[[]string](o, "allowedDomains"),
		BlockedDomains:        optional[[]string](o, "blockedDomains"),
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) readTenant(w http.ResponseWriter, r *http.Request) (*guestpass.TenantPatch, bool) {
	o, err := readObject(w, r, tenantFields)
	if err == nil {
		var p *guestpass.TenantPatch
		if p, err = decodeTenant(o); err == nil {
			return p, true
		}
	}
	s.apiError(w, r, err)
	return nil, false
}

func (s *Server) apiCreateTenant(w http.ResponseWriter, r *http.Request) {
	p, ok := s.readTenant(w, r)
	if !ok {
		return
	}
	t := &guestpass.Tenant{}
	p.Apply(t)
	t, err := s.svc.CreateTenant(r.Context(), adminOf(r), t)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", s.absURL("/api/v1/tenants/"+url.PathEscape(t.ID), nil))
	writeJSON(w, http.StatusCreated, tenantOut(t))
}

func (s *Server) apiListTenants(w http.ResponseWriter, r *http.Request) {
	page, err := apiPage(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ts, next, err := s.svc.ListTenants(r.Context(), adminOf(r), page)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := list[tenantJSON]{Value: []tenantJSON{}, NextLink: s.nextLink(r, next)}
	for _, t := range ts {
		out.Value = append(out.Value, tenantOut(t))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetTenant(w http.ResponseWriter, r *http.Request) {
	t, err := s.svc.GetTenant(r.Context(), adminOf(r), r.PathValue("tid"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tenantOut(t))
}

func (s *Server) apiPatchTenant(w http.ResponseWriter, r *http.Request) {
	p, ok := s.readTenant(w, r)
	if !ok {
		return
	}
	t, err := s.svc.UpdateTenant(r.Context(), adminOf(r), r.PathValue("tid"), p)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tenantOut(t))
}
