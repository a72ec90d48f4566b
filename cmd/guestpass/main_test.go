package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/mail/smtptest"
)

// testServer is a real GuestPass on 127.0.0.1:0 with SQLite in a temp dir,
// a fake clock and an in-test SMTP server.
type testServer struct {
	*Main
	URL   string
	SMTP  *smtptest.Server
	Clock *guestpass.FakeClock
	Token string // operator token
	out   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustStart(tb testing.TB, configure func(testing.TB, *Main)) *testServer {
	tb.Helper()
	smtp := smtptest.Start(tb)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ts := &testServer{Main: NewMain(), SMTP: smtp, Clock: guestpass.NewFakeClock(time.Now()), out: &syncBuffer{}}
	ts.URL = "http://" + ln.Addr().String()
	ts.Config.BaseURL = ts.URL
	ts.Config.Database = "sqlite:" + filepath.Join(tb.TempDir(), "guestpass.db")
	ts.Config.SMTPURL = smtp.URL()
	ts.Config.LogLevel = "debug" // everything a log could leak is in the log
	ts.Listener = ln
	ts.Main.Clock = ts.Clock
	ts.Stdout, ts.Stderr = ts.out, ts.out
	if configure != nil {
		configure(tb, ts.Main)
	}
	if err := ts.Run(tb.Context()); err != nil {
		tb.Fatalf("run: %v\n%s", err, ts.out)
	}
	tb.Cleanup(func() {
		if err := ts.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
		if strings.Contains(ts.out.String(), "level=ERROR") {
			tb.Logf("server log:\n%s", ts.out)
		}
	})
	token, _, err := ts.Service.CreateAdminToken(tb.Context(), nil, "", "test")
	if err != nil {
		tb.Fatal(err)
	}
	ts.Token = token
	return ts
}

// api calls the admin API and decodes the JSON answer into out (if not nil).
func (ts *testServer) api(tb testing.TB, method, path string, body any, out any) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+ts.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

func (ts *testServer) mustTenant(tb testing.TB, settings map[string]any) string {
	tb.Helper()
	body := map[string]any{"displayName": "Contoso", "verifiedDomains": []string{"contoso.com"}}
	for k, v := range settings {
		body[k] = v
	}
	var out struct{ ID string }
	if st := ts.api(tb, "POST", "/api/v1/tenants", body, &out); st != http.StatusCreated {
		tb.Fatalf("create tenant: %d", st)
	}
	return out.ID
}

type invitation struct {
	ID              string
	InviteRedeemURL string
	Status          string
	DeliveryState   string
	DeliveryError   string
	InvitedUser     struct{ ID string }
}

func (ts *testServer) mustInvite(tb testing.TB, tid, email string) invitation {
	tb.Helper()
	var inv invitation
	st := ts.api(tb, "POST", "/api/v1/tenants/"+tid+"/invitations", map[string]any{"invitedUserEmailAddress": email}, &inv)
	if st != http.StatusCreated {
		tb.Fatalf("invite %s: %d", email, st)
	}
	return inv
}

// mustCode waits for the n-th code email to addr and returns its code.
func (ts *testServer) mustCode(tb testing.TB, addr string, n int) string {
	tb.Helper()
	seen := 0
	m := ts.SMTP.WaitFor(tb, func(m smtptest.Message) bool {
		if !isTo(m, addr) || guestclient.CodeIn(m.Text()) == "" {
			return false
		}
		seen++
		return seen >= n
	})
	return guestclient.CodeIn(m.Text())
}

func isTo(m smtptest.Message, addr string) bool {
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}

// mustFn returns a checker for (response, error) pairs: Go passes a
// two-valued call only as the sole argument.
func mustFn(tb testing.TB) func(*guestclient.Response, error) *guestclient.Response {
	return func(r *guestclient.Response, err error) *guestclient.Response {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return r
	}
}

func expect(tb testing.TB, r *guestclient.Response, status int, location string) {
	tb.Helper()
	if err := guestclient.Expect(r, status, location); err != nil {
		tb.Fatal(err)
	}
}

// TestInviteRedeemSignIn drives the whole core flow through the real server:
// API invitation, email over SMTP, redemption page, code, consent, session,
// expiry after 24 h, a new code, revocation.
func TestInviteRedeemSignIn(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testInviteRedeemSignIn(t, nil) })
	t.Run("PostgreSQL", func(t *testing.T) { testInviteRedeemSignIn(t, usePostgres) })
}

func testInviteRedeemSignIn(t *testing.T, configure func(testing.TB, *Main)) {
	ts := mustStart(t, configure)
	must := mustFn(t)
	tid := ts.mustTenant(t, nil)
	inv := ts.mustInvite(t, tid, "Jo.Partner@Fabrikam.example")
	if inv.Status != "PendingAcceptance" || inv.DeliveryState != "queued" {
		t.Fatalf("invitation = %+v", inv)
	}
	invMail := ts.SMTP.WaitForTo(t, "jo.partner@fabrikam.example")
	if !strings.Contains(invMail.Text(), inv.InviteRedeemURL) {
		t.Fatalf("invitation email lacks the link %s:\n%s", inv.InviteRedeemURL, invMail.Text())
	}
	browser := guestclient.New(ts.URL, nil)
	page := must(browser.Get(inv.InviteRedeemURL))
	expect(t, page, 200, "")
	for _, want := range []string{`id="send-code"`, "j•••@fabrikam.example", "Contoso"} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("redeem page lacks %q:\n%s", want, page.Body)
		}
	}
	ticket := mustQuery(t, inv.InviteRedeemURL, "ticket")
	expect(t, must(browser.PostForm("/t/"+tid+"/send-code", url.Values{"ticket": {ticket}})), 303, "/t/"+tid+"/verify")
	flow := browser.CookieWithPrefix("__Host-gp-flow-")
	if flow == nil || !flow.Secure || !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode || flow.Path != "/" {
		t.Fatalf("flow cookie = %+v", flow)
	}
	expect(t, must(browser.Get("/t/"+tid+"/verify")), 200, "")
	code := ts.mustCode(t, "jo.partner@fabrikam.example", 1)

	wrong := must(browser.PostForm("/t/"+tid+"/verify", url.Values{"code": {otherCode(code)}}))
	expect(t, wrong, 400, "")
	if guestclient.Alert(wrong.Body) == "" {
		t.Fatalf("wrong code page has no alert:\n%s", wrong.Body)
	}
	expect(t, must(browser.PostForm("/t/"+tid+"/verify", url.Values{"code": {code[:4] + " " + code[4:]}})), 303, "/t/"+tid+"/consent")
	consent := must(browser.Get("/t/" + tid + "/consent"))
	if !strings.Contains(consent.Body, `id="consent"`) || !strings.Contains(consent.Body, "Contoso") {
		t.Fatalf("consent page:\n%s", consent.Body)
	}
	expect(t, must(browser.PostForm("/t/"+tid+"/consent", url.Values{"accept": {"yes"}})), 303, ts.URL+"/t/"+tid+"/apps")
	sess := browser.CookieWithPrefix("__Host-gp-session-")
	if sess == nil || !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.MaxAge != 86400 {
		t.Fatalf("session cookie = %+v", sess)
	}
	apps := must(browser.Get("/t/" + tid + "/apps"))
	expect(t, apps, 200, "")
	if !strings.Contains(apps.Body, "jo.partner@fabrikam.example") {
		t.Fatalf("apps page:\n%s", apps.Body)
	}

	var guest struct{ State, RedeemedDateTime string }
	ts.api(t, "GET", "/api/v1/tenants/"+tid+"/guests/"+inv.InvitedUser.ID, nil, &guest)
	if guest.State != "accepted" || guest.RedeemedDateTime == "" {
		t.Fatalf("guest after redemption = %+v", guest)
	}

	t.Run("SessionEndsAfter24h", func(t *testing.T) {
		must := mustFn(t)
		ts.Clock.Advance(24*time.Hour - time.Minute)
		expect(t, must(browser.Get("/t/"+tid+"/apps")), 200, "")
		ts.Clock.Advance(time.Minute)
		expect(t, must(browser.Get("/t/"+tid+"/apps")), 303, "/t/"+tid+"/signin")
	})
	t.Run("SignInAgainWithNewCode", func(t *testing.T) {
		must := mustFn(t)
		r := must(browser.PostForm("/t/"+tid+"/send-code", url.Values{"email": {"JO.PARTNER@fabrikam.example"}}))
		expect(t, r, 303, "/t/"+tid+"/verify")
		code2 := ts.mustCode(t, "jo.partner@fabrikam.example", 2)
		if code2 == code {
			t.Fatalf("same code twice")
		}
		expect(t, must(browser.PostForm("/t/"+tid+"/verify", url.Values{"code": {code2}})), 303, ts.URL+"/t/"+tid+"/apps")
		expect(t, must(browser.Get("/t/"+tid+"/apps")), 200, "")
	})
	t.Run("RevokeSignInSessions", func(t *testing.T) {
		must := mustFn(t)
		st := ts.api(t, "POST", "/api/v1/tenants/"+tid+"/guests/"+inv.InvitedUser.ID+"/revokeSignInSessions", nil, nil)
		if st != 200 {
			t.Fatalf("revoke: %d", st)
		}
		expect(t, must(browser.Get("/t/"+tid+"/apps")), 303, "/t/"+tid+"/signin")
	})
	t.Run("AuditLog", func(t *testing.T) {
		var logs struct {
			Value []struct{ Action, Outcome, Reason, IP string }
		}
		ts.api(t, "GET", "/api/v1/tenants/"+tid+"/auditLogs?type=signIn", nil, &logs)
		actions := map[string]int{}
		for _, e := range logs.Value {
			actions[e.Action+"/"+e.Outcome]++
			if e.IP != "127.0.0.1" {
				t.Errorf("event %+v without client IP", e)
			}
		}
		for _, want := range []string{"code.send/success", "code.verify/failure", "signIn/success", "invitation.redeem/success"} {
			if actions[want] == 0 {
				t.Errorf("audit log lacks %s: %v", want, actions)
			}
		}
	})
	t.Run("LogsHoldNoSecrets", func(t *testing.T) {
		log := ts.out.String()
		for name, secret := range map[string]string{"code": code, "ticket": ticket, "session token": sess.Value, "flow token": flow.Value, "operator token": ts.Token} {
			if strings.Contains(log, secret) {
				t.Errorf("server log contains the %s", name)
			}
		}
	})
	t.Run("DeliveryStateSent", func(t *testing.T) {
		var got invitation
		ts.api(t, "GET", "/api/v1/tenants/"+tid+"/invitations/"+inv.ID, nil, &got)
		if got.DeliveryState != "sent" {
			t.Fatalf("delivery state = %q", got.DeliveryState)
		}
	})
}

func mustQuery(tb testing.TB, raw, key string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Query().Get(key)
}

// otherCode returns a different valid-looking code.
func otherCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
