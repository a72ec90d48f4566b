package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// badBody is one invalid request: how it is sent and what it must answer.
type badBody struct {
	name   string
	ctype  string
	body   any
	status int
	code   string
}

// bodyFailures are the transport-level failures every body-taking route
// shares.
func bodyFailures(field string) []badBody {
	f := func(body string) string { return strings.ReplaceAll(body, "displayName", field) }
	return []badBody{
		{"WrongContentType", "text/plain", f(`{"displayName":"x"}`), http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"NoContentType", "", f(`{"displayName":"x"}`), http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"FormContentType", "application/x-www-form-urlencoded", "displayName=x", http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"TooLarge", "application/json", f(`{"displayName":"`) + strings.Repeat("a", 70<<10) + `"}`, http.StatusRequestEntityTooLarge, "request_too_large"},
		{"MalformedJSON", "application/json", f(`{"displayName":`), http.StatusBadRequest, "invalid_json"},
		{"SyntaxError", "application/json", f(`{"displayName" "x"}`), http.StatusBadRequest, "invalid_json"},
		{"EmptyBody", "application/json", ``, http.StatusBadRequest, "invalid_json"},
		{"NotAnObject", "application/json", `["displayName"]`, http.StatusBadRequest, "invalid_json"},
		{"TrailingData", "application/json", `{} {}`, http.StatusBadRequest, "invalid_json"},
		{"DuplicateField", "application/json", f(`{"displayName":"a","displayName":"b"}`), http.StatusBadRequest, "invalid_json"},
		{"UnknownField", "application/json", f(`{"displayName":"x","colour":"red"}`), http.StatusBadRequest, "unknown_field"},
		{"ReadOnlyFieldIsUnknown", "application/json", `{"id":"x"}`, http.StatusBadRequest, "unknown_field"},
	}
}

func TestAPITenantValidation(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	settings := []badBody{
		{"BadEmailOTP", "application/json", map[string]any{"emailOtp": "sometimes"}, http.StatusBadRequest, "invalid_setting"},
		{"CodeLifetimeTooShort", "application/json", map[string]any{"codeLifetime": "PT1M"}, http.StatusBadRequest, "invalid_setting"},
		{"CodeLifetimeTooLong", "application/json", map[string]any{"codeLifetime": 7200}, http.StatusBadRequest, "invalid_setting"},
		{"SessionLifetimeTooLong", "application/json", map[string]any{"sessionLifetime": "P8D"}, http.StatusBadRequest, "invalid_setting"},
		{"SessionLifetimeTooShort", "application/json", map[string]any{"sessionLifetime": "30m"}, http.StatusBadRequest, "invalid_setting"},
		{"InvitationLifetimeTooShort", "application/json", map[string]any{"invitationLifetime": "PT1H"}, http.StatusBadRequest, "invalid_setting"},
		{"QuotaNegative", "application/json", map[string]any{"invitationQuotaPerDay": -1}, http.StatusBadRequest, "invalid_setting"},
		{"AllowedAndBlocked", "application/json", map[string]any{"allowedDomains": []string{"a.com"}, "blockedDomains": []string{"b.com"}}, http.StatusBadRequest, "invalid_setting"},
		{"BadDomain", "application/json", map[string]any{"blockedDomains": []string{"not a domain"}}, http.StatusBadRequest, "invalid_domain"},
		{"BadDuration", "application/json", map[string]any{"codeLifetime": "soon"}, http.StatusBadRequest, "invalid_duration"},
		{"NegativeSeconds", "application/json", map[string]any{"codeLifetime": -60}, http.StatusBadRequest, "invalid_duration"},
		{"FractionalSeconds", "application/json", map[string]any{"codeLifetime": 600.5}, http.StatusBadRequest, "invalid_duration"},
		{"DurationAsBool", "application/json", map[string]any{"codeLifetime": true}, http.StatusBadRequest, "invalid_duration"},
		{"DisplayNameNotString", "application/json", map[string]any{"displayName": 12}, http.StatusBadRequest, "invalid_type"},
		{"QuotaNotInteger", "application/json", map[string]any{"invitationQuotaPerDay": "many"}, http.StatusBadRequest, "invalid_type"},
		{"QuotaFractional", "application/json", map[string]any{"invitationQuotaPerDay": 2.5}, http.StatusBadRequest, "invalid_type"},
		{"MFANotBool", "application/json", map[string]any{"requireMfaForGuests": "yes"}, http.StatusBadRequest, "invalid_type"},
		{"MFAMethodsEmpty", "application/json", map[string]any{"mfaMethods": []string{}}, http.StatusBadRequest, "invalid_setting"},
		{"MFAMethodsUnknownKind", "application/json", map[string]any{"mfaMethods": []string{"totp", "email"}}, http.StatusBadRequest, "invalid_setting"},
		{"MFAMethodsNotOnThisServer", "application/json", map[string]any{"mfaMethods": []string{"sms"}}, http.StatusBadRequest, "invalid_setting"},
		{"MFAMethodsNotArray", "application/json", map[string]any{"mfaMethods": "totp"}, http.StatusBadRequest, "invalid_type"},
		{"MFAMethodsNotStrings", "application/json", map[string]any{"mfaMethods": []int{1}}, http.StatusBadRequest, "invalid_type"},
		{"DomainsNotArray", "application/json", map[string]any{"verifiedDomains": "contoso.com"}, http.StatusBadRequest, "invalid_type"},
		{"DisplayNameControlChars", "application/json", map[string]any{"displayName": "a\x07b"}, http.StatusBadRequest, "invalid_displayName"},
	}
	var before tenantOut
	e.must(t, "GET", "/api/v1/tenants/"+tn.ID, nil, http.StatusOK, &before)
	for _, tc := range append(bodyFailures("displayName"), settings...) {
		t.Run("Patch"+tc.name, func(t *testing.T) {
			msg := e.request(t, e.op, "PATCH", "/api/v1/tenants/"+tn.ID, tc.ctype, tc.body).expectError(t, tc.status, tc.code)
			t.Log(msg)
			var after tenantOut
			e.must(t, "GET", "/api/v1/tenants/"+tn.ID, nil, http.StatusOK, &after)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("a refused PATCH changed the tenant:\n%s", diff)
			}
		})
		t.Run("Create"+tc.name, func(t *testing.T) {
			body := tc.body
			if m, ok := body.(map[string]any); ok {
				if _, set := m["displayName"]; !set {
					m["displayName"] = "New"
				}
			}
			e.request(t, e.op, "POST", "/api/v1/tenants", tc.ctype, body).expectError(t, tc.status, tc.code)
			var list struct{ Value []tenantOut }
			e.must(t, "GET", "/api/v1/tenants", nil, http.StatusOK, &list)
			if len(list.Value) != 1 {
				t.Errorf("a refused POST created a tenant: %d tenants", len(list.Value))
			}
		})
	}
	t.Run("MessagesNameTheField", func(t *testing.T) {
		for field, body := range map[string]string{
			"colour":         `{"colour":1}`,
			"codeLifetime":   `{"codeLifetime":false}`,
			"displayName":    `{"displayName":[]}`,
			"byte":           `{"displayName":}`,
			"allowedDomains": `{"allowedDomains":{}}`,
			"mfaMethods":     `{"mfaMethods":[]}`,
		} {
			a := e.request(t, e.op, "PATCH", "/api/v1/tenants/"+tn.ID, "application/json", body)
			var eb apiErrorBody
			a.expect(t, http.StatusBadRequest, &eb)
			if !strings.Contains(eb.Error.Message, field) {
				t.Errorf("%s: message %q does not name %q", body, eb.Error.Message, field)
			}
		}
	})
	t.Run("CreateWithoutDisplayName", func(t *testing.T) {
		e.call(t, e.op, "POST", "/api/v1/tenants", map[string]any{}).expectError(t, http.StatusBadRequest, "invalid_tenant")
	})
	t.Run("CharsetParameterAccepted", func(t *testing.T) {
		e.request(t, e.op, "PATCH", "/api/v1/tenants/"+tn.ID, "application/json; charset=utf-8", `{}`).expect(t, http.StatusOK, nil)
	})
}

// TestAPITenantScoping: a tenant admin token sees and changes its own tenant
// only, and cannot create tenants or tokens.
func TestAPITenantScoping(t *testing.T) {
	e := newAPIEnv(t)
	own := e.mustTenant(t, nil)
	other := e.mustTenant(t, map[string]any{"displayName": "Other"})
	guest := e.mustInvite(t, other.ID, map[string]any{"invitedUserEmailAddress": "g@partner.com"})
	tok := e.tenantToken(t, own.ID)

	e.call(t, tok, "GET", "/api/v1/tenants/"+own.ID, nil).expect(t, http.StatusOK, nil)
	var list struct{ Value []tenantOut }
	e.call(t, tok, "GET", "/api/v1/tenants", nil).expect(t, http.StatusOK, &list)
	if len(list.Value) != 1 || list.Value[0].ID != own.ID {
		t.Errorf("tenant token lists %+v", list.Value)
	}
	o, g := "/api/v1/tenants/"+other.ID, "/api/v1/tenants/"+other.ID+"/guests/"+guest.InvitedUser.ID
	forbidden := []struct {
		method, path string
		body         any
	}{
		{"GET", o, nil},
		{"PATCH", o, map[string]any{"displayName": "Mine now"}},
		{"POST", o + "/invitations", map[string]any{"invitedUserEmailAddress": "x@partner.com"}},
		{"GET", o + "/invitations", nil},
		{"GET", o + "/invitations/" + guest.ID, nil},
		{"GET", o + "/guests", nil},
		{"GET", g, nil},
		{"PATCH", g, map[string]any{"accountEnabled": false}},
		{"DELETE", g, nil},
		{"POST", g + "/revokeSignInSessions", nil},
		{"GET", g + "/authenticationMethods", nil},
		{"POST", g + "/resetAuthenticationMethods", nil},
		{"GET", o + "/auditLogs", nil},
		{"POST", o + "/tokens", map[string]any{"name": "steal"}},
		{"POST", "/api/v1/tenants/" + own.ID + "/tokens", map[string]any{"name": "more"}},
		{"POST", "/api/v1/tenants", map[string]any{"displayName": "New"}},
	}
	for _, f := range forbidden {
		t.Run(f.method+strings.ReplaceAll(f.path, "/", "_"), func(t *testing.T) {
			e.call(t, tok, f.method, f.path, f.body).expectError(t, http.StatusForbidden, "forbidden")
		})
	}
	var after tenantOut
	e.must(t, "GET", o, nil, http.StatusOK, &after)
	if after.DisplayName != "Other" {
		t.Errorf("other tenant renamed to %q", after.DisplayName)
	}
	if n := len(e.guests(t, other.ID)); n != 1 {
		t.Errorf("other tenant has %d guests", n)
	}
	var gst guestOut
	e.must(t, "GET", g, nil, http.StatusOK, &gst)
	if gst.State != "pendingAcceptance" {
		t.Errorf("other tenant's guest is %s", gst.State)
	}
	if n := len(e.invitations(t, other.ID)); n != 1 {
		t.Errorf("other tenant has %d invitations", n)
	}
	e.must(t, "GET", "/api/v1/tenants", nil, http.StatusOK, &list)
	if len(list.Value) != 2 {
		t.Errorf("%d tenants", len(list.Value))
	}
}
