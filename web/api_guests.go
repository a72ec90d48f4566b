package web

import (
	"net/http"
	"time"

	"github.com/guestpass/guestpass"
)

// guestJSON is a guest; times that have not happened yet are null.
type guestJSON struct {
	ID                 string     `json:"id"`
	Mail               string     `json:"mail"`
	DisplayName        string     `json:"displayName"`
	State              string     `json:"state"`
	InvitedBy          string     `json:"invitedBy"`
	InvitedDateTime    *time.Time `json:"invitedDateTime"`
	RedeemedDateTime   *time.Time `json:"redeemedDateTime"`
	LastSignInDateTime *time.Time `json:"lastSignInDateTime"`
	CreatedDateTime    *time.Time `json:"createdDateTime"`
}

func guestOut(g *guestpass.Guest) guestJSON {
	return guestJSON{
		ID: g.ID, Mail: g.Mail, DisplayName: g.DisplayName, State: string(g.State), InvitedBy: g.InvitedBy,
		InvitedDateTime: timeOrNil(g.InvitedAt), RedeemedDateTime: timeOrNil(g.RedeemedAt),
		LastSignInDateTime: timeOrNil(g.LastSignInAt), CreatedDateTime: timeOrNil(g.CreatedAt),
	}
}

var guestFields = []string{"displayName", "accountEnabled", "state"}

// decodeGuestPatch reads displayName, accountEnabled and state. A state is
// a wish to disable or enable: the service derives the real state from the
// guest's redemption, so "accepted" cannot skip the invitation.
func decodeGuestPatch(o *object) (*guestpass.GuestPatch, error) {
	p := &guestpass.GuestPatch{DisplayName: optional[string](o, "displayName")}
	enabled := optional[bool](o, "accountEnabled")
	state := optional[string](o, "state")
	if err := o.Err(); err != nil {
		return nil, err
	}
	if isNull(o.fields["accountEnabled"]) {
		enabled = nil
	}
	if state != nil && !isNull(o.fields["state"]) {
		var want bool
		switch guestpass.GuestState(*state) {
		case guestpass.GuestDisabled:
		case "enabled", guestpass.GuestAccepted, guestpass.GuestPendingAcceptance:
			want = true
		default:
			return nil, guestpass.Errorf(guestpass.KindInvalid, "invalid_state", "state must be disabled, enabled, accepted or pendingAcceptance")
		}
		if enabled != nil && *enabled != want {
			return nil, guestpass.Errorf(guestpass.KindInvalid, "invalid_state", "accountEnabled and state disagree")
		}
		enabled = &want
	}
	p.Enabled = enabled
	return p, nil
}

func (s *Server) apiListGuests(w http.ResponseWriter, r *http.Request) {
	page, err := apiPage(r, "state")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	state := guestpass.GuestState(r.URL.Query().Get("state"))
	gs, next, err := s.svc.ListGuests(r.Context(), adminOf(r), r.PathValue("tid"), state, page)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := list[guestJSON]{Value: []guestJSON{}, NextLink: s.nextLink(r, next)}
	for _, g := range gs {
		out.Value = append(out.Value, guestOut(g))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetGuest(w http.ResponseWriter, r *http.Request) {
	g, err := s.svc.GetGuest(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, guestOut(g))
}

func (s *Server) apiPatchGuest(w http.ResponseWriter, r *http.Request) {
	o, err := readObject(w, r, guestFields)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	p, err := decodeGuestPatch(o)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	g, err := s.svc.UpdateGuest(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"), p)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, guestOut(g))
}

func (s *Server) apiDeleteGuest(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteGuest(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id")); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiRevokeSessions(w http.ResponseWriter, r *http.Request) {
	n, err := s.svc.RevokeGuestSessions(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": true, "revokedSessions": n})
}

// auditJSON is one audit event. Detail stays internal: it may name ids an
// admin of the tenant has no use for.
type auditJSON struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Type      string    `json:"type"`
	Action    string    `json:"action"`
	Outcome   string    `json:"outcome"`
	Reason    string    `json:"reason"`
	GuestID   *string   `json:"guestId"`
	Actor     string    `json:"actor"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"userAgent"`
}

func (s *Server) apiListAudit(w http.ResponseWriter, r *http.Request) {
	page, err := apiPage(r, "type")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	typ := guestpass.AuditType(r.URL.Query().Get("type"))
	es, next, err := s.svc.ListAudit(r.Context(), adminOf(r), r.PathValue("tid"), typ, page)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := list[auditJSON]{Value: []auditJSON{}, NextLink: s.nextLink(r, next)}
	for _, e := range es {
		out.Value = append(out.Value, auditJSON{ID: e.ID, Time: e.Time.UTC(), Type: string(e.Type), Action: e.Action,
			Outcome: e.Outcome, Reason: e.Reason, GuestID: strOrNil(e.GuestID), Actor: e.Actor, IP: e.IP, UserAgent: e.UserAgent})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiCreateToken makes a tenant admin token; the service allows it to
// operators only. The secret is in this answer and nowhere else.
func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	o, err := readObject(w, r, []string{"name"})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	name := value(o, "name", "")
	if err := o.Err(); err != nil {
		s.apiError(w, r, err)
		return
	}
	if name == "" {
		s.apiError(w, r, guestpass.Errorf(guestpass.KindInvalid, "invalid_name", "name is required"))
		return
	}
	secret, t, err := s.svc.CreateAdminToken(r.Context(), adminOf(r), r.PathValue("tid"), name)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": t.ID, "name": t.Name, "tenantId": t.TenantID, "token": secret})
}
