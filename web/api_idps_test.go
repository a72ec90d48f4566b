package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/guestpass/guestpass/internal/testop"
)

type idpOut struct {
	ID              string
	DisplayName     string
	Type            string
	Issuer          string
	ClientID        string
	ClientSecret    string
	HasClientSecret bool
	Scopes          []string
	Domains         []string
	RedirectURI     string
}

func TestAPIIdentityProviders(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.mustTenant(t, nil)
	idps := "/api/v1/tenants/" + tn.ID + "/identityProviders"
	callback := e.url + "/t/" + tn.ID + "/federation/callback"
	op := testop.Start(t, callback)
	body := func() map[string]any {
		return map[string]any{"displayName": "Fabrikam", "type": "oidc", "issuer": op.Issuer, "clientId": op.ClientID,
			"clientSecret": op.ClientSecret, "scopes": []string{"openid", "email"}, "domains": []string{"fabrikam.com"}}
	}
	var created idpOut
	t.Run("CreateAnswersRedirectURIAndHidesSecret", func(t *testing.T) {
		a := e.must(t, "POST", idps, body(), http.StatusCreated, &created)
		if created.RedirectURI != callback || !created.HasClientSecret || created.Issuer != op.Issuer || created.Type != "oidc" {
			t.Fatalf("%+v", created)
		}
		if strings.Contains(string(a.body), op.ClientSecret) {
			t.Fatal("the answer echoes the client secret")
		}
		if loc := a.header.Get("Location"); loc != e.url+idps+"/"+created.ID {
			t.Errorf("Location %q", loc)
		}
	})
	t.Run("GetListPatchDelete", func(t *testing.T) {
		var got idpOut
		e.must(t, "GET", idps+"/"+created.ID, nil, http.StatusOK, &got)
		if got.ID != created.ID || got.ClientSecret != "" {
			t.Fatalf("%+v", got)
		}
		var page struct{ Value []idpOut }
		e.must(t, "GET", idps, nil, http.StatusOK, &page)
		if len(page.Value) != 1 {
			t.Fatalf("list %+v", page)
		}
		e.must(t, "PATCH", idps+"/"+created.ID, map[string]any{"domains": []string{"fabrikam.com", "fabrikam.de"}}, http.StatusOK, &got)
		if len(got.Domains) != 2 {
			t.Fatalf("patched %+v", got)
		}
		e.must(t, "DELETE", idps+"/"+created.ID, nil, http.StatusNoContent, nil)
		e.call(t, e.op, "GET", idps+"/"+created.ID, nil).expectError(t, http.StatusNotFound, "identity_provider_not_found")
	})
	t.Run("UnreachableIssuerIs400", func(t *testing.T) {
		b := body()
		b["issuer"] = "http://127.0.0.1:1"
		msg := e.call(t, e.op, "POST", idps, b).expectError(t, http.StatusBadRequest, "invalid_issuer")
		if !strings.Contains(msg, "could not be fetched") {
			t.Errorf("message %q does not say what went wrong", msg)
		}
	})
	t.Run("UnknownFieldRefused", func(t *testing.T) {
		b := body()
		b["domain"] = "fabrikam.com"
		e.call(t, e.op, "POST", idps, b).expectError(t, http.StatusBadRequest, "unknown_field")
	})
	t.Run("DomainTakenIs409", func(t *testing.T) {
		e.must(t, "POST", idps, body(), http.StatusCreated, nil)
		e.call(t, e.op, "POST", idps, body()).expectError(t, http.StatusConflict, "domain_taken")
	})
	t.Run("OtherTenantForbidden", func(t *testing.T) {
		other := e.mustTenant(t, map[string]any{"displayName": "Other"})
		e.call(t, e.tenantToken(t, other.ID), "GET", idps, nil).expectError(t, http.StatusForbidden, "forbidden")
	})
}
