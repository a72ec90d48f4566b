package oidc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/testop"
	"golang.org/x/oauth2"
)

// signInPageFor follows an authorization request to the sign-in page it
// lands on, and returns the page and its form#send-code as the page has it.
func (r *rp) signInPageFor(t *testing.T, b *guestclient.Client, opts ...oauth2.AuthCodeOption) (*guestclient.Response, url.Values) {
	t.Helper()
	u := r.oauth.AuthCodeURL("hint-state", opts...)
	for range 4 {
		resp := get(t, b, u)
		if resp.Status == http.StatusOK {
			action, fields, ok := guestclient.Form(resp.Body, "send-code")
			if !ok || action != "/t/"+r.tenant.ID+"/send-code" {
				t.Fatalf("no form#send-code on %s:\n%.600s", u, resp.Body)
			}
			return resp, fields
		}
		if resp.Status != http.StatusFound && resp.Status != http.StatusSeeOther {
			t.Fatalf("%s answered %d: %.400s", u, resp.Status, resp.Body)
		}
		u = resp.Location
	}
	t.Fatal("no sign-in page")
	return nil, nil
}

// exchange finishes an authorization from where the sign-in pages sent the
// browser and returns the ID token's claims.
func (r *rp) exchange(t *testing.T, b *guestclient.Client, from, pkce string) idClaims {
	t.Helper()
	loc, resp := r.authorize(t, b, "", from)
	if loc == "" {
		t.Fatalf("authorization stopped with %d: %.400s", resp.Status, resp.Body)
	}
	q := mustURL(t, loc).Query()
	if q.Get("state") != "hint-state" || q.Get("code") == "" {
		t.Fatalf("authorization answered %s", loc)
	}
	c, _ := r.claims(t, q.Get("code"), pkce)
	return c
}

func loginHint(h string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam("login_hint", h) }

func TestLoginHintPrefillsSignIn(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()

	pkce := oauth2.GenerateVerifier()
	page, form := r.signInPageFor(t, b, oauth2.S256ChallengeOption(pkce), gooidc.Nonce("n1"), loginHint(" Jo@Fabrikam.com "))
	if form.Get("email") != "jo@fabrikam.com" || form.Get("app") != r.app.ID || guestclient.Alert(page.Body) != "" {
		t.Fatalf("sign-in page for a hint: %v alert %q", form, guestclient.Alert(page.Body))
	}
	// Only pre-filled: no sign-in began (a send sets the flow cookie).
	if c := b.Cookie("__Host-gp-flow-" + tn.ID); c != nil {
		t.Fatal("a sign-in began before the guest sent the form")
	}
	resp := env.SignInForm(t, b, tn.ID, "jo@fabrikam.com", form)
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("sign-in with the pre-filled form: %d %q", resp.Status, guestclient.Alert(resp.Body))
	}
	if c := r.exchange(t, b, resp.Location, pkce); c.Email != "jo@fabrikam.com" || c.Nonce != "n1" {
		t.Fatalf("ID token after a hinted sign-in: %+v", c)
	}

	// The page does not tell a guest's address from anyone's: the same
	// page, but for the address and the sign-in request it returns to.
	b2 := env.Browser()
	guestPage, guestForm := r.signInPageFor(t, b2, oauth2.S256ChallengeOption(pkce), loginHint("jo@fabrikam.com"))
	otherPage, otherForm := r.signInPageFor(t, b2, oauth2.S256ChallengeOption(pkce), loginHint("nobody@fabrikam.com"))
	norm := func(body string, f url.Values) string {
		return strings.NewReplacer(f.Get("email"), "ADDRESS", f.Get("return_to"), "RETURN").Replace(body)
	}
	if otherForm.Get("email") != "nobody@fabrikam.com" || norm(guestPage.Body, guestForm) != norm(otherPage.Body, otherForm) {
		t.Fatalf("a guest's hint and another's give different pages:\n%s\n---\n%s", guestPage.Body, otherPage.Body)
	}

	// Anything but an address is ignored, never shown back.
	for _, h := range []string{"not-an-address", `"><script>x</script>@fabrikam.com`, "jo@", strings.Repeat("a", 300) + "@fabrikam.com"} {
		page, form := r.signInPageFor(t, b2, oauth2.S256ChallengeOption(pkce), loginHint(h))
		if form.Get("email") != "" || page.Status != http.StatusOK || guestclient.Alert(page.Body) != "" || strings.Contains(page.Body, "<script>x") {
			t.Fatalf("hint %.40q: email %q, %d, alert %q", h, form.Get("email"), page.Status, guestclient.Alert(page.Body))
		}
	}
}

// TestLoginHintFederated: a hint of a domain the tenant federates is sent,
// when the guest continues, to that identity provider like a typed address
// (the redemption order of SendCode), with the address as the provider's
// own login_hint; the app gets the federated sign-in.
func TestLoginHintFederated(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	op := testop.Start(t, env.Svc.FederationRedirectURI(tn.ID),
		testop.User{Username: "ann", Password: "pw", Email: "ann@fabrikam.com", EmailVerified: true})
	name, typ := "Fabrikam", "oidc"
	if _, err := env.Svc.CreateIdentityProviderLocal(t.Context(), tn.ID, &guestpass.IdentityProviderInput{DisplayName: &name,
		Type: &typ, Issuer: &op.Issuer, ClientID: &op.ClientID, ClientSecret: &op.ClientSecret,
		Domains: &[]string{"fabrikam.com"}}); err != nil {
		t.Fatal(err)
	}
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "ann@fabrikam.com")
	b := env.Browser()

	pkce := oauth2.GenerateVerifier()
	page, form := r.signInPageFor(t, b, oauth2.S256ChallengeOption(pkce), loginHint("ann@fabrikam.com"))
	if form.Get("email") != "ann@fabrikam.com" || !strings.Contains(page.Body, `<button type="submit">Continue</button>`) {
		t.Fatalf("federated sign-in page for a hint: %v\n%.600s", form, page.Body)
	}
	resp := post(t, b, "/t/"+tn.ID+"/send-code", form)
	if err := guestclient.Expect(resp, http.StatusSeeOther, op.Issuer+"/auth?"); err != nil {
		t.Fatalf("the pre-filled address did not go to its provider: %v", err)
	}
	if h := mustURL(t, resp.Location).Query().Get("login_hint"); h != "ann@fabrikam.com" {
		t.Fatalf("the provider got login_hint %q", h)
	}
	back := op.Login(t, resp.Location, "ann", "pw")
	resp = get(t, b, back.String())
	if strings.HasSuffix(resp.Location, "/t/"+tn.ID+"/consent") {
		resp = post(t, b, "/t/"+tn.ID+"/consent", url.Values{"accept": {"yes"}})
	}
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("after the provider: %d %q", resp.Status, guestclient.Alert(resp.Body))
	}
	if c := r.exchange(t, b, resp.Location, pkce); c.Email != "ann@fabrikam.com" || c.IDP != op.Issuer {
		t.Fatalf("ID token after a federated hinted sign-in: %+v", c)
	}
}
