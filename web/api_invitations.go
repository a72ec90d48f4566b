package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/guestpass/guestpass"
)

// invitationJSON follows Microsoft Graph's invitation resource, plus the
// delivery state of its email. InviteRedeemURL carries the ticket and is
// present only in the answer to the POST that created it.
type invitationJSON struct {
	ID                      string          `json:"id"`
	InviteRedeemURL         string          `json:"inviteRedeemUrl,omitempty"`
	InvitedUserEmailAddress string          `json:"invitedUserEmailAddress"`
	InvitedUserDisplayName  string          `json:"invitedUserDisplayName"`
	InviteRedirectURL       string          `json:"inviteRedirectUrl"`
	SendInvitationMessage   bool            `json:"sendInvitationMessage"`
	InvitedUserMessageInfo  messageInfoJSON `json:"invitedUserMessageInfo"`
	ResetRedemption         bool            `json:"resetRedemption"`
	InvitedUser             idJSON          `json:"invitedUser"`
	Status                  string          `json:"status"`
	DeliveryState           string          `json:"deliveryState"`
	DeliveryError           *string         `json:"deliveryError"`
	SendCount               int             `json:"sendCount"`
	ExpiresDateTime         time.Time       `json:"expiresDateTime"`
	RedeemedDateTime        *time.Time      `json:"redeemedDateTime"`
	CreatedDateTime         time.Time       `json:"createdDateTime"`
}

type messageInfoJSON struct {
	CustomizedMessageBody string `json:"customizedMessageBody"`
	MessageLanguage       string `json:"messageLanguage,omitempty"`
}

type idJSON struct {
	ID string `json:"id"`
}

func invitationOut(inv *guestpass.Invitation, g *guestpass.Guest) invitationJSON {
	out := invitationJSON{
		ID: inv.ID, InviteRedirectURL: inv.RedirectURL,
		SendInvitationMessage:  inv.DeliveryState != guestpass.DeliveryNone,
		InvitedUserMessageInfo: messageInfoJSON{CustomizedMessageBody: inv.Message},
		InvitedUser:            idJSON{ID: inv.GuestID},
		Status:                 string(inv.Status), DeliveryState: string(inv.DeliveryState),
		DeliveryError: strOrNil(inv.DeliveryError), SendCount: inv.SendCount,
		ExpiresDateTime: inv.ExpiresAt.UTC(), RedeemedDateTime: timeOrNil(inv.RedeemedAt),
		CreatedDateTime: inv.CreatedAt.UTC(),
	}
	if g != nil {
		out.InvitedUserEmailAddress, out.InvitedUserDisplayName = g.Mail, g.DisplayName
	}
	return out
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

var (
	invitationFields  = []string{"invitedUserEmailAddress", "invitedUserDisplayName", "inviteRedirectUrl", "sendInvitationMessage", "invitedUserMessageInfo", "resetRedemption", "invitedUser"}
	messageInfoFields = []string{"customizedMessageBody", "messageLanguage"}
	invitedUserFields = []string{"id"}
)

// decodeInvitation reads the Graph-shaped request. It returns the id the
// caller claims for the invited user ("" when none was given).
//
// sendInvitationMessage defaults to true, unlike Graph: sending the email is
// what GuestPass is for, and a forgotten flag should not leave a guest
// waiting for a message that never comes.
func decodeInvitation(o *object) (guestpass.InviteRequest, string, error) {
	info := o.nested("invitedUserMessageInfo", messageInfoFields)
	user := o.nested("invitedUser", invitedUserFields)
	req := guestpass.InviteRequest{
		Email:           value(o, "invitedUserEmailAddress", ""),
		DisplayName:     value(o, "invitedUserDisplayName", ""),
		RedirectURL:     value(o, "inviteRedirectUrl", ""),
		SendMessage:     value(o, "sendInvitationMessage", true),
		ResetRedemption: value(o, "resetRedemption", false),
		MessageBody:     value(info, "customizedMessageBody", ""),
		Locale:          value(info, "messageLanguage", ""),
	}
	userID := value(user, "id", "")
	if err := o.Err(); err != nil {
		return guestpass.InviteRequest{}, "", err
	}
	if !validLanguageTag(req.Locale) {
		return guestpass.InviteRequest{}, "", guestpass.Errorf(guestpass.KindInvalid, "invalid_language", "invitedUserMessageInfo.messageLanguage must be a language tag like en-US")
	}
	return req, userID, nil
}

// validLanguageTag accepts the shape of a BCP 47 tag; the mail templates
// fall back to English for tags they do not know.
func validLanguageTag(s string) bool {
	if len(s) > 35 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request) {
	o, err := readObject(w, r, invitationFields)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	req, userID, err := decodeInvitation(o)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	tid, admin := r.PathValue("tid"), adminOf(r)
	if err := s.checkInvitedUser(r.Context(), admin, tid, req.Email, userID); err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.svc.Invite(r.Context(), admin, tid, req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := invitationOut(res.Invitation, res.Guest)
	out.InviteRedeemURL, out.ResetRedemption = res.RedeemURL, req.ResetRedemption
	out.InvitedUserMessageInfo.MessageLanguage = req.Locale
	w.Header().Set("Location", s.absURL("/api/v1/tenants/"+url.PathEscape(tid)+"/invitations/"+url.PathEscape(res.Invitation.ID), nil))
	writeJSON(w, http.StatusCreated, out)
}

// checkInvitedUser refuses an invitedUser.id that is not the guest of the
// invited address, before anything is written. Graph lets a caller name the
// user; here the address decides, so a mismatch is the caller's mistake.
func (s *Server) checkInvitedUser(ctx context.Context, admin *guestpass.AdminToken, tid, email, userID string) error {
	if userID == "" {
		return nil
	}
	addr, err := guestpass.ParseAddress(email)
	if err != nil {
		return err
	}
	g, err := s.svc.GetGuest(ctx, admin, tid, userID)
	if guestpass.KindOf(err) == guestpass.KindNotFound {
		return guestpass.Errorf(guestpass.KindInvalid, "invalid_invited_user", "invitedUser.id names no guest of this organization")
	}
	if err != nil {
		return err
	}
	if g.Mail != addr {
		return guestpass.Errorf(guestpass.KindInvalid, "invalid_invited_user", "invitedUser.id is the guest of another address")
	}
	return nil
}

func (s *Server) apiListInvitations(w http.ResponseWriter, r *http.Request) {
	page, err := apiPage(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	tid, admin := r.PathValue("tid"), adminOf(r)
	invs, next, err := s.svc.ListInvitations(r.Context(), admin, tid, page)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := list[invitationJSON]{Value: []invitationJSON{}, NextLink: s.nextLink(r, next)}
	guests := map[string]*guestpass.Guest{}
	for _, inv := range invs {
		g, err := s.invitedGuest(r.Context(), admin, inv, guests)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		out.Value = append(out.Value, invitationOut(inv, g))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetInvitation(w http.ResponseWriter, r *http.Request) {
	tid, admin := r.PathValue("tid"), adminOf(r)
	inv, err := s.svc.GetInvitation(r.Context(), admin, tid, r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	g, err := s.invitedGuest(r.Context(), admin, inv, map[string]*guestpass.Guest{})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invitationOut(inv, g))
}

// invitedGuest loads the guest an invitation names, once per page. A guest
// deleted since the invitation was read yields nil: the invitation went with
// it, and the page shows what was read.
func (s *Server) invitedGuest(ctx context.Context, admin *guestpass.AdminToken, inv *guestpass.Invitation, seen map[string]*guestpass.Guest) (*guestpass.Guest, error) {
	if g, ok := seen[inv.GuestID]; ok {
		return g, nil
	}
	g, err := s.svc.GetGuest(ctx, admin, inv.TenantID, inv.GuestID)
	if err != nil {
		if guestpass.KindOf(err) != guestpass.KindNotFound {
			return nil, err
		}
		g = nil
	}
	seen[inv.GuestID] = g
	return g, nil
}
