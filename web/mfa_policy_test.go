package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/oathtool"
)

func (e *factorsEnv) allow(t *testing.T, kinds ...guestpass.MFAKind) {
	t.Helper()
	tn, err := e.Svc.UpdateTenant(t.Context(), e.Op, e.tenant.ID, &guestpass.TenantPatch{MFAMethods: &kinds})
	if err != nil {
		t.Fatal(err)
	}
	e.tenant = tn
}

func has(t *testing.T, page *guestclient.Response, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page.Body, w) {
			t.Fatalf("page lacks %s:\n%s", w, page.Body)
		}
	}
	for _, n := range not {
		if strings.Contains(page.Body, n) {
			t.Fatalf("page has %s:\n%s", n, page.Body)
		}
	}
}

// TestMFAPolicyPages: the tenant's mfaMethods decide what the MFA step and
// the security page offer; a guest whose method the tenant stops accepting
// gets in with a recovery code and registers an accepted one.
func TestMFAPolicyPages(t *testing.T) {
	e := newFactorsEnv(t)
	e.allow(t, guestpass.MFASMS)
	b := e.Browser()
	page := e.toMFA(t, b)
	has(t, page, []string{`<section id="sms-section">`, "Get codes by text message", "Set one up below"},
		[]string{"totp-secret", `<form id="mfa"`, `id="passkey-section"`, "totp-new"})
	if r := post(t, b, e.path("/mfa"), url.Values{"code": {"123456"}}); r.Status != 403 || !strings.Contains(guestclient.Alert(r.Body), "does not accept") {
		t.Fatalf("TOTP code: %d %q", r.Status, guestclient.Alert(r.Body))
	}
	post(t, b, e.path("/mfa/sms"), url.Values{"phone": {"+49 151 23456789"}})
	r := post(t, b, e.path("/mfa/sms/verify"), url.Values{"code": {e.texts.nthCode(t, 1)}})
	codes := recoveryRe.FindAllStringSubmatch(r.Body, -1)
	if r.Status != 200 || len(codes) != 10 {
		t.Fatalf("registration: %d %s", r.Status, guestclient.Alert(r.Body))
	}
	post(t, b, e.path("/signout"), nil)

	// The tenant stops accepting texts: only a recovery code gets on.
	e.allow(t, guestpass.MFATOTP)
	page = e.toMFA(t, b)
	has(t, page, []string{"no longer accepts the second factor you have", `<form id="mfa"`, "Recovery code"},
		[]string{"sms-send", "totp-secret", `id="passkey-section"`})
	if r := post(t, b, e.path("/mfa/sms"), url.Values{"method": {"x"}}); r.Status != 400 || !strings.Contains(guestclient.Alert(r.Body), "recovery codes") {
		t.Fatalf("text while stranded: %d %q", r.Status, guestclient.Alert(r.Body))
	}
	if r := post(t, b, e.path("/mfa"), url.Values{"code": {codes[0][1]}}); guestclient.Expect(r, 303, e.path("/mfa")) != nil {
		t.Fatalf("recovery code: %d %q %s", r.Status, r.Location, guestclient.Alert(r.Body))
	}
	if b.Cookie("__Host-gp-session-"+e.tenant.ID) != nil {
		t.Fatal("a session before an accepted method")
	}
	page = get(t, b, e.path("/mfa"))
	m := secretRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("registration after the recovery code:\n%s", page.Body)
	}
	has(t, page, []string{`<form id="mfa"`}, []string{"sms-section", `id="passkey-section"`})
	r = post(t, b, e.path("/mfa"), url.Values{"code": {oathtool.TOTP(t, m[1], e.Clock.Now())}})
	if r.Status != 200 || len(recoveryRe.FindAllString(r.Body, -1)) != 10 {
		t.Fatalf("registration: %d %s", r.Status, guestclient.Alert(r.Body))
	}

	// The security page: the phone is marked and may go, the app may not;
	// only the app can be added.
	page = get(t, b, e.path("/security"))
	has(t, page, []string{"no longer accepted by Strict", `<form id="add-method"`},
		[]string{`<form id="add-sms"`, `<form id="add-passkey"`})
	if n := strings.Count(page.Body, `<form class="remove"`); n != 1 {
		t.Fatalf("%d remove forms, want the phone's only:\n%s", n, page.Body)
	}
	if r := post(t, b, e.path("/security/sms"), url.Values{"phone": {"+49 151 99999999"}}); r.Status != 403 || !strings.Contains(guestclient.Alert(r.Body), "does not accept") {
		t.Fatalf("add sms: %d %q", r.Status, guestclient.Alert(r.Body))
	}
}
