package oidc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"golang.org/x/oauth2"
)

// accessible checks what every guest page has: the language, a title, one
// heading, and the message in [role=alert] or [role=status].
func accessible(t *testing.T, resp *guestclient.Response, lang string) {
	t.Helper()
	for _, want := range []string{`<html lang="` + lang + `">`, "<title>", "<h1>", `<main>`} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("page lacks %s:\n%.600s", want, resp.Body)
		}
	}
	if resp.Header.Get("Content-Language") != lang || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("headers %v", resp.Header)
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("security headers %v", resp.Header)
	}
}

func TestNoAccessPageLocalized(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	other := invite(t, env, tn, "other@fabrikam.com")
	assigned := guestpass.AssignAssigned
	r := newRP(t, env, tn, guestpass.AppInput{Assignment: &assigned, AssignedGuestIDs: &[]string{other.ID}})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	b.Header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
	_, resp := r.authorize(t, b, "jo@fabrikam.com", r.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if resp.Status != http.StatusForbidden || guestclient.Alert(resp.Body) != "Sie haben keinen Zugriff auf Wiki erhalten. Bitten Sie die Person, die Sie eingeladen hat, Ihnen Zugriff zu geben." {
		t.Fatalf("German no-access page: %d %q", resp.Status, guestclient.Alert(resp.Body))
	}
	accessible(t, resp, "de")
	if !strings.Contains(resp.Body, `<form id="denied" method="post" action="/t/`+tn.ID+`/oidc/denied">`) ||
		!strings.Contains(resp.Body, `<button type="submit">Zurück zu Wiki</button>`) {
		t.Fatalf("no-access form:\n%s", resp.Body)
	}
}

func TestBadRequestPages(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	b := env.Browser()
	o := r.oauth
	o.RedirectURL = "https://evil.example/callback"
	resp := get(t, b, o.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if alert := guestclient.Alert(resp.Body); resp.Status != http.StatusBadRequest || !strings.Contains(alert, "cannot be accepted") ||
		!strings.Contains(alert, "redirect_uri") || resp.Location != "" {
		t.Fatalf("unregistered redirect_uri: %d %q", resp.Status, alert)
	}
	accessible(t, resp, "en")
	if !strings.Contains(resp.Body, "Contoso") {
		t.Fatal("the page does not name the organization")
	}

	b.Header.Set("Accept-Language", "de")
	o = r.oauth
	o.ClientID = "no-such-client"
	resp = get(t, b, o.AuthCodeURL("s"))
	if alert := guestclient.Alert(resp.Body); resp.Status != http.StatusBadRequest || !strings.Contains(alert, "Wenden Sie sich an die Verantwortlichen") {
		t.Fatalf("unknown client, in German: %d %q", resp.Status, alert)
	}
	accessible(t, resp, "de")

	// An expired or unknown sign-in link, and an unknown organization.
	resp = get(t, b, "/t/"+tn.ID+"/oidc/login?id=nope")
	if resp.Status != http.StatusBadRequest || !strings.Contains(guestclient.Alert(resp.Body), "abgelaufen") {
		t.Fatalf("unknown sign-in request: %d %q", resp.Status, guestclient.Alert(resp.Body))
	}
	resp = get(t, b, "/t/nope/authorize?"+url.Values{"client_id": {r.app.ID}}.Encode())
	if resp.Status != http.StatusNotFound || guestclient.Alert(resp.Body) != "Die Organisation &#34;nope&#34; gibt es nicht." {
		t.Fatalf("unknown tenant: %d %q", resp.Status, guestclient.Alert(resp.Body))
	}
	// A client is not a browser: the token endpoint of an unknown tenant
	// answers it in JSON, refusing the client it cannot find.
	tr, err := http.PostForm(env.URL+"/t/nope/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"},
		"client_id": {r.app.ID}, "client_secret": {r.secret}, "redirect_uri": {redirectURI}, "code_verifier": {oauth2.GenerateVerifier()}})
	if err != nil {
		t.Fatal(err)
	}
	tr.Body.Close()
	if tr.StatusCode/100 != 4 || !strings.HasPrefix(tr.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("token endpoint of an unknown tenant: %d %s", tr.StatusCode, tr.Header.Get("Content-Type"))
	}
}

func TestFormPostPages(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	formPost := oauth2.SetAuthURLParam("response_mode", "form_post")

	// prompt=none without a session: the error is posted too, as the
	// client asked, not put in a query.
	_, resp := r.authorize(t, b, "", r.oauth.AuthCodeURL("fp", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("prompt", "none"), formPost))
	if resp.Status != http.StatusOK || formValue(resp.Body, "error") != "login_required" || formValue(resp.Body, "state") != "fp" ||
		formValue(resp.Body, "code") != "" {
		t.Fatalf("prompt=none in form_post: %d\n%.600s", resp.Status, resp.Body)
	}

	b.Header.Set("Accept-Language", "de")
	_, resp = r.authorize(t, b, "jo@fabrikam.com", r.oauth.AuthCodeURL("fp", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), formPost))
	if resp.Status != http.StatusOK || formValue(resp.Body, "code") == "" {
		t.Fatalf("form_post: %d\n%.600s", resp.Status, resp.Body)
	}
	accessible(t, resp, "de")
	// Without script the guest presses Continue; with it, our own script
	// file submits the form, under the pages' policy: no inline script.
	if !strings.Contains(resp.Body, `<button type="submit">Weiter</button>`) || !strings.Contains(resp.Body, "Wiki") ||
		!strings.Contains(resp.Body, `<script src="/t/static/formpost.js"></script>`) || strings.Contains(resp.Body, "<script>") {
		t.Fatalf("form_post page:\n%s", resp.Body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	js := get(t, b, "/t/static/formpost.js")
	if js.Status != http.StatusOK || !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js.Body, `document.getElementById("form-post").submit()`) {
		t.Fatalf("formpost.js: %d %s %q", js.Status, js.Header.Get("Content-Type"), js.Body)
	}
}
