package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/servertest"
	"github.com/guestpass/guestpass/internal/softauthn"
	"github.com/guestpass/guestpass/mail/smtptest"
)

// texts is a TextSender that keeps what it was given.
type texts struct {
	mu   sync.Mutex
	sent []string
}

var _ guestpass.TextSender = (*texts)(nil)

func (x *texts) SendText(_ context.Context, to, body string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sent = append(x.sent, to+"\n"+body)
	return nil
}

var smsCodeRe = regexp.MustCompile(`\n(\d{8}) is your sign-in code`)

// nthCode waits for the nth text and returns its code.
func (x *texts) nthCode(t *testing.T, n int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		x.mu.Lock()
		sent := slices.Clone(x.sent)
		x.mu.Unlock()
		if len(sent) >= n {
			m := smsCodeRe.FindStringSubmatch(sent[n-1])
			if m == nil {
				t.Fatalf("text without a code: %q", sent[n-1])
			}
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d texts, want %d", len(sent), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type factorsEnv struct {
	*servertest.Env
	tenant *guestpass.Tenant
	texts  *texts
}

func newFactorsEnv(t *testing.T) *factorsEnv {
	t.Helper()
	x := &texts{}
	env := servertest.New(t, servertest.Options{SMTP: true, Localhost: true, Passkeys: true, TextSender: x,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}})
	tn, err := env.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Strict", Settings: guestpass.TenantSettings{RequireMFAForGuests: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.InviteLocal(t.Context(), tn.ID, guestpass.InviteRequest{Email: "jo@fabrikam.com"}); err != nil {
		t.Fatal(err)
	}
	return &factorsEnv{Env: env, tenant: tn, texts: x}
}

func (e *factorsEnv) path(p string) string { return "/t/" + e.tenant.ID + p }

// toMFA signs b in with an email code and returns the MFA page.
func (e *factorsEnv) toMFA(t *testing.T, b *guestclient.Client) *guestclient.Response {
	t.Helper()
	if loc := e.SignIn(t, b, e.tenant.ID, "jo@fabrikam.com", ""); !strings.HasSuffix(loc, "/mfa") {
		t.Fatalf("after the email code: %q", loc)
	}
	return get(t, b, e.path("/mfa"))
}

// options posts as passkey.js's fetch does and returns the JSON.
func options(t *testing.T, b *guestclient.Client, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.Base+path, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("options answered %s: %.300s", ct, r.Body)
	}
	return r.Status, []byte(r.Body)
}

func TestPasskeyPages(t *testing.T) {
	e := newFactorsEnv(t)
	b := e.Browser()
	a := softauthn.New(e.URL)
	page := e.toMFA(t, b)
	for _, want := range []string{`<form id="mfa"`, `id="totp-secret"`, `<section id="passkey-section" data-passkey-section hidden>`,
		`<form id="passkey" method="post" action="/t/` + e.tenant.ID + `/mfa/passkey" data-passkey="create"`,
		`<input type="hidden" name="credential"`, `<script src="/t/static/passkey.js" defer></script>`,
		`<form id="sms-send"`, `name="phone"`} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("registration page lacks %s:\n%s", want, page.Body)
		}
	}
	csp := page.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("CSP %q", csp)
	}
	if js := get(t, b, "/t/static/passkey.js"); js.Status != 200 || !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js.Body, "navigator.credentials") {
		t.Fatalf("passkey.js: %d %s", js.Status, js.Header.Get("Content-Type"))
	}

	t.Run("OptionsNeedTheFlow", func(t *testing.T) {
		status, body := options(t, e.Browser(), e.path("/mfa/passkey/options"))
		var out struct {
			Error struct{ Code, Message string }
		}
		if status != 400 || json.Unmarshal(body, &out) != nil || out.Error.Code != "flow_expired" || out.Error.Message == "" {
			t.Fatalf("options without a flow: %d %s", status, body)
		}
	})
	t.Run("CrossSiteRefused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, b.Base+e.path("/mfa/passkey/options"), nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r, err := b.Do(req); err != nil || r.Status != 403 {
			t.Fatalf("cross-site options: %v %v", r, err)
		}
	})
	t.Run("RegisterSignOutSignIn", func(t *testing.T) {
		status, opts := options(t, b, e.path("/mfa/passkey/options"))
		if status != 200 {
			t.Fatalf("options %d %s", status, opts)
		}
		r := post(t, b, e.path("/mfa/passkey"), url.Values{"credential": {string(a.Create(t, opts))}})
		if r.Status != 200 || len(recoveryRe.FindAllString(r.Body, -1)) != 10 || b.Cookie("__Host-gp-session-"+e.tenant.ID) == nil {
			t.Fatalf("registration: %d %s", r.Status, guestclient.Alert(r.Body))
		}
		post(t, b, e.path("/signout"), nil)
		page := e.toMFA(t, b)
		if !strings.Contains(page.Body, `data-passkey="get"`) || strings.Contains(page.Body, "totp-secret") || strings.Contains(page.Body, `id="sms-send"`) {
			t.Fatalf("sign-in page:\n%s", page.Body)
		}
		if bad := post(t, b, e.path("/mfa/passkey"), url.Values{"credential": {`{"id":"x"}`}}); bad.Status != 400 || guestclient.Alert(bad.Body) == "" {
			t.Fatalf("answer without a ceremony: %d %q", bad.Status, guestclient.Alert(bad.Body))
		}
		_, opts = options(t, b, e.path("/mfa/passkey/options"))
		r = post(t, b, e.path("/mfa/passkey"), url.Values{"credential": {string(a.Get(t, opts))}})
		if r.Status != 303 || !strings.HasSuffix(r.Location, "/apps") {
			t.Fatalf("passkey sign-in: %d %q %s", r.Status, r.Location, guestclient.Alert(r.Body))
		}
	})
	t.Run("RemoteAmr", func(t *testing.T) {
		name, proxy := "Wiki", guestpass.AppProxy
		if _, _, err := e.Svc.CreateApplicationLocal(t.Context(), e.tenant.ID, &guestpass.AppInput{DisplayName: &name, Type: &proxy, Hosts: &[]string{"wiki.example.test"}}); err != nil {
			t.Fatal(err)
		}
		r := ask(t, b, "/api/authz/forward-auth", forwarded("wiki.example.test", "/"))
		if r.Status != 200 || r.Header.Get("Remote-Amr") != "otp,hwk,mfa" {
			t.Fatalf("forward auth: %d Remote-Amr %q", r.Status, r.Header.Get("Remote-Amr"))
		}
	})
}

func TestSMSPages(t *testing.T) {
	e := newFactorsEnv(t)
	b := e.Browser()
	e.toMFA(t, b)
	if r := post(t, b, e.path("/mfa/sms"), url.Values{"phone": {"0151 234"}}); r.Status != 400 || !strings.Contains(guestclient.Alert(r.Body), "country code") {
		t.Fatalf("bad number: %d %q", r.Status, guestclient.Alert(r.Body))
	}
	r := post(t, b, e.path("/mfa/sms"), url.Values{"phone": {"+49 151 23456789"}})
	if err := guestclient.Expect(r, 303, e.path("/mfa")); err != nil {
		t.Fatal(err)
	}
	page := get(t, b, e.path("/mfa"))
	// The code form comes first; sending again (a typo in the number, a
	// text that never came) stays possible.
	if !strings.Contains(page.Body, `<form id="sms-code"`) || !strings.Contains(page.Body, "49•••••••••89") || !strings.Contains(page.Body, `<form id="sms-send"`) {
		t.Fatalf("page after sending:\n%s", page.Body)
	}
	if r := post(t, b, e.path("/mfa/sms"), url.Values{"phone": {"+49 151 23456789"}}); r.Status != 429 || guestclient.Alert(r.Body) == "" {
		t.Fatalf("second send at once: %d %q", r.Status, guestclient.Alert(r.Body))
	}
	code := e.texts.nthCode(t, 1)
	wrong := post(t, b, e.path("/mfa/sms/verify"), url.Values{"code": {"00000000"}})
	if wrong.Status != 400 || !strings.Contains(guestclient.Alert(wrong.Body), "4 more times") || !strings.Contains(wrong.Body, `<form id="sms-code"`) {
		t.Fatalf("wrong code: %d %q", wrong.Status, guestclient.Alert(wrong.Body))
	}
	r = post(t, b, e.path("/mfa/sms/verify"), url.Values{"code": {code}})
	if r.Status != 200 || len(recoveryRe.FindAllString(r.Body, -1)) != 10 {
		t.Fatalf("registration: %d %s", r.Status, guestclient.Alert(r.Body))
	}
	post(t, b, e.path("/signout"), nil)

	page = e.toMFA(t, b)
	m := regexp.MustCompile(`<form id="sms-send" method="post" action="[^"]+">\s*<button type="submit" name="method" value="([^"]+)">`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("sign-in page without the number's button:\n%s", page.Body)
	}
	e.Clock.Advance(31 * time.Second)
	if r := post(t, b, e.path("/mfa/sms"), url.Values{"method": {m[1]}}); r.Status != 303 {
		t.Fatalf("send: %d %s", r.Status, guestclient.Alert(r.Body))
	}
	r = post(t, b, e.path("/mfa/sms/verify"), url.Values{"code": {e.texts.nthCode(t, 2)}})
	if r.Status != 303 || !strings.HasSuffix(r.Location, "/apps") {
		t.Fatalf("sms sign-in: %d %q %s", r.Status, r.Location, guestclient.Alert(r.Body))
	}
}

func TestSecurityPageFactors(t *testing.T) {
	e := newFactorsEnv(t)
	var err error
	if e.tenant, err = e.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Relaxed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.InviteLocal(t.Context(), e.tenant.ID, guestpass.InviteRequest{Email: "jo@fabrikam.com"}); err != nil {
		t.Fatal(err)
	}
	b := e.Browser()
	e.SignIn(t, b, e.tenant.ID, "jo@fabrikam.com", "")
	page := get(t, b, e.path("/security"))
	for _, want := range []string{`<form id="add-passkey"`, `data-passkey="create"`, `<form id="add-sms"`, `passkey.js`} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("security page lacks %s:\n%s", want, page.Body)
		}
	}
	status, opts := options(t, b, e.path("/security/passkey/options"))
	if status != 200 {
		t.Fatalf("options: %d %s", status, opts)
	}
	a := softauthn.New(e.URL)
	r := post(t, b, e.path("/security/passkey"), url.Values{"credential": {string(a.Create(t, opts))}})
	if r.Status != 200 || len(recoveryRe.FindAllString(r.Body, -1)) != 10 || !strings.Contains(r.Body, "Passkey") {
		t.Fatalf("add passkey: %d %s\n%s", r.Status, guestclient.Alert(r.Body), r.Body)
	}
	// The session predates the passkey: further changes need a step-up.
	if status, body := options(t, b, e.path("/security/passkey/options")); status != 403 || !strings.Contains(string(body), "reauth_required") {
		t.Fatalf("stale options: %d %s", status, body)
	}
	if r := post(t, b, e.path("/security/sms"), url.Values{"phone": {"+4915123456789"}}); r.Status != 403 || !strings.Contains(r.Body, `<form id="reauth"`) {
		t.Fatalf("stale add sms: %d %s", r.Status, guestclient.Alert(r.Body))
	}

	// form#reauth: a new email code, then the passkey, back here; now a
	// phone can be added.
	before := len(e.SMTP.Messages())
	if r := post(t, b, e.path("/security/reauth"), nil); r.Status != 303 {
		t.Fatalf("reauth: %d %s", r.Status, guestclient.Alert(r.Body))
	}
	var code string
	seen := 0
	e.SMTP.WaitFor(t, func(m smtptest.Message) bool {
		if seen++; seen > before {
			code = guestclient.CodeIn(m.Text())
		}
		return code != ""
	})
	if r := post(t, b, e.path("/verify"), url.Values{"code": {code}}); guestclient.Expect(r, 303, e.path("/mfa")) != nil {
		t.Fatalf("step-up: %d %q", r.Status, r.Location)
	}
	_, opts = options(t, b, e.path("/mfa/passkey/options"))
	if r := post(t, b, e.path("/mfa/passkey"), url.Values{"credential": {string(a.Get(t, opts))}}); r.Status != 303 || !strings.HasSuffix(r.Location, "/security") {
		t.Fatalf("step-up with the passkey: %d %q %s", r.Status, r.Location, guestclient.Alert(r.Body))
	}
	r = post(t, b, e.path("/security/sms"), url.Values{"phone": {"+49 151 23456789"}})
	if r.Status != 200 || !strings.Contains(r.Body, `<form id="sms-code" method="post" action="/t/`+e.tenant.ID+`/security/sms/confirm"`) {
		t.Fatalf("add sms: %d %s", r.Status, guestclient.Alert(r.Body))
	}
	if r := post(t, b, e.path("/security/sms/confirm"), url.Values{"code": {"00000000"}}); r.Status != 400 || !strings.Contains(r.Body, `<form id="sms-code"`) {
		t.Fatalf("wrong code: %d %s", r.Status, guestclient.Alert(r.Body))
	}
	r = post(t, b, e.path("/security/sms/confirm"), url.Values{"code": {e.texts.nthCode(t, 1)}})
	if err := guestclient.Expect(r, 303, e.path("/security?done=added")); err != nil {
		t.Fatal(err)
	}
	if page := get(t, b, e.path("/security")); !strings.Contains(page.Body, "Text message to &#43;49•••••••••89") {
		t.Fatalf("methods:\n%s", page.Body)
	}
}
