package guestpass_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/testop"
)

func ptr[T any](v T) *T { return &v }

// startOP runs a real upstream provider whose client redirects to e's
// tenant callback.
func (e *env) startOP(t *testing.T, users ...testop.User) *testop.OP {
	t.Helper()
	return testop.Start(t, e.svc.FederationRedirectURI(e.tenant.ID), users...)
}

func TestIdentityProviderAdmin(t *testing.T) {
	e := newEnv(t)
	op := e.startOP(t)
	admin := mustOperator(t, e)
	input := func() *guestpass.IdentityProviderInput {
		return &guestpass.IdentityProviderInput{DisplayName: ptr("Fabrikam"), Issuer: ptr(op.Issuer),
			ClientID: ptr(op.ClientID), ClientSecret: ptr(op.ClientSecret), Domains: &[]string{"Fabrikam.COM", "fabrikam.de"}}
	}
	t.Run("CreateNormalizesAndSealsTheSecret", func(t *testing.T) {
		p, err := e.svc.CreateIdentityProvider(t.Context(), admin, e.tenant.ID, input())
		if err != nil {
			t.Fatal(err)
		}
		if got := p.EmailDomains; len(got) != 2 || got[0] != "fabrikam.com" {
			t.Fatalf("domains %q", got)
		}
		if len(p.Scopes) != 2 || p.Scopes[0] != "openid" || p.Scopes[1] != "email" {
			t.Fatalf("default scopes %q", p.Scopes)
		}
		stored, err := e.store.GetIdentityProvider(t.Context(), e.tenant.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.SealedSecret) == 0 || string(stored.SealedSecret) == op.ClientSecret {
			t.Fatalf("secret not sealed at rest: %q", stored.SealedSecret)
		}
		t.Run("DomainClaimedTwiceIsConflict", func(t *testing.T) {
			in := input()
			in.Domains = &[]string{"fabrikam.de"}
			_, err := e.svc.CreateIdentityProvider(t.Context(), admin, e.tenant.ID, in)
			if codeOf(err) != "domain_taken" || guestpass.KindOf(err) != guestpass.KindConflict {
				t.Fatalf("err %v, want domain_taken conflict", err)
			}
		})
		t.Run("PatchKeepsSecretAndRevalidates", func(t *testing.T) {
			got, err := e.svc.UpdateIdentityProvider(t.Context(), admin, e.tenant.ID, p.ID, &guestpass.IdentityProviderInput{
				DisplayName: ptr("Fabrikam AD"), Scopes: &[]string{"email", "profile"}})
			if err != nil {
				t.Fatal(err)
			}
			if got.DisplayName != "Fabrikam AD" || len(got.Scopes) != 3 || string(got.SealedSecret) != string(stored.SealedSecret) {
				t.Fatalf("patched %+v", got)
			}
			_, err = e.svc.UpdateIdentityProvider(t.Context(), admin, e.tenant.ID, p.ID, &guestpass.IdentityProviderInput{Issuer: ptr(op.Issuer + "/other")})
			if codeOf(err) != "invalid_issuer" {
				t.Fatalf("patch to a wrong issuer: %v", err)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			if err := e.svc.DeleteIdentityProvider(t.Context(), admin, e.tenant.ID, p.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.GetIdentityProvider(t.Context(), admin, e.tenant.ID, p.ID); codeOf(err) != "identity_provider_not_found" {
				t.Fatalf("after delete: %v", err)
			}
		})
	})
	wrongIssuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"https://elsewhere.example","authorization_endpoint":"x","token_endpoint":"y","jwks_uri":"z"}`))
	}))
	t.Cleanup(wrongIssuer.Close)
	refused := httptest.NewServer(http.NotFoundHandler())
	refused.Close() // nothing listens there any more
	bad := []struct {
		name, code string
		edit       func(*guestpass.IdentityProviderInput)
	}{
		{"UnreachableIssuer", "invalid_issuer", func(in *guestpass.IdentityProviderInput) { in.Issuer = ptr(refused.URL) }},
		{"IssuerMismatch", "invalid_issuer", func(in *guestpass.IdentityProviderInput) { in.Issuer = ptr(wrongIssuer.URL) }},
		{"NoDiscoveryDocument", "invalid_issuer", func(in *guestpass.IdentityProviderInput) { in.Issuer = ptr(op.Issuer + "/nothing") }},
		{"IssuerWithQuery", "invalid_issuer", func(in *guestpass.IdentityProviderInput) { in.Issuer = ptr(op.Issuer + "?a=b") }},
		{"IssuerNotURL", "invalid_issuer", func(in *guestpass.IdentityProviderInput) { in.Issuer = ptr("fabrikam.com") }},
		{"NoDomains", "invalid_domain", func(in *guestpass.IdentityProviderInput) { in.Domains = &[]string{} }},
		{"BadDomain", "invalid_domain", func(in *guestpass.IdentityProviderInput) { in.Domains = &[]string{"*.fabrikam.com"} }},
		{"BadScope", "invalid_scope", func(in *guestpass.IdentityProviderInput) { in.Scopes = &[]string{"a b"} }},
		{"NoClientID", "invalid_client_id", func(in *guestpass.IdentityProviderInput) { in.ClientID = ptr("") }},
		{"ControlInSecret", "invalid_client_secret", func(in *guestpass.IdentityProviderInput) { in.ClientSecret = ptr("a\nb") }},
		{"WrongType", "invalid_type", func(in *guestpass.IdentityProviderInput) { in.Type = ptr("saml") }},
		{"MissingName", "missing_field", func(in *guestpass.IdentityProviderInput) { in.DisplayName = nil }},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			in := input()
			c.edit(in)
			_, err := e.svc.CreateIdentityProvider(t.Context(), admin, e.tenant.ID, in)
			if codeOf(err) != c.code {
				t.Fatalf("err %v, want %s", err, c.code)
			}
		})
	}
	t.Run("OtherTenantsTokenForbidden", func(t *testing.T) {
		other, err := e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := e.svc.CreateAdminToken(t.Context(), nil, other.ID, "other admin")
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := e.svc.Authenticate(t.Context(), secret)
		if _, _, err := e.svc.ListIdentityProviders(t.Context(), tok, e.tenant.ID, guestpass.Page{}); codeOf(err) != "forbidden" {
			t.Fatalf("err %v", err)
		}
	})
}

func TestValidateIssuer(t *testing.T) {
	for _, c := range []struct {
		issuer string
		dev    bool
		ok     bool
	}{
		{"https://login.fabrikam.com", false, true},
		{"https://login.fabrikam.com/tenant/v2.0", false, true},
		{"http://login.fabrikam.com", false, false},
		{"http://127.0.0.1:9998", false, false},
		{"https://localhost:9998", false, false},
		{"http://127.0.0.1:9998", true, true},
		{"https://user:pw@login.fabrikam.com", false, false},
		{"https://login.fabrikam.com/#x", false, false},
		{"https://login.fabrikam.com?", false, false},
		{"ftp://login.fabrikam.com", true, false},
		{"", true, false},
	} {
		if err := guestpass.ValidateIssuer(c.issuer, c.dev); (err == nil) != c.ok {
			t.Errorf("ValidateIssuer(%q, dev=%v) = %v, want ok=%v", c.issuer, c.dev, err, c.ok)
		}
	}
}

func FuzzValidateIssuer(f *testing.F) {
	for _, s := range []string{"https://login.fabrikam.com", "http://[::1]:80/x", "https://a/%zz", "https://a?#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if guestpass.ValidateIssuer(s, false) == nil && guestpass.ValidateIssuer(s, true) != nil {
			t.Fatalf("%q valid in production but not in development", s)
		}
	})
}
