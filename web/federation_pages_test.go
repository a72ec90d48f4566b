package web_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/servertest"
	"github.com/guestpass/guestpass/internal/testop"
)

// fedPages is the real server whose tenant Contoso federates fabrikam.com
// to a real upstream provider (zitadel's example OP).
type fedPages struct {
	*servertest.Env
	tenant *guestpass.Tenant
	op     *testop.OP
	api    *apiEnv
	// idpPath is the provider's admin API resource.
	idpPath string
}

const fedPassword = "correct horse"

// newFedPages runs on the wall clock's date: the upstream signs its ID
// tokens with real time.
func newFedPages(t *testing.T) *fedPages {
	t.Helper()
	env := servertest.New(t, servertest.Options{SMTP: true, Epoch: time.Now()})
	f := &fedPages{Env: env, api: &apiEnv{svc: env.Svc, url: env.URL, clock: env.Clock, op: env.OpToken}}
	var err error
	if f.tenant, err = env.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso", VerifiedDomains: []string{"contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	f.op = testop.Start(t, env.Svc.FederationRedirectURI(f.tenant.ID),
		testop.User{Username: "ann", Password: fedPassword, Email: "ann@fabrikam.com", EmailVerified: true},
		testop.User{Username: "bob", Password: fedPassword, Email: "bob@fabrikam.com", EmailVerified: true},
		testop.User{Username: "kim", Password: fedPassword, Email: "kim@partner.example", EmailVerified: true})
	var idp struct{ ID string }
	f.api.must(t, "POST", "/api/v1/tenants/"+f.tenant.ID+"/identityProviders", map[string]any{
		"displayName": "Fabrikam", "type": "oidc", "issuer": f.op.Issuer, "clientId": f.op.ClientID,
		"clientSecret": f.op.ClientSecret, "domains": []string{"fabrikam.com"}}, 201, &idp)
	f.idpPath = "/api/v1/tenants/" + f.tenant.ID + "/identityProviders/" + idp.ID
	return f
}

func (f *fedPages) path(p string) string { return "/t/" + f.tenant.ID + p }

func (f *fedPages) invite(t *testing.T, addr string) *guestpass.InviteResult {
	t.Helper()
	res, err := f.Svc.InviteLocal(t.Context(), f.tenant.ID, guestpass.InviteRequest{Email: addr})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// redeemPath is the invitation link's path and query on this server.
func redeemPath(t *testing.T, inv *guestpass.InviteResult) string {
	t.Helper()
	u, err := url.Parse(inv.RedeemURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// upstream presses form#idp (or form#send-code) with form, expects the
// redirect to the provider, signs in there as username and follows the
// provider's redirect back to GuestPass's callback.
func (f *fedPages) upstream(t *testing.T, b *guestclient.Client, form url.Values, username string) *guestclient.Response {
	t.Helper()
	r := post(t, b, f.path("/send-code"), form)
	if err := guestclient.Expect(r, 303, f.op.Issuer+"/auth?"); err != nil {
		t.Fatalf("send-code did not go upstream: %v", err)
	}
	back := f.op.Login(t, r.Location, username, fedPassword)
	if want := f.Svc.FederationRedirectURI(f.tenant.ID); !strings.HasPrefix(back.String(), want+"?") {
		t.Fatalf("upstream redirected to %s, want %s", back, want)
	}
	return get(t, b, back.String())
}

// signInLog is the tenant's sign-in log through the admin API, as
// "action outcome reason".
func (f *fedPages) signInLog(t *testing.T) []string {
	t.Helper()
	var out struct{ Value []auditJSONOut }
	f.api.must(t, "GET", "/api/v1/tenants/"+f.tenant.ID+"/auditLogs?type=signIn", nil, 200, &out)
	var log []string
	for _, e := range out.Value {
		log = append(log, strings.TrimSpace(e.Action+" "+e.Outcome+" "+e.Reason))
	}
	return log
}

type auditJSONOut struct{ Action, Outcome, Reason, GuestID string }

func TestFederationPages(t *testing.T) {
	f := newFedPages(t)
	t.Run("RedeemThroughProvider", func(t *testing.T) {
		inv := f.invite(t, "ann@fabrikam.com")
		b := f.Browser()
		r := get(t, b, redeemPath(t, inv))
		if r.Status != 200 || !strings.Contains(r.Body, `id="idp"`) || strings.Contains(r.Body, `id="send-code"`) || !strings.Contains(r.Body, "Continue with Fabrikam") {
			t.Fatalf("redeem page of a federated guest: %d\n%s", r.Status, r.Body)
		}
		r = f.upstream(t, b, url.Values{"ticket": {mustTicket(t, inv.RedeemURL)}}, "ann")
		if err := guestclient.Expect(r, 303, f.path("/consent")); err != nil {
			t.Fatal(err)
		}
		r = post(t, b, f.path("/consent"), url.Values{"accept": {"yes"}})
		if err := guestclient.Expect(r, 303, f.path("/apps")); err != nil {
			t.Fatal(err)
		}
		sc := b.Cookie("__Host-gp-session-" + f.tenant.ID)
		if b.Cookie("__Host-gp-flow-"+f.tenant.ID) != nil || sc == nil {
			t.Fatal("after the callback: flow cookie kept or no session cookie")
		}
		if r = get(t, b, f.path("/apps")); r.Status != 200 || !strings.Contains(r.Body, "ann@fabrikam.com") {
			t.Fatalf("apps page after a federated sign-in: %d", r.Status)
		}
		sess, g, err := f.Svc.SessionByToken(t.Context(), f.tenant.ID, sc.Value)
		if err != nil || sess.IDP != f.op.Issuer || g.RedeemedWith != f.op.Issuer {
			t.Fatalf("session idp %q, guest redeemed with %q (%v), want %s", sess.IDP, g.RedeemedWith, err, f.op.Issuer)
		}
		if log := f.signInLog(t); !slices.Contains(log, "signIn.route success domain_provider") || !slices.Contains(log, "upstream.verify success") {
			t.Fatalf("sign-in log %q", log)
		}
		if n := len(f.SMTP.Messages()); n != 0 {
			t.Fatalf("%d emails for a federated redemption", n)
		}
	})
	t.Run("SignInPageRoutesByDomain", func(t *testing.T) {
		b := f.Browser()
		r := get(t, b, f.path("/signin"))
		if r.Status != 200 || !strings.Contains(r.Body, "organization&#39;s own sign-in is connected") || !strings.Contains(r.Body, `id="send-code"`) {
			t.Fatalf("sign-in page of a federating tenant: %d\n%s", r.Status, r.Body)
		}
		// The signed-up guest goes upstream again (sticky identity) and,
		// having consented, gets a session straight from the callback, which
		// goes on to the pending return_to (an app sign-in in progress).
		r = f.upstream(t, b, url.Values{"email": {"ANN@fabrikam.com"}, "return_to": {f.path("/apps?from=app")}}, "ann")
		if err := guestclient.Expect(r, 303, f.path("/apps")); err != nil || !strings.HasSuffix(r.Location, "?from=app") {
			t.Fatalf("after the callback: %v, location %q", err, r.Location)
		}
		// Another domain gets the email code.
		f.invite(t, "kim@partner.example")
		r = post(t, f.Browser(), f.path("/send-code"), url.Values{"email": {"kim@partner.example"}})
		if err := guestclient.Expect(r, 303, f.path("/verify")); err != nil {
			t.Fatal(err)
		}
		if log := f.signInLog(t); !slices.Contains(log, "signIn.route success sticky_identity") || !slices.Contains(log, "signIn.route success no_domain_provider") {
			t.Fatalf("sign-in log %q", log)
		}
	})
	t.Run("EmailMismatchPage", func(t *testing.T) {
		inv := f.invite(t, "jo@fabrikam.com")
		b := f.Browser()
		b.Header.Set("Accept-Language", "de")
		r := f.upstream(t, b, url.Values{"ticket": {mustTicket(t, inv.RedeemURL)}}, "bob")
		if a := guestclient.Alert(r.Body); r.Status != 403 || !strings.Contains(a, "Sie haben sich als &#34;bob@fabrikam.com&#34; angemeldet") || !strings.Contains(a, "j•••@fabrikam.com") {
			t.Fatalf("mismatch page: %d %q", r.Status, a)
		}
		if g, _ := f.Store.GetGuest(t.Context(), f.tenant.ID, inv.Guest.ID); g.State != guestpass.GuestPendingAcceptance {
			t.Fatalf("guest %s after a mismatch", g.State)
		}
	})
	t.Run("ForgedCallbacks", func(t *testing.T) {
		inv := f.invite(t, "lea@fabrikam.com")
		b := f.Browser()
		r := post(t, b, f.path("/send-code"), url.Values{"ticket": {mustTicket(t, inv.RedeemURL)}})
		if err := guestclient.Expect(r, 303, f.op.Issuer); err != nil {
			t.Fatal(err)
		}
		// No flow cookie: another browser's answer.
		cb := f.path(guestpass.FederationCallbackPath)
		if r := get(t, f.Browser(), cb+"?code=x&state=y"); r.Status < 400 || guestclient.Alert(r.Body) == "" {
			t.Fatalf("callback without a flow: %d", r.Status)
		}
		r = get(t, b, cb+"?code=x&state=forged")
		if r.Status != 403 || !strings.Contains(guestclient.Alert(r.Body), "does not belong to this browser") {
			t.Fatalf("callback with a forged state: %d %q", r.Status, guestclient.Alert(r.Body))
		}
		if log := f.signInLog(t); !slices.Contains(log, "upstream.verify failure invalid_state") {
			t.Fatalf("sign-in log %q", log)
		}
	})
}

func TestFederationPagesEmailOTPDisabled(t *testing.T) {
	f := newFedPages(t)
	off := guestpass.EmailOTPDisabled
	if _, err := f.Svc.UpdateTenant(t.Context(), f.Op, f.tenant.ID, &guestpass.TenantPatch{EmailOTP: &off}); err != nil {
		t.Fatal(err)
	}
	b := f.Browser()
	r := get(t, b, f.path("/signin"))
	if r.Status != 200 || !strings.Contains(r.Body, `id="send-code"`) || !strings.Contains(r.Body, "You continue at your organization") {
		t.Fatalf("sign-in page, codes off, federating: %d\n%s", r.Status, r.Body)
	}
	t.Run("NoProviderRefusalPage", func(t *testing.T) {
		inv := f.invite(t, "kim@partner.example")
		r := get(t, b, redeemPath(t, inv))
		if a := guestclient.Alert(r.Body); r.Status != 403 || !strings.Contains(a, "does not allow sign-in with an email code") ||
			strings.Contains(r.Body, `id="send-code"`) || strings.Contains(r.Body, `id="idp"`) {
			t.Fatalf("refusal page: %d %q\n%s", r.Status, a, r.Body)
		}
		r = post(t, b, f.path("/send-code"), url.Values{"email": {"kim@partner.example"}})
		if r.Status != 403 || guestclient.Alert(r.Body) == "" {
			t.Fatalf("send-code refused: %d", r.Status)
		}
		if log := f.signInLog(t); !slices.Contains(log, "signIn.route failure email_otp_disabled") {
			t.Fatalf("sign-in log %q", log)
		}
	})
	t.Run("ProviderStillSignsIn", func(t *testing.T) {
		inv := f.invite(t, "ann@fabrikam.com")
		r := f.upstream(t, f.Browser(), url.Values{"ticket": {mustTicket(t, inv.RedeemURL)}}, "ann")
		if err := guestclient.Expect(r, 303, f.path("/consent")); err != nil {
			t.Fatal(err)
		}
	})
	if n := len(f.SMTP.Messages()); n != 0 {
		t.Fatalf("%d emails with codes off", n)
	}
}

// TestFederationPagesResetRedemption: a guest who redeemed by code keeps
// the code after its domain gets a provider (sticky identity); the admin
// API's resetRedemption sends it to the provider with the new invitation.
func TestFederationPagesResetRedemption(t *testing.T) {
	f := newFedPages(t)
	f.invite(t, "kim@partner.example")
	b := f.Browser()
	f.SignIn(t, b, f.tenant.ID, "kim@partner.example", "")
	f.api.must(t, "PATCH", f.idpPath, map[string]any{"domains": []string{"fabrikam.com", "partner.example"}}, 200, nil)
	r := post(t, f.Browser(), f.path("/send-code"), url.Values{"email": {"kim@partner.example"}})
	if err := guestclient.Expect(r, 303, f.path("/verify")); err != nil {
		t.Fatalf("a guest who redeemed by code, before any reset: %v", err)
	}
	var inv struct {
		InviteRedeemURL string
		Status          string
	}
	f.api.must(t, "POST", "/api/v1/tenants/"+f.tenant.ID+"/invitations", map[string]any{
		"invitedUserEmailAddress": "kim@partner.example", "resetRedemption": true}, 201, &inv)
	if inv.Status != "PendingAcceptance" {
		t.Fatalf("after reset: status %s", inv.Status)
	}
	if r := get(t, b, f.path("/apps")); r.Status == 200 {
		t.Fatal("the code session survived the reset")
	}
	u, _ := url.Parse(inv.InviteRedeemURL)
	if r := get(t, b, u.RequestURI()); r.Status != 200 || !strings.Contains(r.Body, `id="idp"`) {
		t.Fatalf("redeem page after reset: %d\n%s", r.Status, r.Body)
	}
	r = f.upstream(t, b, url.Values{"ticket": {u.Query().Get("ticket")}}, "kim")
	if err := guestclient.Expect(r, 303, f.path("/consent")); err != nil {
		t.Fatal(err)
	}
	if r = post(t, b, f.path("/consent"), url.Values{"accept": {"yes"}}); r.Status != 303 {
		t.Fatalf("consent: %d", r.Status)
	}
	sess, _, err := f.Svc.SessionByToken(t.Context(), f.tenant.ID, b.Cookie("__Host-gp-session-"+f.tenant.ID).Value)
	if err != nil || sess.IDP != f.op.Issuer {
		t.Fatalf("session after reset: %+v %v", sess, err)
	}
	log := f.signInLog(t)
	if !slices.Contains(log, "signIn.route success sticky_identity") || !slices.Contains(log, "signIn.route success domain_provider") {
		t.Fatalf("sign-in log %q", log)
	}
}
