package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAPIGuests(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	gs := "/api/v1/tenants/" + tn.ID + "/guests"
	inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "ann@partner.com", "invitedUserDisplayName": "Ann"})
	g := gs + "/" + inv.InvitedUser.ID
	t.Run("Get", func(t *testing.T) {
		var got guestOut
		a := e.must(t, "GET", g, nil, http.StatusOK, &got)
		at := apiEpoch
		want := guestOut{ID: inv.InvitedUser.ID, Mail: "ann@partner.com", DisplayName: "Ann", State: "pendingAcceptance",
			InvitedBy: got.InvitedBy, InvitedDateTime: &at, CreatedDateTime: &at}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("guest (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(got.InvitedBy, "token:") {
			t.Errorf("invitedBy %q", got.InvitedBy)
		}
		for _, f := range []string{`"redeemedDateTime":null`, `"lastSignInDateTime":null`} {
			if !strings.Contains(string(a.body), f) {
				t.Errorf("%s missing from %s", f, a.body)
			}
		}
		e.call(t, e.op, "GET", gs+"/nope", nil).expectError(t, http.StatusNotFound, "guest_not_found")
	})
	t.Run("PatchDisplayName", func(t *testing.T) {
		var got guestOut
		e.must(t, "PATCH", g, map[string]any{"displayName": "Ann Smith"}, http.StatusOK, &got)
		if got.DisplayName != "Ann Smith" || got.State != "pendingAcceptance" {
			t.Errorf("%+v", got)
		}
	})
	t.Run("DisableAndEnable", func(t *testing.T) {
		var got guestOut
		e.must(t, "PATCH", g, map[string]any{"accountEnabled": false}, http.StatusOK, &got)
		if got.State != "disabled" {
			t.Fatalf("state %s", got.State)
		}
		e.call(t, e.op, "POST", "/api/v1/tenants/"+tn.ID+"/invitations", map[string]any{"invitedUserEmailAddress": "ann@partner.com"}).
			expectError(t, http.StatusConflict, "guest_disabled")
		e.must(t, "PATCH", g, map[string]any{"state": "enabled"}, http.StatusOK, &got)
		if got.State != "pendingAcceptance" {
			t.Errorf("re-enabled to %s", got.State)
		}
		e.must(t, "PATCH", g, map[string]any{"state": "disabled", "accountEnabled": false}, http.StatusOK, &got)
		// "accepted" asks to enable; the guest has not redeemed, so it
		// goes back to pendingAcceptance, not to accepted.
		e.must(t, "PATCH", g, map[string]any{"state": "accepted"}, http.StatusOK, &got)
		if got.State != "pendingAcceptance" {
			t.Errorf("state %s", got.State)
		}
	})
	t.Run("PatchRefusals", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			body any
			code string
		}{
			{"UnknownState", map[string]any{"state": "banned"}, "invalid_state"},
			{"ContradictoryFields", map[string]any{"state": "disabled", "accountEnabled": true}, "invalid_state"},
			{"EnabledNotBool", map[string]any{"accountEnabled": "no"}, "invalid_type"},
			{"UnknownField", map[string]any{"mail": "other@partner.com"}, "unknown_field"},
			{"ControlChars", map[string]any{"displayName": "a\x00"}, "invalid_displayName"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var before, after guestOut
				e.must(t, "GET", g, nil, http.StatusOK, &before)
				e.call(t, e.op, "PATCH", g, tc.body).expectError(t, http.StatusBadRequest, tc.code)
				e.must(t, "GET", g, nil, http.StatusOK, &after)
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("refused PATCH changed the guest:\n%s", diff)
				}
			})
		}
		for _, bf := range bodyFailures("displayName") {
			t.Run(bf.name, func(t *testing.T) {
				e.request(t, e.op, "PATCH", g, bf.ctype, bf.body).expectError(t, bf.status, bf.code)
			})
		}
		e.call(t, e.op, "PATCH", gs+"/nope", map[string]any{"displayName": "x"}).expectError(t, http.StatusNotFound, "guest_not_found")
	})
	t.Run("NullAccountEnabledChangesNothing", func(t *testing.T) {
		var got guestOut
		e.must(t, "PATCH", g, map[string]any{"accountEnabled": nil, "state": nil}, http.StatusOK, &got)
		if got.State != "pendingAcceptance" {
			t.Errorf("state %s", got.State)
		}
	})
	t.Run("RevokeSignInSessions", func(t *testing.T) {
		var got struct {
			Value           bool
			RevokedSessions *int
		}
		e.must(t, "POST", g+"/revokeSignInSessions", nil, http.StatusOK, &got)
		if !got.Value || got.RevokedSessions == nil || *got.RevokedSessions != 0 {
			t.Errorf("%+v", got)
		}
		e.call(t, e.op, "POST", gs+"/nope/revokeSignInSessions", nil).expectError(t, http.StatusNotFound, "guest_not_found")
	})
	t.Run("DeleteThen404", func(t *testing.T) {
		a := e.call(t, e.op, "DELETE", g, nil)
		if a.status != http.StatusNoContent || len(a.body) != 0 {
			t.Fatalf("delete: %d %s", a.status, a.body)
		}
		e.call(t, e.op, "GET", g, nil).expectError(t, http.StatusNotFound, "guest_not_found")
		e.call(t, e.op, "DELETE", g, nil).expectError(t, http.StatusNotFound, "guest_not_found")
		e.call(t, e.op, "GET", "/api/v1/tenants/"+tn.ID+"/invitations/"+inv.ID, nil).expectError(t, http.StatusNotFound, "invitation_not_found")
		if n := len(e.guests(t, tn.ID)); n != 0 {
			t.Errorf("%d guests after delete", n)
		}
	})
}

func TestAPIGuestPaging(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	var want []string
	for i := range 7 {
		inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": fmt.Sprintf("g%d@partner.com", i)})
		want = append(want, inv.InvitedUser.ID)
		e.clock.Advance(time.Second)
	}
	var got []string
	next, pages := e.url+"/api/v1/tenants/"+tn.ID+"/guests?$top=2", 0
	for next != "" {
		var page struct {
			Value    []guestOut
			NextLink string
		}
		e.must(t, "GET", next, nil, http.StatusOK, &page)
		if len(page.Value) > 2 {
			t.Fatalf("page of %d", len(page.Value))
		}
		for _, g := range page.Value {
			got = append(got, g.ID)
		}
		next, pages = page.NextLink, pages+1
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 4 {
		t.Errorf("%d pages", pages)
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("guests across pages (-want +got):\n%s", diff)
	}
	t.Run("StateFilterKeptInNextLink", func(t *testing.T) {
		e.must(t, "PATCH", "/api/v1/tenants/"+tn.ID+"/guests/"+want[0], map[string]any{"accountEnabled": false}, http.StatusOK, nil)
		var page struct {
			Value    []guestOut
			NextLink string
		}
		e.must(t, "GET", "/api/v1/tenants/"+tn.ID+"/guests?state=pendingAcceptance&$top=5", nil, http.StatusOK, &page)
		if len(page.Value) != 5 || !strings.Contains(page.NextLink, "state=pendingAcceptance") {
			t.Fatalf("%d guests, nextLink %q", len(page.Value), page.NextLink)
		}
		next := page.NextLink
		page.Value, page.NextLink = nil, ""
		e.must(t, "GET", next, nil, http.StatusOK, &page)
		if len(page.Value) != 1 || page.NextLink != "" {
			t.Errorf("second page %d, %q", len(page.Value), page.NextLink)
		}
		page.Value, page.NextLink = nil, ""
		e.must(t, "GET", "/api/v1/tenants/"+tn.ID+"/guests?state=disabled", nil, http.StatusOK, &page)
		if len(page.Value) != 1 || page.Value[0].ID != want[0] {
			t.Errorf("disabled: %+v", page.Value)
		}
	})
	t.Run("BadQueries", func(t *testing.T) {
		for q, code := range map[string]string{
			"$top=0":               "invalid_query",
			"$top=1001":            "invalid_query",
			"$top=ten":             "invalid_query",
			"$filter=x":            "invalid_query",
			"state=banned":         "invalid_filter",
			"$skiptoken=not-ours!": "invalid_cursor",
			"$skiptoken=" + strings.Repeat("a", 2000): "invalid_query",
		} {
			e.call(t, e.op, "GET", "/api/v1/tenants/"+tn.ID+"/guests?"+q, nil).expectError(t, http.StatusBadRequest, code)
		}
	})
}

func TestAPIAuditLogs(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "ann@partner.com"})
	e.must(t, "PATCH", "/api/v1/tenants/"+tn.ID+"/guests/"+inv.InvitedUser.ID, map[string]any{"accountEnabled": false}, http.StatusOK, nil)
	type event struct {
		ID, Type, Action, Outcome, Reason, Actor, IP, UserAgent string
		Time                                                    time.Time
		GuestID                                                 *string
	}
	var list struct{ Value []event }
	a := e.must(t, "GET", "/api/v1/tenants/"+tn.ID+"/auditLogs?type=admin", nil, http.StatusOK, &list)
	var actions []string
	for _, ev := range list.Value {
		actions = append(actions, ev.Action)
		if ev.Type != "admin" || ev.Outcome != "success" || !strings.HasPrefix(ev.Actor, "token:") || ev.ID == "" || ev.Time.IsZero() {
			t.Errorf("event %+v", ev)
		}
	}
	for _, want := range []string{"tenant.create", "invitation.create", "guest.disable"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s in %v", want, actions)
		}
	}
	for _, f := range []string{`"id"`, `"time"`, `"type"`, `"action"`, `"outcome"`, `"reason"`, `"guestId"`, `"actor"`, `"ip"`, `"userAgent"`} {
		if !strings.Contains(string(a.body), f) {
			t.Errorf("field %s missing", f)
		}
	}
	e.must(t, "GET", "/api/v1/tenants/"+tn.ID+"/auditLogs?type=signIn", nil, http.StatusOK, &list)
	if len(list.Value) != 0 {
		t.Errorf("sign-in events: %+v", list.Value)
	}
	e.call(t, e.op, "GET", "/api/v1/tenants/"+tn.ID+"/auditLogs?type=everything", nil).expectError(t, http.StatusBadRequest, "invalid_filter")
	e.call(t, e.op, "GET", "/api/v1/tenants/nope/auditLogs", nil).expectError(t, http.StatusNotFound, "tenant_not_found")
}

func TestAPITokens(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	path := "/api/v1/tenants/" + tn.ID + "/tokens"
	var tok struct{ ID, Name, TenantID, Token string }
	e.must(t, "POST", path, map[string]string{"name": "ci"}, http.StatusCreated, &tok)
	if tok.ID == "" || tok.Name != "ci" || tok.TenantID != tn.ID || !strings.HasPrefix(tok.Token, "gp_") {
		t.Errorf("%+v", tok)
	}
	e.call(t, tok.Token, "GET", "/api/v1/tenants/"+tn.ID, nil).expect(t, http.StatusOK, nil)
	e.call(t, e.op, "POST", path, map[string]string{}).expectError(t, http.StatusBadRequest, "invalid_name")
	e.call(t, e.op, "POST", path, map[string]any{"name": 3}).expectError(t, http.StatusBadRequest, "invalid_type")
	e.call(t, e.op, "POST", path, map[string]any{"name": "x", "tenantId": "other"}).expectError(t, http.StatusBadRequest, "unknown_field")
	e.call(t, e.op, "POST", "/api/v1/tenants/nope/tokens", map[string]string{"name": "x"}).expectError(t, http.StatusNotFound, "tenant_not_found")
}
