package guestpass_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

// signedIn redeems addr's invitation and returns the session token.
func (e *env) signedIn(t *testing.T, addr string, nth int) string {
	t.Helper()
	flow := e.send(t, "", addr)
	codes := e.waitCodes(t, addr, nth)
	res, err := e.verify(t, flow, codes[nth-1])
	if err != nil {
		t.Fatal(err)
	}
	if res.NeedConsent {
		res, err = e.svc.Consent(t.Context(), guestpass.ConsentRequest{TenantID: e.tenant.ID, FlowToken: flow, Accept: true, Client: client})
		if err != nil {
			t.Fatal(err)
		}
	}
	return res.Session.Token
}

func (e *env) sessionLive(t *testing.T, token string) bool {
	t.Helper()
	_, _, err := e.svc.SessionByToken(t.Context(), e.tenant.ID, token)
	if err != nil && guestpass.KindOf(err) != guestpass.KindUnauthorized {
		t.Fatal(err)
	}
	return err == nil
}

func TestSessionsEndWithAdminActions(t *testing.T) {
	e := newEnv(t)
	op := mustOperator(t, e)
	inv := e.invite(t, "jo@fabrikam.com")
	gid := inv.Guest.ID
	token := e.signedIn(t, "jo@fabrikam.com", 1)
	if !e.sessionLive(t, token) {
		t.Fatal("fresh session refused")
	}
	t.Run("OtherTenantRefusesTheSession", func(t *testing.T) {
		other, err := e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.SessionByToken(t.Context(), other.ID, token); err == nil {
			t.Fatal("a session of one tenant worked in another")
		}
	})
	t.Run("DisableRevokes", func(t *testing.T) {
		off, on := false, true
		if _, err := e.svc.UpdateGuest(t.Context(), op, e.tenant.ID, gid, &guestpass.GuestPatch{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		if e.sessionLive(t, token) {
			t.Fatal("session survived disabling the guest")
		}
		g, err := e.svc.UpdateGuest(t.Context(), op, e.tenant.ID, gid, &guestpass.GuestPatch{Enabled: &on})
		if err != nil || g.State != guestpass.GuestAccepted {
			t.Fatalf("re-enabled guest: %+v, %v", g, err)
		}
		if e.sessionLive(t, token) {
			t.Fatal("re-enabling revived a revoked session")
		}
	})
	t.Run("ResetRedemption", func(t *testing.T) {
		e.clock.Advance(31 * time.Minute)
		token := e.signedIn(t, "jo@fabrikam.com", 2)
		res, err := e.svc.InviteLocal(t.Context(), e.tenant.ID, guestpass.InviteRequest{Email: "jo@fabrikam.com", ResetRedemption: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Guest.ID != gid || res.Guest.State != guestpass.GuestPendingAcceptance || !res.Guest.RedeemedAt.IsZero() {
			t.Fatalf("after reset: %+v", res.Guest)
		}
		if res.Invitation.Status != guestpass.InvitationPending {
			t.Fatalf("new invitation status %s", res.Invitation.Status)
		}
		if e.sessionLive(t, token) {
			t.Fatal("session survived resetRedemption")
		}
		view, err := e.svc.LookupTicket(t.Context(), e.tenant.ID, mustTicketOf(t, res.RedeemURL))
		if err != nil || view.Status != guestpass.TicketValid {
			t.Fatalf("new ticket: %+v, %v", view, err)
		}
		e.clock.Advance(31 * time.Minute)
		flow := e.send(t, "", "jo@fabrikam.com")
		r, err := e.verify(t, flow, e.waitCodes(t, "jo@fabrikam.com", 3)[2])
		if err != nil || !r.NeedConsent {
			t.Fatalf("sign-in after reset must ask consent again: %+v, %v", r, err)
		}
	})
	t.Run("DeleteRevokes", func(t *testing.T) {
		e.clock.Advance(31 * time.Minute)
		token := e.signedIn(t, "jo@fabrikam.com", 4)
		if err := e.svc.DeleteGuest(t.Context(), op, e.tenant.ID, gid); err != nil {
			t.Fatal(err)
		}
		if e.sessionLive(t, token) {
			t.Fatal("session survived deleting the guest")
		}
		if _, err := e.svc.GetGuest(t.Context(), op, e.tenant.ID, gid); guestpass.KindOf(err) != guestpass.KindNotFound {
			t.Fatalf("deleted guest: %v", err)
		}
	})
}

func mustTicketOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("ticket")
}
