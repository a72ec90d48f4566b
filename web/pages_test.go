package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/servertest"
	"github.com/guestpass/guestpass/mail"
	"github.com/guestpass/guestpass/mail/smtptest"
	"github.com/guestpass/guestpass/sqlite"
)

// pageEnv is the real service on SQLite behind the real handler, mailing
// through an in-test SMTP server.
type pageEnv struct {
	svc    *guestpass.Service
	store  *sqlite.Store
	srv    *httptest.Server
	smtp   *smtptest.Server
	tenant *guestpass.Tenant
	op     *guestpass.AdminToken
}

func newPageEnv(t *testing.T) *pageEnv {
	t.Helper()
	smtp := smtptest.Start(t)
	mailer, err := mail.NewSMTP(smtp.URL(), "GuestPass <no-reply@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	env := servertest.New(t, servertest.Options{RealClock: true, Mailer: mailer,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	e := &pageEnv{svc: env.Svc, store: env.Store, srv: env.Server, smtp: smtp, op: env.Op}
	e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso", VerifiedDomains: []string{"contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *pageEnv) invite(t *testing.T, addr string, send bool) *guestpass.InviteResult {
	t.Helper()
	res, err := e.svc.InviteLocal(t.Context(), e.tenant.ID, guestpass.InviteRequest{Email: addr, SendMessage: send})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (e *pageEnv) browser() *guestclient.Client { return guestclient.New(e.srv.URL, e.srv.Client()) }

func (e *pageEnv) path(p string) string { return "/t/" + e.tenant.ID + p }

// auditCount counts the tenant's sign-in and admin events: what a request
// writes. Mail events are left out, because the queue records a delivery
// after the message reached the SMTP server, so one can land while a test
// that has already seen the message counts.
func (e *pageEnv) auditCount(t *testing.T) int {
	t.Helper()
	n := 0
	for _, typ := range []guestpass.AuditType{guestpass.AuditSignIn, guestpass.AuditAdmin} {
		logs, _, err := e.svc.ListAudit(t.Context(), e.op, e.tenant.ID, typ, guestpass.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n += len(logs)
	}
	return n
}

func get(t *testing.T, c *guestclient.Client, path string) *guestclient.Response {
	t.Helper()
	r, err := c.Get(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func post(t *testing.T, c *guestclient.Client, path string, form url.Values) *guestclient.Response {
	t.Helper()
	r, err := c.PostForm(path, form)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGetChangesNothing: mail scanners open every link; opening the
// invitation, sign-in, code and consent pages sends, redeems and consumes
// nothing.
func TestGetChangesNothing(t *testing.T) {
	e := newPageEnv(t)
	inv := e.invite(t, "jo@fabrikam.com", false)
	before := e.auditCount(t)
	scanner := e.browser()
	for range 3 {
		for _, p := range []string{inv.RedeemURL, e.path("/signin?email=jo@fabrikam.com"), e.path("/verify"), e.path("/consent"), e.path("/apps")} {
			get(t, scanner, p)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if e.smtp.Count() != 0 || e.auditCount(t) != before || scanner.CookieWithPrefix("__Host-") != nil {
		t.Fatalf("GETs changed state: %d mails, audit %d -> %d, cookie %v", e.smtp.Count(), before, e.auditCount(t), scanner.CookieWithPrefix("__Host-"))
	}
	g, err := e.svc.GetGuest(t.Context(), e.op, e.tenant.ID, inv.Guest.ID)
	if err != nil || g.State != guestpass.GuestPendingAcceptance {
		t.Fatalf("guest after GETs: %+v, %v", g, err)
	}
}

func TestPageHooks(t *testing.T) {
	e := newPageEnv(t)
	inv := e.invite(t, "jo@fabrikam.com", false)
	b := e.browser()
	signin := get(t, b, e.path("/signin"))
	for _, want := range []string{`<form id="send-code"`, `name="email"`, `<label for="email">`, `<html lang="en">`} {
		if !strings.Contains(signin.Body, want) {
			t.Errorf("sign-in page lacks %s", want)
		}
	}
	redeem := get(t, b, inv.RedeemURL)
	if !strings.Contains(redeem.Body, `<form id="send-code"`) || strings.Contains(redeem.Body, `name="email"`) {
		t.Errorf("redeem page must have form#send-code without an email input")
	}
	if r := post(t, b, e.path("/send-code"), url.Values{"ticket": {mustTicket(t, inv.RedeemURL)}}); r.Status != 303 {
		t.Fatalf("send: %d", r.Status)
	}
	verify := get(t, b, e.path("/verify"))
	for _, want := range []string{`<form id="verify-code"`, `name="code"`, `<label for="code">`, `autocomplete="one-time-code"`} {
		if !strings.Contains(verify.Body, want) {
			t.Errorf("code page lacks %s", want)
		}
	}
	bad := post(t, b, e.path("/verify"), url.Values{"code": {"abc"}})
	if bad.Status != 400 || guestclient.Alert(bad.Body) == "" {
		t.Errorf("malformed code: %d, alert %q", bad.Status, guestclient.Alert(bad.Body))
	}
}

func mustTicket(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("ticket")
}

func TestLocalizedPages(t *testing.T) {
	e := newPageEnv(t)
	b := e.browser()
	b.Header.Set("Accept-Language", "de-CH, de;q=0.9, en;q=0.5")
	r := get(t, b, e.path("/signin"))
	if !strings.Contains(r.Body, `lang="de"`) || !strings.Contains(r.Body, "Code senden") {
		t.Fatalf("German page expected:\n%s", r.Body)
	}
	bad := post(t, b, e.path("/send-code"), url.Values{"email": {"not-an-address"}})
	if bad.Status != 400 || guestclient.Alert(bad.Body) != "Bitte geben Sie eine gültige E-Mail-Adresse ein." {
		t.Fatalf("German error expected: %d %q", bad.Status, guestclient.Alert(bad.Body))
	}
	b.Header.Set("Accept-Language", "fr")
	if r := get(t, b, e.path("/signin")); !strings.Contains(r.Body, "Send code") {
		t.Fatalf("English fallback expected")
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := newPageEnv(t)
	e.invite(t, "jo@fabrikam.com", false)
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		b := e.browser()
		for k, v := range h {
			b.Header.Set(k, v)
		}
		r := post(t, b, e.path("/send-code"), url.Values{"email": {"jo@fabrikam.com"}})
		if r.Status != http.StatusForbidden || b.CookieWithPrefix("__Host-") != nil {
			t.Errorf("cross-origin POST with %v: %d", h, r.Status)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if e.smtp.Count() != 0 {
		t.Fatalf("cross-origin POST sent mail")
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newPageEnv(t)
	r := get(t, e.browser(), e.path("/signin"))
	for k, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if !strings.Contains(r.Header.Get(k), want) {
			t.Errorf("%s = %q, want %q", k, r.Header.Get(k), want)
		}
	}
}

func TestEmailOTPDisabledPage(t *testing.T) {
	e := newPageEnv(t)
	e.invite(t, "jo@fabrikam.com", false)
	off := guestpass.EmailOTPDisabled
	if _, err := e.svc.UpdateTenant(t.Context(), e.op, e.tenant.ID, &guestpass.TenantPatch{EmailOTP: &off}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	r := get(t, b, e.path("/signin"))
	if r.Status != 403 || !strings.Contains(guestclient.Alert(r.Body), "does not allow sign-in with an email code") || strings.Contains(r.Body, `id="send-code"`) {
		t.Fatalf("disabled sign-in page: %d\n%s", r.Status, r.Body)
	}
	r = post(t, b, e.path("/send-code"), url.Values{"email": {"jo@fabrikam.com"}})
	if r.Status != 403 || guestclient.Alert(r.Body) == "" {
		t.Fatalf("send with email OTP disabled: %d", r.Status)
	}
	time.Sleep(300 * time.Millisecond)
	if e.smtp.Count() != 0 {
		t.Fatal("mail sent although email OTP is disabled")
	}
}

// TestSendCodeIndistinguishable: invited and unknown addresses get the same
// status, redirect, cookies and code page, and (measured over many
// interleaved samples, compared by median) the same time.
func TestSendCodeIndistinguishable(t *testing.T) {
	e := newPageEnv(t)
	const n = 60
	for i := range n {
		e.invite(t, fmt.Sprintf("guest%d@fabrikam.com", i), false)
	}
	var known, unknown []time.Duration
	shape := func(addr string, ip int) (string, time.Duration) {
		b := e.browser()
		b.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", ip%250))
		start := time.Now()
		r := post(t, b, e.path("/send-code"), url.Values{"email": {addr}})
		d := time.Since(start)
		page := get(t, b, e.path("/verify"))
		ck := b.CookieWithPrefix("__Host-gp-flow-")
		body := strings.ReplaceAll(page.Body, addr[:1]+"•••", "X•••")
		return fmt.Sprintf("%d %s %v %d %s", r.Status, r.Location, ck != nil, page.Status, body), d
	}
	var want string
	for i := range n {
		k, dk := shape(fmt.Sprintf("guest%d@fabrikam.com", i), 2*i)
		u, du := shape(fmt.Sprintf("nobody%d@fabrikam.com", i), 2*i+1)
		if want == "" {
			want = k
		}
		if k != want || u != want {
			t.Fatalf("responses differ:\ninvited: %.400s\nunknown: %.400s", k, u)
		}
		known, unknown = append(known, dk), append(unknown, du)
	}
	mk, mu := median(known), median(unknown)
	t.Logf("send-code median: invited %v, unknown %v (n=%d each)", mk, mu, n)
	// Loose on purpose: it catches a missing decoy (an invited send doing
	// a mail insert the unknown one skips would show as a steady gap), not
	// scheduler noise.
	if diff := (mk - mu).Abs(); diff > max(mk, mu)/2+2*time.Millisecond {
		t.Errorf("median send-code time differs by %v", diff)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
