package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/servertest"
)

// apiEnv is the real service on SQLite behind the real handler, with a fake
// clock and an operator token.
type apiEnv struct {
	svc   *guestpass.Service
	url   string
	clock *guestpass.FakeClock
	op    string // operator bearer token
}

var apiEpoch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func newAPIEnv(tb testing.TB) *apiEnv {
	tb.Helper()
	return newAPIEnvAt(tb, "")
}

// newAPIEnvAt is newAPIEnv with a public base URL of the server's address
// plus prefix, as behind a reverse proxy that strips prefix.
func newAPIEnvAt(tb testing.TB, prefix string) *apiEnv {
	tb.Helper()
	env := servertest.New(tb, servertest.Options{BasePrefix: prefix, Epoch: apiEpoch})
	return &apiEnv{svc: env.Svc, url: env.URL, clock: env.Clock, op: env.OpToken}
}

// answer is one HTTP response, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// request sends body with the given Content-Type ("" for none). A string
// or []byte body is sent as is; anything else is marshalled.
func (e *apiEnv) request(tb testing.TB, token, method, path, ctype string, body any) answer {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	if !strings.HasPrefix(path, "http") {
		path = e.url + path
	}
	req, err := http.NewRequestWithContext(tb.Context(), method, path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data}
}

// call is request with JSON content type when there is a body.
func (e *apiEnv) call(tb testing.TB, token, method, path string, body any) answer {
	tb.Helper()
	ctype := ""
	if body != nil {
		ctype = "application/json"
	}
	return e.request(tb, token, method, path, ctype, body)
}

// must calls as the operator and decodes a want-status answer into out.
func (e *apiEnv) must(tb testing.TB, method, path string, body any, want int, out any) answer {
	tb.Helper()
	a := e.call(tb, e.op, method, path, body)
	a.expect(tb, want, out)
	return a
}

func (a answer) expect(tb testing.TB, want int, out any) {
	tb.Helper()
	if a.status != want {
		tb.Fatalf("status %d, want %d; body %s", a.status, want, a.body)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			tb.Fatalf("decode %s: %v", a.body, err)
		}
	}
}

type apiErrorBody struct {
	Error struct{ Code, Message string }
}

// expectError checks the status and the error code, and that the message
// is there for a human.
func (a answer) expectError(tb testing.TB, status int, code string) string {
	tb.Helper()
	var e apiErrorBody
	a.expect(tb, status, &e)
	if e.Error.Code != code || e.Error.Message == "" {
		tb.Fatalf("error %+v, want code %q with a message", e.Error, code)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		tb.Errorf("Content-Type %q", ct)
	}
	return e.Error.Message
}

type tenantOut struct {
	ID                    string
	DisplayName           string
	VerifiedDomains       []string
	EmailOtp              string
	CodeLifetime          string
	SessionLifetime       string
	InvitationLifetime    string
	InvitationQuotaPerDay int
	RequireMfaForGuests   bool
	MfaMethods            []string
	AllowedDomains        []string
	BlockedDomains        []string
	CreatedDateTime       time.Time
	UpdatedDateTime       time.Time
}

func (e *apiEnv) mustTenant(tb testing.TB, body map[string]any) tenantOut {
	tb.Helper()
	if body == nil {
		body = map[string]any{"displayName": "Contoso", "verifiedDomains": []string{"contoso.com"}}
	}
	var t tenantOut
	e.must(tb, "POST", "/api/v1/tenants", body, http.StatusCreated, &t)
	return t
}

// tenantToken makes a tenant admin token through the API.
func (e *apiEnv) tenantToken(tb testing.TB, tid string) string {
	tb.Helper()
	var out struct{ Token string }
	e.must(tb, "POST", "/api/v1/tenants/"+tid+"/tokens", map[string]string{"name": "tenant admin"}, http.StatusCreated, &out)
	return out.Token
}

func TestAPIAuthentication(t *testing.T) {
	e := newAPIEnv(t)
	tests := []struct {
		name, header, wantChallenge string
	}{
		{"NoHeader", "", "Bearer"},
		{"EmptyBearer", "Bearer ", "Bearer"},
		{"BasicScheme", "Basic dXNlcjpwYXNz", "Bearer"},
		{"UnknownToken", "Bearer gp_" + strings.Repeat("x", 43), `Bearer error="invalid_token"`},
		{"MalformedToken", "Bearer short", `Bearer error="invalid_token"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/tenants", "/api/v1/no-such-route"} {
				req, _ := http.NewRequestWithContext(t.Context(), "GET", e.url+path, nil)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				a := answer{resp.StatusCode, resp.Header, body}
				a.expectError(t, http.StatusUnauthorized, "invalid_token")
				if got := resp.Header.Get("WWW-Authenticate"); got != tc.wantChallenge {
					t.Errorf("%s: WWW-Authenticate %q, want %q", path, got, tc.wantChallenge)
				}
			}
		})
	}
	t.Run("SchemeIsCaseInsensitive", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", e.url+"/api/v1/tenants", nil)
		req.Header.Set("Authorization", "bearer "+e.op)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("CookiesAreNotCredentials", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", e.url+"/api/v1/tenants", nil)
		req.AddCookie(&http.Cookie{Name: "Authorization", Value: "Bearer " + e.op})
		req.AddCookie(&http.Cookie{Name: "token", Value: e.op})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestAPIRouting(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	t.Run("UnknownRouteIs404JSON", func(t *testing.T) {
		for _, p := range []string{"/api/v1/nothing", "/api/v1/tenants/" + tn.ID + "/nothing", "/api/v1/tenants/" + tn.ID + "/guests/x/y"} {
			e.call(t, e.op, "GET", p, nil).expectError(t, http.StatusNotFound, "not_found")
		}
	})
	t.Run("WrongMethodIs405JSON", func(t *testing.T) {
		a := e.call(t, e.op, "DELETE", "/api/v1/tenants/"+tn.ID, nil)
		a.expectError(t, http.StatusMethodNotAllowed, "method_not_allowed")
		if allow := a.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
			t.Errorf("Allow %q", allow)
		}
		e.call(t, e.op, "PUT", "/api/v1/tenants", nil).expectError(t, http.StatusMethodNotAllowed, "method_not_allowed")
	})
	t.Run("SecureHeadersOnEveryAnswer", func(t *testing.T) {
		for _, a := range []answer{
			e.call(t, e.op, "GET", "/api/v1/tenants", nil),
			e.call(t, "", "GET", "/api/v1/tenants", nil),
			e.call(t, e.op, "GET", "/api/v1/nothing", nil),
		} {
			if a.header.Get("Cache-Control") != "no-store" || a.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("status %d: headers %v", a.status, a.header)
			}
			if len(a.header.Values("Set-Cookie")) != 0 {
				t.Errorf("API set a cookie: %v", a.header.Values("Set-Cookie"))
			}
		}
	})
}

func TestAPITenants(t *testing.T) {
	e := newAPIEnv(t)
	t.Run("CreateAppliesDefaults", func(t *testing.T) {
		a := e.call(t, e.op, "POST", "/api/v1/tenants", map[string]any{"displayName": " Contoso ", "verifiedDomains": []string{"Contoso.COM"}})
		var got tenantOut
		a.expect(t, http.StatusCreated, &got)
		if loc := a.header.Get("Location"); loc != e.url+"/api/v1/tenants/"+got.ID {
			t.Errorf("Location %q", loc)
		}
		want := tenantOut{ID: got.ID, DisplayName: "Contoso", VerifiedDomains: []string{"contoso.com"}, EmailOtp: "default",
			CodeLifetime: "PT30M", SessionLifetime: "P1D", InvitationLifetime: "P30D", InvitationQuotaPerDay: 500,
			MfaMethods: []string{"totp", "passkey", "sms"}, AllowedDomains: []string{}, BlockedDomains: []string{},
			CreatedDateTime: apiEpoch, UpdatedDateTime: apiEpoch}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("created tenant (-want +got):\n%s", diff)
		}
		var fetched tenantOut
		e.must(t, "GET", "/api/v1/tenants/"+got.ID, nil, http.StatusOK, &fetched)
		if diff := cmp.Diff(got, fetched); diff != "" {
			t.Errorf("GET differs from POST (-post +get):\n%s", diff)
		}
	})
	t.Run("ListsAreArraysNeverNull", func(t *testing.T) {
		tn := e.mustTenant(t, map[string]any{"displayName": "Bare"})
		a := e.must(t, "GET", "/api/v1/tenants/"+tn.ID, nil, http.StatusOK, nil)
		for _, f := range []string{`"verifiedDomains":[]`, `"allowedDomains":[]`, `"blockedDomains":[]`} {
			if !bytes.Contains(a.body, []byte(f)) {
				t.Errorf("missing %s in %s", f, a.body)
			}
		}
	})
	t.Run("PatchRoundTripsEverySetting", func(t *testing.T) {
		tn := e.mustTenant(t, nil)
		e.clock.Advance(time.Minute)
		patch := map[string]any{
			"displayName": "Fabrikam", "verifiedDomains": []string{"fabrikam.com", "fabrikam.org"}, "emailOtp": "disabled",
			"codeLifetime": "PT10M", "sessionLifetime": "2h", "invitationLifetime": 7 * 24 * 3600,
			"invitationQuotaPerDay": 42, "requireMfaForGuests": true, "allowedDomains": []string{"partner.com", "*.partner.org"},
			"mfaMethods": []string{"totp", "totp"},
		}
		var got tenantOut
		e.must(t, "PATCH", "/api/v1/tenants/"+tn.ID, patch, http.StatusOK, &got)
		want := tenantOut{ID: tn.ID, DisplayName: "Fabrikam", VerifiedDomains: []string{"fabrikam.com", "fabrikam.org"}, EmailOtp: "disabled",
			CodeLifetime: "PT10M", SessionLifetime: "PT2H", InvitationLifetime: "P7D", InvitationQuotaPerDay: 42, RequireMfaForGuests: true,
			MfaMethods: []string{"totp"}, AllowedDomains: []string{"partner.com", "*.partner.org"}, BlockedDomains: []string{},
			CreatedDateTime: tn.CreatedDateTime, UpdatedDateTime: e.clock.Now().UTC()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("patched (-want +got):\n%s", diff)
		}
		var fetched tenantOut
		e.must(t, "GET", "/api/v1/tenants/"+tn.ID, nil, http.StatusOK, &fetched)
		if diff := cmp.Diff(got, fetched); diff != "" {
			t.Errorf("GET after PATCH (-patch +get):\n%s", diff)
		}
		// Swap the restriction: null empties one list, the other is set.
		e.must(t, "PATCH", "/api/v1/tenants/"+tn.ID, map[string]any{"allowedDomains": nil, "blockedDomains": []string{"evil.com"}}, http.StatusOK, &got)
		if len(got.AllowedDomains) != 0 || !cmp.Equal(got.BlockedDomains, []string{"evil.com"}) {
			t.Errorf("allowed %v blocked %v", got.AllowedDomains, got.BlockedDomains)
		}
	})
	t.Run("PatchAbsentFieldsUnchangedNullResets", func(t *testing.T) {
		tn := e.mustTenant(t, map[string]any{"displayName": "Keep", "codeLifetime": "PT15M", "invitationQuotaPerDay": 7, "requireMfaForGuests": true,
			"mfaMethods": []string{"totp"}})
		var got tenantOut
		e.must(t, "PATCH", "/api/v1/tenants/"+tn.ID, map[string]any{"displayName": "Kept"}, http.StatusOK, &got)
		if got.CodeLifetime != "PT15M" || got.InvitationQuotaPerDay != 7 || !got.RequireMfaForGuests || !cmp.Equal(got.MfaMethods, []string{"totp"}) {
			t.Errorf("absent fields changed: %+v", got)
		}
		e.must(t, "PATCH", "/api/v1/tenants/"+tn.ID, map[string]any{"codeLifetime": nil, "invitationQuotaPerDay": nil, "requireMfaForGuests": nil,
			"mfaMethods": nil}, http.StatusOK, &got)
		if got.CodeLifetime != "PT30M" || got.InvitationQuotaPerDay != 500 || got.RequireMfaForGuests || got.DisplayName != "Kept" ||
			!cmp.Equal(got.MfaMethods, []string{"totp", "passkey", "sms"}) {
			t.Errorf("null did not reset to defaults: %+v", got)
		}
	})
	t.Run("UnknownTenantIs404", func(t *testing.T) {
		e.call(t, e.op, "GET", "/api/v1/tenants/nope", nil).expectError(t, http.StatusNotFound, "tenant_not_found")
		e.call(t, e.op, "PATCH", "/api/v1/tenants/nope", map[string]any{}).expectError(t, http.StatusNotFound, "tenant_not_found")
	})
}

func TestAPITenantPaging(t *testing.T) {
	e := newAPIEnv(t)
	ids := map[string]bool{}
	for range 5 {
		ids[e.mustTenant(t, nil).ID] = true
		e.clock.Advance(time.Second)
	}
	seen := map[string]bool{}
	next, pages := "/api/v1/tenants?$top=2", 0
	for next != "" {
		var page struct {
			Value    []tenantOut
			NextLink string
		}
		e.must(t, "GET", next, nil, http.StatusOK, &page)
		for _, tn := range page.Value {
			if seen[tn.ID] {
				t.Fatalf("tenant %s on two pages", tn.ID)
			}
			seen[tn.ID] = true
		}
		next, pages = page.NextLink, pages+1
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || !cmp.Equal(ids, seen) {
		t.Errorf("%d pages, saw %d of %d tenants", pages, len(seen), len(ids))
	}
}

func TestAPILinksUnderBaseURLPrefix(t *testing.T) {
	e := newAPIEnvAt(t, "/guestpass")
	a := e.call(t, e.op, "POST", "/api/v1/tenants", map[string]any{"displayName": "A"})
	var tn tenantOut
	a.expect(t, http.StatusCreated, &tn)
	if loc := a.header.Get("Location"); loc != e.url+"/guestpass/api/v1/tenants/"+tn.ID {
		t.Errorf("Location %q", loc)
	}
	e.mustTenant(t, map[string]any{"displayName": "B"})
	var page struct{ NextLink string }
	e.must(t, "GET", "/api/v1/tenants?$top=1", nil, http.StatusOK, &page)
	if !strings.HasPrefix(page.NextLink, e.url+"/guestpass/api/v1/tenants?$skiptoken=") {
		t.Errorf("nextLink %q", page.NextLink)
	}
}
