package web

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func TestParseObject(t *testing.T) {
	known := []string{"a", "b", "n"}
	tests := []struct {
		name, body, code string
	}{
		{"Empty", ``, "invalid_json"},
		{"OnlySpace", "  \n", "invalid_json"},
		{"Null", `null`, "invalid_json"},
		{"Array", `[]`, "invalid_json"},
		{"String", `"a"`, "invalid_json"},
		{"Truncated", `{"a":1`, "invalid_json"},
		{"TruncatedKey", `{"a`, "invalid_json"},
		{"MissingColon", `{"a" 1}`, "invalid_json"},
		{"TrailingComma", `{"a":1,}`, "invalid_json"},
		{"TrailingObject", `{"a":1}{}`, "invalid_json"},
		{"TrailingGarbage", `{"a":1} x`, "invalid_json"},
		{"Duplicate", `{"a":1,"a":1}`, "invalid_json"},
		{"Unknown", `{"z":1}`, "unknown_field"},
		{"CaseMatters", `{"A":1}`, "unknown_field"},
		{"Fine", ` {"a": 1, "b" : [ ], "n":null} `, ""},
		{"FineEmpty", `{}`, ""},
		{"DeepValue", `{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "invalid_json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseObject([]byte(tc.body), "", known)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.body != `{}` && (!isNull(o.fields["n"]) || string(o.fields["a"]) != "1") {
					t.Errorf("fields %q", o.fields)
				}
				return
			}
			var e *guestpass.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Kind != guestpass.KindInvalid {
				t.Fatalf("err %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestDecodeTenantDurations(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Duration
		ok   bool
	}{
		{`"PT30M"`, 30 * time.Minute, true},
		{`"30m"`, 30 * time.Minute, true},
		{`"P1DT12H"`, 36 * time.Hour, true},
		{`1800`, 30 * time.Minute, true},
		{`0`, 0, true},
		{`null`, 0, true},
		{`-1`, 0, false},
		{`1.5`, 0, false},
		{`1e3`, 0, false},
		{`99999999999999999999`, 0, false},
		{`"PT"`, 0, false},
		{`"-5m"`, 0, false},
		{`true`, 0, false},
		{`{}`, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			o, err := parseObject([]byte(`{"codeLifetime":`+tc.raw+`}`), "", tenantFields)
			if err != nil {
				t.Fatal(err)
			}
			p, err := decodeTenant(o)
			if !tc.ok {
				if guestpass.KindOf(err) != guestpass.KindInvalid || !strings.Contains(err.Error(), "codeLifetime") {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || p.CodeLifetime == nil || *p.CodeLifetime != tc.want {
				t.Fatalf("got %v, %v", p.CodeLifetime, err)
			}
		})
	}
}

func TestDecodeInvitationDefaults(t *testing.T) {
	o, err := parseObject([]byte(`{"invitedUserEmailAddress":"a@b.com"}`), "", invitationFields)
	if err != nil {
		t.Fatal(err)
	}
	req, id, err := decodeInvitation(o)
	if err != nil || !req.SendMessage || req.ResetRedemption || id != "" || req.Email != "a@b.com" {
		t.Fatalf("%+v %q %v", req, id, err)
	}
	o, err = parseObject([]byte("{ \"invitedUser\" :\n { \"id\" : \"g1\" } , \"sendInvitationMessage\" :  null }"), "", invitationFields)
	if err != nil {
		t.Fatal(err)
	}
	if req, id, err := decodeInvitation(o); err != nil || id != "g1" || !req.SendMessage {
		t.Fatalf("with white space: %+v %q %v", req, id, err)
	}
	o, _ = parseObject([]byte(`{"invitedUser":{"id":"x","mail":"y"}}`), "", invitationFields)
	if _, _, err := decodeInvitation(o); err == nil || !strings.Contains(err.Error(), `"invitedUser.mail"`) {
		t.Fatalf("nested unknown field: %v", err)
	}
	o, _ = parseObject([]byte(`{"invitedUserMessageInfo":{"messageLanguage":7}}`), "", invitationFields)
	if _, _, err := decodeInvitation(o); err == nil || !strings.Contains(err.Error(), "invitedUserMessageInfo.messageLanguage") {
		t.Fatalf("nested type error: %v", err)
	}
}

var invitationSeeds = []string{
	`{"invitedUserEmailAddress":"ann@partner.com","invitedUserDisplayName":"Ann","inviteRedirectUrl":"https://x.com/","sendInvitationMessage":false,"invitedUserMessageInfo":{"customizedMessageBody":"hi","messageLanguage":"de"},"resetRedemption":true,"invitedUser":{"id":"g1"}}`,
	`{"invitedUserEmailAddress":"a@b.c","sendInvitationMessage":null,"invitedUser":null}`,
	`{"invitedUserMessageInfo":"x"}`,
	`{"invitedUser":{"id":1}}`,
	`{"invitedUserEmailAddress":"\u00e9@b.c","x":1}`,
	`{"a":`, `[]`, ``, `{} {}`, `{"invitedUserEmailAddress":"a","invitedUserEmailAddress":"b"}`,
}

// FuzzInvitationJSON: the decoder never panics, refuses only with a
// KindInvalid error, and agrees with encoding/json on what it accepts.
func FuzzInvitationJSON(f *testing.F) {
	for _, s := range invitationSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := parseObject(data, "", invitationFields)
		var req guestpass.InviteRequest
		var id string
		if err == nil {
			req, id, err = decodeInvitation(o)
		}
		if err != nil {
			if guestpass.KindOf(err) != guestpass.KindInvalid {
				t.Fatalf("error of kind %s: %v", guestpass.KindOf(err), err)
			}
			return
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("accepted what encoding/json refuses: %v", err)
		}
		email, _ := m["invitedUserEmailAddress"].(string)
		send, isBool := m["sendInvitationMessage"].(bool)
		user, _ := m["invitedUser"].(map[string]any)
		userID, _ := user["id"].(string)
		if email != req.Email || (isBool && send != req.SendMessage) || (!isBool && !req.SendMessage) || userID != id {
			t.Fatalf("decoded %+v id %q from %s", req, id, data)
		}
	})
}

// FuzzTenantJSON: the tenant decoder never panics, refuses only with a
// KindInvalid error, and what it accepts normalizes without panicking.
func FuzzTenantJSON(f *testing.F) {
	for _, s := range []string{
		`{"displayName":"Contoso","verifiedDomains":["contoso.com"],"emailOtp":"enabled","codeLifetime":"PT10M","sessionLifetime":7200,"invitationLifetime":"P7D","invitationQuotaPerDay":5,"requireMfaForGuests":true,"allowedDomains":["*.a.com"],"blockedDomains":null}`,
		`{"codeLifetime":"1h30m"}`, `{"sessionLifetime":-1}`, `{"allowedDomains":[null,1]}`, `{"displayName":null}`,
		`{"invitationQuotaPerDay":1e400}`, `{"codeLifetime":"P99999999999D"}`, `{`, `{"x":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := parseObject(data, "", tenantFields)
		var p *guestpass.TenantPatch
		if err == nil {
			p, err = decodeTenant(o)
		}
		if err != nil {
			if guestpass.KindOf(err) != guestpass.KindInvalid {
				t.Fatalf("error of kind %s: %v", guestpass.KindOf(err), err)
			}
			return
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("accepted what encoding/json refuses: %v", err)
		}
		if name, ok := m["displayName"].(string); ok && (p.DisplayName == nil || *p.DisplayName != name) {
			t.Fatalf("displayName %v from %s", p.DisplayName, data)
		}
		tn := &guestpass.Tenant{}
		p.Apply(tn)
		_ = tn.Normalize()
	})
}
