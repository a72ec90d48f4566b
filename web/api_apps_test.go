package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/servertest"
)

type appOut struct {
	ID                     string
	DisplayName            string
	Type                   string
	ClientID               string
	ClientSecret           string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Public                 *bool
	Hosts                  []string
	Assignment             string
	AssignedGuestIDs       []string
	RequireMFA             bool
	IDTokenAlg             string `json:"idTokenSignedResponseAlg"`
}

func TestAPIApplications(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	apps := "/api/v1/tenants/" + tn.ID + "/applications"
	inv := e.mustInvite(t, tn.ID, map[string]any{"invitedUserEmailAddress": "ann@partner.com"})
	guest := inv.InvitedUser.ID

	var oidc appOut
	t.Run("CreateOIDCShowsSecretOnce", func(t *testing.T) {
		a := e.must(t, "POST", apps, map[string]any{"displayName": "Grafana", "type": "oidc",
			"redirectUris": []string{"https://grafana.example.com/login/generic_oauth", "http://localhost:3000/cb"}}, http.StatusCreated, &oidc)
		if oidc.ClientID != oidc.ID || len(oidc.ClientSecret) < 40 || oidc.Public == nil || *oidc.Public || oidc.Assignment != "allGuests" ||
			oidc.IDTokenAlg != "RS256" {
			t.Fatalf("%+v", oidc)
		}
		if loc := a.header.Get("Location"); loc != e.url+apps+"/"+oidc.ID {
			t.Errorf("Location %q", loc)
		}
		var got appOut
		e.must(t, "GET", apps+"/"+oidc.ID, nil, http.StatusOK, &got)
		if got.ClientSecret != "" {
			t.Fatal("GET shows the client secret")
		}
		// Lists are sorted and kept exactly.
		if diff := cmp.Diff([]string{"http://localhost:3000/cb", "https://grafana.example.com/login/generic_oauth"}, got.RedirectURIs); diff != "" {
			t.Error(diff)
		}
		stored, err := e.svc.Store().GetApplicationByID(t.Context(), oidc.ID)
		if err != nil || !stored.CheckSecret(oidc.ClientSecret, e.clock.Now()) || stored.CheckSecret("wrong", e.clock.Now()) {
			t.Fatalf("stored secret does not check: %v", err)
		}
	})
	t.Run("IDTokenAlg", func(t *testing.T) {
		var got appOut
		e.must(t, "PATCH", apps+"/"+oidc.ID, map[string]any{"idTokenSignedResponseAlg": "ES256"}, http.StatusOK, &got)
		if got.IDTokenAlg != "ES256" {
			t.Fatalf("after PATCH: %+v", got)
		}
		e.must(t, "GET", apps+"/"+oidc.ID, nil, http.StatusOK, &got)
		if got.IDTokenAlg != "ES256" {
			t.Fatalf("after GET: %+v", got)
		}
		e.call(t, e.op, "PATCH", apps+"/"+oidc.ID, map[string]any{"idTokenSignedResponseAlg": "none"}).expectError(t, http.StatusBadRequest, "invalid_id_token_alg")
		e.must(t, "PATCH", apps+"/"+oidc.ID, map[string]any{"idTokenSignedResponseAlg": "RS256"}, http.StatusOK, &got)
	})
	t.Run("RotateSecretKeepsOldFor24h", func(t *testing.T) {
		var rotated appOut
		e.must(t, "POST", apps+"/"+oidc.ID+"/rotateSecret", nil, http.StatusOK, &rotated)
		if rotated.ClientSecret == "" || rotated.ClientSecret == oidc.ClientSecret {
			t.Fatal("no new secret")
		}
		stored, _ := e.svc.Store().GetApplicationByID(t.Context(), oidc.ID)
		now := e.clock.Now()
		if !stored.CheckSecret(rotated.ClientSecret, now) || !stored.CheckSecret(oidc.ClientSecret, now) {
			t.Fatal("new or previous secret refused during the grace period")
		}
		if stored.CheckSecret(oidc.ClientSecret, now.Add(25*time.Hour)) || !stored.CheckSecret(rotated.ClientSecret, now.Add(25*time.Hour)) {
			t.Fatal("previous secret outlived its grace period")
		}
	})
	t.Run("PublicClientHasNoSecret", func(t *testing.T) {
		var pub appOut
		e.must(t, "POST", apps, map[string]any{"displayName": "CLI", "type": "oidc", "public": true,
			"redirectUris": []string{"http://127.0.0.1:8400/cb"}}, http.StatusCreated, &pub)
		if pub.ClientSecret != "" || !*pub.Public {
			t.Fatalf("%+v", pub)
		}
		e.call(t, e.op, "POST", apps+"/"+pub.ID+"/rotateSecret", nil).expectError(t, http.StatusBadRequest, "no_secret")
		e.call(t, e.op, "PATCH", apps+"/"+pub.ID, map[string]any{"public": false}).expectError(t, http.StatusBadRequest, "invalid_public")
	})
	var proxy appOut
	t.Run("CreateProxyCanonicalHosts", func(t *testing.T) {
		e.must(t, "POST", apps, map[string]any{"displayName": "Wiki", "type": "proxy",
			"hosts":      []string{"Wiki.Example.com", "*.docs.example.com", "bücher.example.com:8443"},
			"assignment": "assignedGuests", "assignedGuestIds": []string{guest}}, http.StatusCreated, &proxy)
		want := []string{"*.docs.example.com", "wiki.example.com", "xn--bcher-kva.example.com:8443"}
		if diff := cmp.Diff(want, proxy.Hosts); diff != "" || proxy.ClientID != "" || proxy.ClientSecret != "" {
			t.Fatalf("%s %+v", diff, proxy)
		}
		a, err := e.svc.ApplicationForHost(t.Context(), "a.docs.example.com")
		if err != nil || a.ID != proxy.ID || !a.Allows(guest) || a.Allows("someone-else") {
			t.Fatalf("wildcard lookup: %v %+v", err, a)
		}
		for _, miss := range []string{"docs.example.com", "b.a.docs.example.com", "example.com", "wiki.example.com.evil.com"} {
			if _, err := e.svc.ApplicationForHost(t.Context(), miss); err == nil {
				t.Errorf("%s matched", miss)
			}
		}
		if a, err := e.svc.ApplicationForHost(t.Context(), "wiki.example.com:9000"); err != nil || a.ID != proxy.ID {
			t.Errorf("a host without port in the app matches any port: %v", err)
		}
		if _, err := e.svc.ApplicationForHost(t.Context(), "xn--bcher-kva.example.com"); err == nil {
			t.Error("a host registered with a port matched another port")
		}
	})
	t.Run("HostOfAnotherTenantIsConflict", func(t *testing.T) {
		other := e.mustTenant(t, map[string]any{"displayName": "Fabrikam"})
		e.call(t, e.op, "POST", "/api/v1/tenants/"+other.ID+"/applications", map[string]any{"displayName": "Steal",
			"type": "proxy", "hosts": []string{"WIKI.example.com"}}).expectError(t, http.StatusConflict, "host_conflict")
	})
	t.Run("PatchAndList", func(t *testing.T) {
		var got appOut
		e.must(t, "PATCH", apps+"/"+proxy.ID, map[string]any{"assignment": "allGuests", "requireMfa": true}, http.StatusOK, &got)
		if got.Assignment != "allGuests" || !got.RequireMFA || len(got.Hosts) != 3 || got.DisplayName != "Wiki" {
			t.Fatalf("%+v", got)
		}
		e.call(t, e.op, "PATCH", apps+"/"+proxy.ID, map[string]any{"type": "oidc"}).expectError(t, http.StatusBadRequest, "invalid_type")
		var all struct{ Value []appOut }
		e.must(t, "GET", apps, nil, http.StatusOK, &all)
		if len(all.Value) != 3 {
			t.Fatalf("%d apps", len(all.Value))
		}
		mine, err := e.svc.GuestApplications(t.Context(), tn.ID, guest)
		if err != nil || len(mine) != 3 {
			t.Fatalf("guest sees %d apps: %v", len(mine), err)
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			body map[string]any
			code string
		}{
			{"NoType", map[string]any{"displayName": "x"}, "missing_field"},
			{"BadType", map[string]any{"displayName": "x", "type": "saml"}, "invalid_type"},
			{"NoRedirect", map[string]any{"displayName": "x", "type": "oidc"}, "invalid_redirect_uri"},
			{"HTTPRedirect", map[string]any{"displayName": "x", "type": "oidc", "redirectUris": []string{"http://app.example.com/cb"}}, "invalid_redirect_uri"},
			{"FragmentRedirect", map[string]any{"displayName": "x", "type": "oidc", "redirectUris": []string{"https://a.example.com/cb#x"}}, "invalid_redirect_uri"},
			{"RelativeRedirect", map[string]any{"displayName": "x", "type": "oidc", "redirectUris": []string{"/cb"}}, "invalid_redirect_uri"},
			{"HostsOnOIDC", map[string]any{"displayName": "x", "type": "oidc", "redirectUris": []string{"https://a.example.com/cb"}, "hosts": []string{"a.example.com"}}, "invalid_hosts"},
			{"NoHosts", map[string]any{"displayName": "x", "type": "proxy"}, "invalid_hosts"},
			{"BadHost", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"a b.example.com"}}, "invalid_hosts"},
			{"TLDWildcard", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"*.com"}}, "invalid_hosts"},
			{"DeepWildcard", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"*.*.example.com"}}, "invalid_hosts"},
			{"BadPort", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"a.example.com:99999"}}, "invalid_hosts"},
			{"BadAssignment", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"z.example.com"}, "assignment": "some"}, "invalid_assignment"},
			{"UnknownGuest", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"z.example.com"}, "assignedGuestIds": []string{"nope"}}, "invalid_guest"},
			{"AlgOnProxy", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"z.example.com"}, "idTokenSignedResponseAlg": "ES256"}, "invalid_type"},
			{"HS256", map[string]any{"displayName": "x", "type": "oidc", "redirectUris": []string{"https://a.example.com/cb"}, "idTokenSignedResponseAlg": "HS256"}, "invalid_id_token_alg"},
			{"UnknownField", map[string]any{"displayName": "x", "type": "proxy", "hosts": []string{"z.example.com"}, "secret": "x"}, "unknown_field"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.call(t, e.op, "POST", apps, tc.body).expectError(t, http.StatusBadRequest, tc.code)
			})
		}
		e.call(t, e.op, "GET", apps+"/nope", nil).expectError(t, http.StatusNotFound, "application_not_found")
	})
	t.Run("TenantAdminIsolation", func(t *testing.T) {
		other := e.mustTenant(t, map[string]any{"displayName": "Northwind"})
		tok := e.tenantToken(t, other.ID)
		e.call(t, tok, "GET", apps+"/"+oidc.ID, nil).expectError(t, http.StatusForbidden, "forbidden")
		e.call(t, tok, "GET", "/api/v1/tenants/"+other.ID+"/applications/"+oidc.ID, nil).expectError(t, http.StatusNotFound, "application_not_found")
	})
	t.Run("DeleteFreesHost", func(t *testing.T) {
		e.must(t, "DELETE", apps+"/"+proxy.ID, nil, http.StatusNoContent, nil)
		if _, err := e.svc.ApplicationForHost(t.Context(), "wiki.example.com"); err == nil {
			t.Fatal("deleted app still serves its host")
		}
		e.call(t, e.op, "DELETE", apps+"/"+proxy.ID, nil).expectError(t, http.StatusNotFound, "application_not_found")
	})
	t.Run("Audited", func(t *testing.T) {
		var logs struct{ Value []struct{ Action string } }
		e.must(t, "GET", "/api/v1/tenants/"+tn.ID+"/auditLogs?type=admin", nil, http.StatusOK, &logs)
		seen := map[string]int{}
		for _, l := range logs.Value {
			seen[l.Action]++
		}
		// Updates: requireMfa, and two of the IDTokenAlg subtest.
		if seen["application.create"] != 3 || seen["application.update"] != 3 || seen["application.rotateSecret"] != 1 || seen["application.delete"] != 1 {
			t.Fatalf("audit actions %v", seen)
		}
	})
}

// TestAppsPageListsAssignedApps: the guest's app page links exactly the
// apps assigned to that guest.
func TestAppsPageListsAssignedApps(t *testing.T) {
	env := servertest.New(t, servertest.Options{SMTP: true, RealClock: true})
	tn, err := env.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := env.Svc.InviteLocal(t.Context(), tn.ID, guestpass.InviteRequest{Email: "ann@partner.com"})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := env.Svc.InviteLocal(t.Context(), tn.ID, guestpass.InviteRequest{Email: "bob@partner.com"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(in guestpass.AppInput) {
		if _, _, err := env.Svc.CreateApplicationLocal(t.Context(), tn.ID, &in); err != nil {
			t.Fatal(err)
		}
	}
	ptr := func(s string) *string { return &s }
	proxy, oidc, assigned := guestpass.AppProxy, guestpass.AppOIDC, guestpass.AssignAssigned
	mk(guestpass.AppInput{DisplayName: ptr("Team wiki"), Type: &proxy, Hosts: &[]string{"*.x.example.com", "wiki.example.com"}})
	mk(guestpass.AppInput{DisplayName: ptr("Grafana"), Type: &oidc, RedirectURIs: &[]string{"https://grafana.example.com/cb"},
		Assignment: &assigned, AssignedGuestIDs: &[]string{bob.Guest.ID}})
	b := env.Browser()
	env.SignIn(t, b, tn.ID, ann.Guest.Mail, "")
	page, err := b.Get("/t/" + tn.ID + "/apps")
	if err != nil || page.Status != 200 {
		t.Fatal(err, page.Status)
	}
	if !strings.Contains(page.Body, `href="http://wiki.example.com/"`) || strings.Contains(page.Body, "Grafana") {
		t.Fatalf("ann's apps page:\n%s", page.Body)
	}
	b = env.Browser()
	env.SignIn(t, b, tn.ID, bob.Guest.Mail, "")
	page, _ = b.Get("/t/" + tn.ID + "/apps")
	if !strings.Contains(page.Body, `href="https://grafana.example.com/"`) || !strings.Contains(page.Body, "Team wiki") {
		t.Fatalf("bob's apps page:\n%s", page.Body)
	}
}
