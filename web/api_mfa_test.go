package web_test

import (
	"net/http"
	"testing"
)

func TestAPIGuestMFA(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, map[string]any{"displayName": "Strict", "requireMfaForGuests": true})
	gs := "/api/v1/tenants/" + tn.ID + "/guests"
	inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "ann@partner.com"})
	g := gs + "/" + inv.InvitedUser.ID
	var list struct{ Value []map[string]any }
	e.must(t, "GET", g+"/authenticationMethods", nil, http.StatusOK, &list)
	if list.Value == nil || len(list.Value) != 0 {
		t.Fatalf("methods of a new guest: %+v", list)
	}
	var reset struct {
		Value          bool
		RemovedMethods *int
	}
	e.must(t, "POST", g+"/resetAuthenticationMethods", nil, http.StatusOK, &reset)
	if !reset.Value || reset.RemovedMethods == nil || *reset.RemovedMethods != 0 {
		t.Fatalf("reset: %+v", reset)
	}
	e.call(t, e.op, "GET", gs+"/nope/authenticationMethods", nil).expectError(t, http.StatusNotFound, "guest_not_found")
	e.call(t, e.op, "POST", gs+"/nope/resetAuthenticationMethods", nil).expectError(t, http.StatusNotFound, "guest_not_found")
}
