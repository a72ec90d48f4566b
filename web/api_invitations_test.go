package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type invitationOut struct {
	ID                      string
	InviteRedeemUrl         string
	InvitedUserEmailAddress string
	InvitedUserDisplayName  string
	InviteRedirectUrl       string
	SendInvitationMessage   bool
	InvitedUserMessageInfo  struct{ CustomizedMessageBody, MessageLanguage string }
	ResetRedemption         bool
	InvitedUser             struct{ ID string }
	Status                  string
	DeliveryState           string
	DeliveryError           *string
	SendCount               int
	ExpiresDateTime         time.Time
	RedeemedDateTime        *time.Time
	CreatedDateTime         time.Time
}

type guestOut struct {
	ID                 string
	Mail               string
	DisplayName        string
	State              string
	InvitedBy          string
	InvitedDateTime    *time.Time
	RedeemedDateTime   *time.Time
	LastSignInDateTime *time.Time
	CreatedDateTime    *time.Time
}

func (e *apiEnv) mustInvite(tb testing.TB, tid string, body map[string]any) invitationOut {
	tb.Helper()
	var inv invitationOut
	e.must(tb, "POST", "/api/v1/tenants/"+tid+"/invitations", body, http.StatusCreated, &inv)
	return inv
}

func (e *apiEnv) guests(tb testing.TB, tid string) []guestOut {
	tb.Helper()
	var list struct{ Value []guestOut }
	e.must(tb, "GET", "/api/v1/tenants/"+tid+"/guests?$top=1000", nil, http.StatusOK, &list)
	return list.Value
}

func (e *apiEnv) invitations(tb testing.TB, tid string) []invitationOut {
	tb.Helper()
	var list struct{ Value []invitationOut }
	e.must(tb, "GET", "/api/v1/tenants/"+tid+"/invitations?$top=1000", nil, http.StatusOK, &list)
	return list.Value
}

func TestAPIInvitations(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	base := "/api/v1/tenants/" + tn.ID + "/invitations"
	var first invitationOut
	t.Run("CreateAnswersGraphShape", func(t *testing.T) {
		a := e.must(t, "POST", base, map[string]any{
			"invitedUserEmailAddress": "Ann@Partner.com", "invitedUserDisplayName": "Ann",
			"inviteRedirectUrl":      "https://app.contoso.com/start",
			"invitedUserMessageInfo": map[string]any{"customizedMessageBody": "Welcome!", "messageLanguage": "de-DE"},
		}, http.StatusCreated, &first)
		if loc := a.header.Get("Location"); loc != e.url+base+"/"+first.ID {
			t.Errorf("Location %q", loc)
		}
		if !strings.HasPrefix(first.InviteRedeemUrl, e.url+"/t/"+tn.ID+"/redeem?ticket=") {
			t.Errorf("inviteRedeemUrl %q", first.InviteRedeemUrl)
		}
		want := invitationOut{ID: first.ID, InviteRedeemUrl: first.InviteRedeemUrl, InvitedUserEmailAddress: "ann@partner.com",
			InvitedUserDisplayName: "Ann", InviteRedirectUrl: "https://app.contoso.com/start", SendInvitationMessage: true,
			InvitedUser: first.InvitedUser, Status: "PendingAcceptance", DeliveryState: "queued", SendCount: 1,
			ExpiresDateTime: apiEpoch.Add(30 * 24 * time.Hour), CreatedDateTime: apiEpoch}
		want.InvitedUserMessageInfo.CustomizedMessageBody, want.InvitedUserMessageInfo.MessageLanguage = "Welcome!", "de-DE"
		if diff := cmp.Diff(want, first); diff != "" {
			t.Errorf("invitation (-want +got):\n%s", diff)
		}
		if first.InvitedUser.ID == "" {
			t.Error("no invitedUser.id")
		}
	})
	t.Run("GetHidesTheTicket", func(t *testing.T) {
		var got invitationOut
		a := e.must(t, "GET", base+"/"+first.ID, nil, http.StatusOK, &got)
		if strings.Contains(string(a.body), "inviteRedeemUrl") || strings.Contains(string(a.body), "ticket") {
			t.Errorf("GET shows the ticket: %s", a.body)
		}
		want := first
		want.InviteRedeemUrl, want.InvitedUserMessageInfo.MessageLanguage = "", ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET (-want +got):\n%s", diff)
		}
		e.call(t, e.op, "GET", base+"/nope", nil).expectError(t, http.StatusNotFound, "invitation_not_found")
	})
	t.Run("ReinviteKeepsTheGuest", func(t *testing.T) {
		again := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "ann@partner.com"})
		if again.InvitedUser.ID != first.InvitedUser.ID || again.ID == first.ID {
			t.Errorf("re-invite: guest %s (was %s), invitation %s (was %s)", again.InvitedUser.ID, first.InvitedUser.ID, again.ID, first.ID)
		}
		if again.InviteRedirectUrl != e.url+"/t/"+tn.ID+"/apps" {
			t.Errorf("default redirect %q", again.InviteRedirectUrl)
		}
		if len(e.guests(t, tn.ID)) != 1 || len(e.invitations(t, tn.ID)) != 2 {
			t.Error("re-invite made a second guest or lost an invitation")
		}
	})
	t.Run("InvitedUserIDMustMatch", func(t *testing.T) {
		ok := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "ann@partner.com", "invitedUser": map[string]any{"id": first.InvitedUser.ID}})
		if ok.InvitedUser.ID != first.InvitedUser.ID {
			t.Errorf("invitedUser.id %s", ok.InvitedUser.ID)
		}
		n := len(e.invitations(t, tn.ID))
		for _, body := range []map[string]any{
			{"invitedUserEmailAddress": "bob@partner.com", "invitedUser": map[string]any{"id": first.InvitedUser.ID}},
			{"invitedUserEmailAddress": "ann@partner.com", "invitedUser": map[string]any{"id": "someone-else"}},
		} {
			e.call(t, e.op, "POST", base, body).expectError(t, http.StatusBadRequest, "invalid_invited_user")
		}
		if len(e.guests(t, tn.ID)) != 1 || len(e.invitations(t, tn.ID)) != n {
			t.Error("a refused invitation changed something")
		}
	})
	t.Run("NoEmailWhenAsked", func(t *testing.T) {
		inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "quiet@partner.com", "sendInvitationMessage": false})
		if inv.SendInvitationMessage || inv.DeliveryState != "none" || inv.SendCount != 0 || inv.InviteRedeemUrl == "" {
			t.Errorf("%+v", inv)
		}
	})
	t.Run("NullMeansDefault", func(t *testing.T) {
		inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "nul@partner.com", "sendInvitationMessage": nil,
			"invitedUserMessageInfo": nil, "invitedUser": nil, "resetRedemption": nil})
		if !inv.SendInvitationMessage || inv.DeliveryState != "queued" {
			t.Errorf("%+v", inv)
		}
	})
	t.Run("ResetRedemptionEchoed", func(t *testing.T) {
		inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "ann@partner.com", "resetRedemption": true})
		if !inv.ResetRedemption || inv.Status != "PendingAcceptance" {
			t.Errorf("%+v", inv)
		}
	})
	t.Run("ListShowsDeliveryState", func(t *testing.T) {
		invs := e.invitations(t, tn.ID)
		if len(invs) != 6 {
			t.Fatalf("%d invitations", len(invs))
		}
		for _, inv := range invs {
			if inv.InviteRedeemUrl != "" || inv.InvitedUserEmailAddress == "" || inv.DeliveryState == "" {
				t.Errorf("listed %+v", inv)
			}
		}
	})
}

func TestAPIInvitationValidation(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, map[string]any{"displayName": "Contoso", "verifiedDomains": []string{"contoso.com"}, "blockedDomains": []string{"evil.com"}})
	strict := e.mustTenant(t, map[string]any{"displayName": "Strict", "allowedDomains": []string{"partner.com"}})
	ok := func(extra map[string]any) map[string]any {
		m := map[string]any{"invitedUserEmailAddress": "ann@partner.com"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		badBody
		tenant string
	}{
		{badBody{"BadEmail", "application/json", ok(map[string]any{"invitedUserEmailAddress": "not an address"}), 400, "invalid_email"}, tn.ID},
		{badBody{"MissingEmail", "application/json", map[string]any{}, 400, "invalid_email"}, tn.ID},
		{badBody{"OwnVerifiedDomain", "application/json", ok(map[string]any{"invitedUserEmailAddress": "me@contoso.com"}), 400, "own_domain"}, tn.ID},
		{badBody{"OwnSubdomain", "application/json", ok(map[string]any{"invitedUserEmailAddress": "me@eu.contoso.com"}), 400, "own_domain"}, tn.ID},
		{badBody{"BlockedDomain", "application/json", ok(map[string]any{"invitedUserEmailAddress": "x@evil.com"}), 403, "domain_blocked"}, tn.ID},
		{badBody{"NotAllowedDomain", "application/json", ok(map[string]any{"invitedUserEmailAddress": "x@other.com"}), 403, "domain_not_allowed"}, strict.ID},
		{badBody{"RelativeRedirect", "application/json", ok(map[string]any{"inviteRedirectUrl": "/apps"}), 400, "invalid_redirect_url"}, tn.ID},
		{badBody{"JavascriptRedirect", "application/json", ok(map[string]any{"inviteRedirectUrl": "javascript:alert(1)"}), 400, "invalid_redirect_url"}, tn.ID},
		{badBody{"CredentialsInRedirect", "application/json", ok(map[string]any{"inviteRedirectUrl": "https://u:p@x.com/"}), 400, "invalid_redirect_url"}, tn.ID},
		{badBody{"EmailNotString", "application/json", ok(map[string]any{"invitedUserEmailAddress": 5}), 400, "invalid_type"}, tn.ID},
		{badBody{"SendNotBool", "application/json", ok(map[string]any{"sendInvitationMessage": "yes"}), 400, "invalid_type"}, tn.ID},
		{badBody{"MessageInfoNotObject", "application/json", ok(map[string]any{"invitedUserMessageInfo": "hi"}), 400, "invalid_type"}, tn.ID},
		{badBody{"InvitedUserNotObject", "application/json", ok(map[string]any{"invitedUser": []string{"x"}}), 400, "invalid_type"}, tn.ID},
		{badBody{"NestedUnknownField", "application/json", ok(map[string]any{"invitedUserMessageInfo": map[string]any{"ccRecipients": []string{}}}), 400, "unknown_field"}, tn.ID},
		{badBody{"BadLanguage", "application/json", ok(map[string]any{"invitedUserMessageInfo": map[string]any{"messageLanguage": "<script>"}}), 400, "invalid_language"}, tn.ID},
		{badBody{"MessageTooLong", "application/json", ok(map[string]any{"invitedUserMessageInfo": map[string]any{"customizedMessageBody": strings.Repeat("x", 5000)}}), 400, "invalid_message"}, tn.ID},
		{badBody{"DisplayNameControlChars", "application/json", ok(map[string]any{"invitedUserDisplayName": "a\nb"}), 400, "invalid_invitedUserDisplayName"}, tn.ID},
		{badBody{"UnknownTenant", "application/json", ok(nil), 404, "tenant_not_found"}, "nope"},
	}
	for _, bf := range bodyFailures("invitedUserEmailAddress") {
		cases = append(cases, struct {
			badBody
			tenant string
		}{bf, tn.ID})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.request(t, e.op, "POST", "/api/v1/tenants/"+tc.tenant+"/invitations", tc.ctype, tc.body).expectError(t, tc.status, tc.code)
			for _, tid := range []string{tn.ID, strict.ID} {
				if g, i := e.guests(t, tid), e.invitations(t, tid); len(g) != 0 || len(i) != 0 {
					t.Errorf("refused invitation left %d guests, %d invitations", len(g), len(i))
				}
			}
		})
	}
	t.Run("AllowedDomainWorks", func(t *testing.T) {
		e.mustInvite(t, strict.ID, ok(nil))
	})
}

func TestAPIInvitationQuota(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, map[string]any{"displayName": "Small", "invitationQuotaPerDay": 2})
	e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "a@partner.com"})
	e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "b@partner.com"})
	path := "/api/v1/tenants/" + tn.ID + "/invitations"
	e.call(t, e.op, "POST", path, map[string]any{"invitedUserEmailAddress": "c@partner.com"}).expectError(t, http.StatusTooManyRequests, "quota_exceeded")
	if g, i := e.guests(t, tn.ID), e.invitations(t, tn.ID); len(g) != 2 || len(i) != 2 {
		t.Errorf("over quota: %d guests, %d invitations", len(g), len(i))
	}
	e.clock.Advance(13 * time.Hour) // the day's quota refills gradually
	e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "c@partner.com"})
}

func TestAPIInvitationPagingKeepsFilters(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	for _, a := range []string{"a", "b", "c"} {
		e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": a + "@partner.com"})
		e.clock.Advance(time.Second)
	}
	var page struct {
		Value    []invitationOut
		NextLink string
	}
	e.must(t, "GET", "/api/v1/tenants/"+tn.ID+"/invitations?$top=2", nil, http.StatusOK, &page)
	u, err := url.Parse(page.NextLink)
	if err != nil || len(page.Value) != 2 {
		t.Fatalf("page %+v", page)
	}
	if u.Query().Get("$top") != "2" || u.Query().Get("$skiptoken") == "" || !strings.Contains(page.NextLink, "$skiptoken=") {
		t.Errorf("nextLink %q", page.NextLink)
	}
	next := page.NextLink
	page.Value, page.NextLink = nil, ""
	e.must(t, "GET", next, nil, http.StatusOK, &page)
	if len(page.Value) != 1 || page.NextLink != "" {
		t.Errorf("last page: %d items, nextLink %q", len(page.Value), page.NextLink)
	}
}
