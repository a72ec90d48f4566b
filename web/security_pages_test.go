package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/oathtool"
	"github.com/guestpass/guestpass/internal/servertest"
	"github.com/guestpass/guestpass/mail/smtptest"
)

var methodRe = regexp.MustCompile(`name="method" value="([^"]+)"`)

// secEnv is the real server on a fake clock with an in-test SMTP server:
// freshness is a matter of moving the clock.
type secEnv struct {
	*servertest.Env
	tenant *guestpass.Tenant
	b      *guestclient.Client
}

func newSecEnv(t *testing.T) *secEnv {
	t.Helper()
	env := servertest.New(t, servertest.Options{SMTP: true})
	tn, err := env.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso", VerifiedDomains: []string{"contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.InviteLocal(t.Context(), tn.ID, guestpass.InviteRequest{Email: "jo@fabrikam.com"}); err != nil {
		t.Fatal(err)
	}
	e := &secEnv{Env: env, tenant: tn, b: env.Browser()}
	if loc := env.SignIn(t, e.b, tn.ID, "jo@fabrikam.com", ""); !strings.HasSuffix(loc, "/apps") {
		t.Fatalf("signed in to %q", loc)
	}
	return e
}

func (e *secEnv) path(p string) string { return "/t/" + e.tenant.ID + "/security" + p }

// addTOTP adds an authenticator app through the page; it returns the secret
// and the page that confirmed it.
func (e *secEnv) addTOTP(t *testing.T) (string, *guestclient.Response) {
	t.Helper()
	r := post(t, e.b, e.path("/totp"), nil)
	m := secretRe.FindStringSubmatch(r.Body)
	if r.Status != 200 || m == nil || !strings.Contains(r.Body, `<form id="add-totp"`) || !strings.Contains(r.Body, `id="totp-qr"`) {
		t.Fatalf("add totp: %d %s\n%s", r.Status, guestclient.Alert(r.Body), r.Body)
	}
	return m[1], post(t, e.b, e.path("/totp/confirm"), url.Values{"code": {oathtool.TOTP(t, m[1], e.Clock.Now())}})
}

// notices waits for the nth security notice to the guest.
func (e *secEnv) notice(t *testing.T, nth int) smtptest.Message {
	t.Helper()
	seen := 0
	return e.SMTP.WaitFor(t, func(m smtptest.Message) bool {
		if strings.Contains(m.Header("Subject"), "sign-in methods") {
			seen++
		}
		return seen == nth
	})
}

// reauth goes through form#reauth: a new email code and, for a guest with
// a method, the TOTP of secret; it ends back on the security page.
func (e *secEnv) reauth(t *testing.T, secret string) {
	t.Helper()
	before := len(e.SMTP.Messages())
	r := post(t, e.b, e.path("/reauth"), nil)
	if err := guestclient.Expect(r, 303, "/t/"+e.tenant.ID+"/verify"); err != nil {
		t.Fatal(err)
	}
	var code string
	seen := 0
	e.SMTP.WaitFor(t, func(m smtptest.Message) bool {
		if seen++; seen > before {
			code = guestclient.CodeIn(m.Text())
		}
		return code != ""
	})
	r = post(t, e.b, "/t/"+e.tenant.ID+"/verify", url.Values{"code": {code}})
	if secret != "" {
		if err := guestclient.Expect(r, 303, "/t/"+e.tenant.ID+"/mfa"); err != nil {
			t.Fatalf("step-up did not ask for the second factor: %v", err)
		}
		e.Clock.Advance(30 * time.Second) // a step not used yet
		r = post(t, e.b, "/t/"+e.tenant.ID+"/mfa", url.Values{"code": {oathtool.TOTP(t, secret, e.Clock.Now())}})
	}
	if r.Status != 303 || !strings.HasSuffix(r.Location, "/t/"+e.tenant.ID+"/security") {
		t.Fatalf("re-authentication ended with %d %q %s", r.Status, r.Location, guestclient.Alert(r.Body))
	}
}

func (e *secEnv) audited(t *testing.T, action string) int {
	t.Helper()
	logs, _, err := e.Svc.ListAudit(t.Context(), e.Op, e.tenant.ID, "", guestpass.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range logs {
		if l.Action == action && l.Actor == "guest" {
			n++
		}
	}
	return n
}

func TestSecurityPages(t *testing.T) {
	e := newSecEnv(t)
	page := get(t, e.b, e.path(""))
	if page.Status != 200 || !strings.Contains(page.Body, `<form id="add-method"`) || strings.Contains(page.Body, `id="regenerate"`) {
		t.Fatalf("security page: %d\n%s", page.Status, page.Body)
	}
	if apps := get(t, e.b, "/t/"+e.tenant.ID+"/apps"); !strings.Contains(apps.Body, `href="/t/`+e.tenant.ID+`/security"`) {
		t.Fatal("the apps page does not link the security page")
	}

	// A wrong first code keeps the same pending secret and is refused.
	r := post(t, e.b, e.path("/totp"), nil)
	secret := secretRe.FindStringSubmatch(r.Body)[1]
	bad := post(t, e.b, e.path("/totp/confirm"), url.Values{"code": {"000000"}})
	if oathtool.TOTP(t, secret, e.Clock.Now()) != "000000" && (bad.Status != 400 || guestclient.Alert(bad.Body) == "" || !strings.Contains(bad.Body, secret)) {
		t.Fatalf("wrong code: %d %q", bad.Status, guestclient.Alert(bad.Body))
	}
	if bad := post(t, e.b, e.path("/totp/confirm"), url.Values{"code": {"12x"}}); bad.Status != 400 || guestclient.Alert(bad.Body) == "" {
		t.Fatalf("malformed code: %d", bad.Status)
	}
	again, done := e.addTOTP(t)
	codes := recoveryRe.FindAllStringSubmatch(done.Body, -1)
	if again != secret || done.Status != 200 || len(codes) != 10 || !strings.Contains(done.Body, `id="recovery-codes"`) {
		t.Fatalf("first method: same secret %v, %d, %d codes\n%s", again == secret, done.Status, len(codes), done.Body)
	}
	if n := e.notice(t, 1); !strings.Contains(n.Text(), "second factor (an authenticator app, a passkey or a phone number) was added") || !strings.Contains(n.Text(), e.path("")) {
		t.Fatalf("notice:\n%s", n.Text())
	}
	if e.audited(t, "guest.methodAdded") != 1 {
		t.Fatal("the change is not audited")
	}

	// The session proved no second factor: with a method now, changes
	// need a step-up first.
	page = get(t, e.b, e.path(""))
	if !strings.Contains(page.Body, `<form id="reauth"`) || strings.Contains(page.Body, `id="add-method"`) {
		t.Fatalf("stale page:\n%s", page.Body)
	}
	if r := post(t, e.b, e.path("/totp"), nil); r.Status != 403 || !strings.Contains(guestclient.Alert(r.Body), "sign in again") {
		t.Fatalf("add without step-up: %d %q", r.Status, guestclient.Alert(r.Body))
	}
	e.reauth(t, secret)

	// A second app: no new recovery codes, straight back with a notice.
	_, done = e.addTOTP(t)
	if err := guestclient.Expect(done, 303, e.path("?done=added")); err != nil {
		t.Fatal(err)
	}
	page = get(t, e.b, e.path("?done=added"))
	ids := methodRe.FindAllStringSubmatch(page.Body, -1)
	if len(ids) != 2 || !strings.Contains(page.Body, `role="status"`) || !strings.Contains(page.Body, "Recovery codes left: 10.") {
		t.Fatalf("two methods expected:\n%s", page.Body)
	}
	e.notice(t, 2)

	t.Run("RemoveUnknownMethod", func(t *testing.T) {
		if r := post(t, e.b, e.path("/remove"), url.Values{"method": {"nope"}}); r.Status != 404 || guestclient.Alert(r.Body) == "" {
			t.Fatalf("%d %q", r.Status, guestclient.Alert(r.Body))
		}
	})
	if r := post(t, e.b, e.path("/remove"), url.Values{"method": {ids[0][1]}}); guestclient.Expect(r, 303, e.path("?done=removed")) != nil {
		t.Fatalf("remove: %d %s", r.Status, guestclient.Alert(r.Body))
	}
	e.notice(t, 3)
	t.Run("LastMethodStays", func(t *testing.T) {
		if r := post(t, e.b, e.path("/remove"), url.Values{"method": {ids[1][1]}}); r.Status != 409 || guestclient.Alert(r.Body) == "" {
			t.Fatalf("%d %q", r.Status, guestclient.Alert(r.Body))
		}
		if strings.Contains(get(t, e.b, e.path("")).Body, `name="method"`) {
			t.Fatal("the only method offers Remove")
		}
	})
	r = post(t, e.b, e.path("/recovery-codes"), nil)
	fresh := recoveryRe.FindAllStringSubmatch(r.Body, -1)
	if r.Status != 200 || len(fresh) != 10 || fresh[0][1] == codes[0][1] {
		t.Fatalf("regenerate: %d %d codes", r.Status, len(fresh))
	}
	if n := e.notice(t, 4); !strings.Contains(n.Text(), "recovery codes") {
		t.Fatalf("notice:\n%s", n.Text())
	}
	if e.audited(t, "guest.methodRemoved") != 1 || e.audited(t, "guest.recoveryCodesRegenerated") != 1 {
		t.Fatal("changes not audited")
	}

	t.Run("StaleAfterTenMinutes", func(t *testing.T) {
		e.Clock.Advance(guestpass.FreshAuthWindow)
		before := e.audited(t, "guest.recoveryCodesRegenerated")
		for _, p := range []string{"/totp", "/totp/confirm", "/remove", "/recovery-codes"} {
			if r := post(t, e.b, e.path(p), url.Values{"method": {ids[1][1]}, "code": {"123456"}}); r.Status != 403 || guestclient.Alert(r.Body) == "" {
				t.Errorf("%s when stale: %d %q", p, r.Status, guestclient.Alert(r.Body))
			}
		}
		if e.audited(t, "guest.recoveryCodesRegenerated") != before {
			t.Fatal("a stale session changed something")
		}
	})
}

func TestSecurityPagesWithoutSession(t *testing.T) {
	e := newSecEnv(t)
	b := e.Browser()
	back := "/t/" + e.tenant.ID + "/signin?return_to=" + url.QueryEscape(e.path(""))
	for _, r := range []*guestclient.Response{get(t, b, e.path("")), post(t, b, e.path("/totp"), nil),
		post(t, b, e.path("/reauth"), nil), post(t, b, e.path("/recovery-codes"), nil)} {
		if r.Status != 303 || r.Location != back {
			t.Errorf("without a session: %d %q", r.Status, r.Location)
		}
	}
	// Signing in from there comes back to the page.
	if loc := e.SignIn(t, b, e.tenant.ID, "jo@fabrikam.com", e.path("")); !strings.HasSuffix(loc, e.path("")) {
		t.Fatalf("sign-in returned to %q", loc)
	}
}

func TestSecurityPagesNoPendingAndCrossOrigin(t *testing.T) {
	e := newSecEnv(t)
	if r := post(t, e.b, e.path("/totp/confirm"), url.Values{"code": {"123456"}}); r.Status != 400 || guestclient.Alert(r.Body) == "" {
		t.Fatalf("confirm with nothing pending: %d %q", r.Status, guestclient.Alert(r.Body))
	}
	if r := post(t, e.b, e.path("/recovery-codes"), nil); r.Status != 409 {
		t.Fatalf("recovery codes without a method: %d", r.Status)
	}
	e.b.Header.Set("Sec-Fetch-Site", "cross-site")
	for _, p := range []string{"/totp", "/remove", "/recovery-codes", "/reauth"} {
		if r := post(t, e.b, e.path(p), nil); r.Status != 403 || strings.Contains(r.Body, "totp-secret") {
			t.Errorf("cross-site POST %s: %d", p, r.Status)
		}
	}
}

func TestSecurityPageStaleReauthWithoutMethod(t *testing.T) {
	e := newSecEnv(t)
	e.Clock.Advance(guestpass.FreshAuthWindow + time.Second)
	if r := get(t, e.b, e.path("")); !strings.Contains(r.Body, `<form id="reauth"`) {
		t.Fatalf("stale page without reauth form:\n%s", r.Body)
	}
	e.reauth(t, "")
	if r := get(t, e.b, e.path("")); !strings.Contains(r.Body, `<form id="add-method"`) {
		t.Fatalf("fresh after reauth expected:\n%s", r.Body)
	}
}

func TestSecurityPageGerman(t *testing.T) {
	e := newSecEnv(t)
	e.b.Header.Set("Accept-Language", "de-DE")
	r := get(t, e.b, e.path(""))
	if !strings.Contains(r.Body, "Anmeldesicherheit") || !strings.Contains(r.Body, "Authenticator-App hinzufügen") || strings.Contains(r.Body, "security.") {
		t.Fatalf("German security page:\n%s", r.Body)
	}
}

// TestSecurityPageWrongCodesLock: wrong first codes of a new app are
// charged to the guest's failure budget; when it runs out the page says so
// and the guest is locked like after wrong email codes.
func TestSecurityPageWrongCodesLock(t *testing.T) {
	e := newSecEnv(t)
	r := post(t, e.b, e.path("/totp"), nil)
	secret := secretRe.FindStringSubmatch(r.Body)[1]
	wrong := "000000"
	if oathtool.TOTP(t, secret, e.Clock.Now()) == wrong || oathtool.TOTP(t, secret, e.Clock.Now().Add(30*time.Second)) == wrong ||
		oathtool.TOTP(t, secret, e.Clock.Now().Add(-30*time.Second)) == wrong {
		wrong = "111111"
	}
	for i := 1; ; i++ {
		r = post(t, e.b, e.path("/totp/confirm"), url.Values{"code": {wrong}})
		if r.Status != 400 {
			break
		}
		if i > 20 {
			t.Fatal("more than 20 wrong codes accepted as mere mistakes")
		}
	}
	if r.Status != 429 || !strings.Contains(guestclient.Alert(r.Body), "UTC") {
		t.Fatalf("after the budget: %d %q", r.Status, guestclient.Alert(r.Body))
	}
	// The right code no longer helps.
	if r := post(t, e.b, e.path("/totp/confirm"), url.Values{"code": {oathtool.TOTP(t, secret, e.Clock.Now())}}); r.Status != 429 {
		t.Fatalf("right code while locked: %d", r.Status)
	}
}
