package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/servertest"
	"github.com/guestpass/guestpass/internal/testop"
)

// cliEnv is the real admin API (web + service + SQLite) for the CLI
// commands to talk to.
type cliEnv struct {
	url string
	op  string // operator token
}

func newCLIEnv(tb testing.TB) *cliEnv {
	tb.Helper()
	env := servertest.New(tb, servertest.Options{Epoch: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	return &cliEnv{url: env.URL, op: env.OpToken}
}

// exec runs a command with --server and --token of the operator and
// returns its stdout, stderr and error.
func (c *cliEnv) exec(tb testing.TB, cmd string, args ...string) (string, string, error) {
	tb.Helper()
	return c.execAs(tb, c.op, cmd, args...)
}

func (c *cliEnv) execAs(tb testing.TB, token, cmd string, args ...string) (string, string, error) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	args = append(args, "--server", c.url, "--token", token)
	var err error
	switch cmd {
	case "tenant":
		err = runTenant(tb.Context(), args, &stdout, &stderr)
	case "invite":
		err = runInvite(tb.Context(), args, &stdout, &stderr)
	case "guest":
		err = runGuest(tb.Context(), args, &stdout, &stderr)
	case "app":
		err = runApp(tb.Context(), args, &stdout, &stderr)
	case "idp":
		err = runIDP(tb.Context(), args, &stdout, &stderr)
	default:
		tb.Fatalf("no command %q", cmd)
	}
	return stdout.String(), stderr.String(), err
}

// mustJSON runs a command that must succeed and decodes its output.
func (c *cliEnv) mustJSON(tb testing.TB, out any, cmd string, args ...string) {
	tb.Helper()
	stdout, stderr, err := c.exec(tb, cmd, args...)
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", cmd, args, err, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		tb.Fatalf("%s %v: output %q: %v", cmd, args, stdout, err)
	}
	if !strings.Contains(stdout, "\n  \"") {
		tb.Errorf("output is not indented: %q", stdout)
	}
}

type cliTenant struct {
	ID, DisplayName, EmailOtp, CodeLifetime, SessionLifetime, InvitationLifetime string
	VerifiedDomains, AllowedDomains, BlockedDomains                              []string
	InvitationQuotaPerDay                                                        int
	RequireMfaForGuests                                                          bool
	MfaMethods                                                                   []string
}

type cliGuest struct{ ID, Mail, DisplayName, State string }

func TestCLITenant(t *testing.T) {
	c := newCLIEnv(t)
	var tn cliTenant
	c.mustJSON(t, &tn, "tenant", "create", "--display-name", "Contoso", "--verified-domain", "contoso.com",
		"--verified-domain", "contoso.org,contoso.net", "--email-otp", "enabled", "--allowed-domain", "partner.com")
	if tn.ID == "" || tn.DisplayName != "Contoso" || len(tn.VerifiedDomains) != 3 || tn.EmailOtp != "enabled" || len(tn.AllowedDomains) != 1 {
		t.Fatalf("created %+v", tn)
	}
	t.Run("Get", func(t *testing.T) {
		var got cliTenant
		c.mustJSON(t, &got, "tenant", "get", tn.ID)
		if got.ID != tn.ID || got.DisplayName != "Contoso" {
			t.Errorf("%+v", got)
		}
	})
	t.Run("UpdateChangesOnlyGivenFlags", func(t *testing.T) {
		var got cliTenant
		c.mustJSON(t, &got, "tenant", "update", tn.ID, "--code-lifetime", "10m", "--session-lifetime", "2h",
			"--invitation-lifetime", "P7D", "--invitation-quota", "9", "--require-mfa", "--allowed-domain", "")
		want := cliTenant{ID: tn.ID, DisplayName: "Contoso", EmailOtp: "enabled", CodeLifetime: "PT10M", SessionLifetime: "PT2H",
			InvitationLifetime: "P7D", VerifiedDomains: tn.VerifiedDomains, AllowedDomains: []string{}, BlockedDomains: []string{},
			InvitationQuotaPerDay: 9, RequireMfaForGuests: true, MfaMethods: []string{"totp", "passkey", "sms"}}
		if gotJSON, wantJSON := mustMarshal(t, got), mustMarshal(t, want); gotJSON != wantJSON {
			t.Errorf("updated\n got %s\nwant %s", gotJSON, wantJSON)
		}
		c.mustJSON(t, &got, "tenant", "update", "--display-name", "Fabrikam", "--email-otp", "disabled", "--require-mfa=false", tn.ID)
		if got.DisplayName != "Fabrikam" || got.EmailOtp != "disabled" || got.RequireMfaForGuests || got.CodeLifetime != "PT10M" {
			t.Errorf("%+v", got)
		}
	})
	t.Run("MFAMethods", func(t *testing.T) {
		var got cliTenant
		c.mustJSON(t, &got, "tenant", "update", tn.ID, "--mfa-method", "totp")
		if strings.Join(got.MfaMethods, ",") != "totp" {
			t.Errorf("%+v", got)
		}
		var created cliTenant
		c.mustJSON(t, &created, "tenant", "create", "--display-name", "Strict", "--mfa-method", "passkey,totp")
		if strings.Join(created.MfaMethods, ",") != "totp,passkey" {
			t.Errorf("%+v", created)
		}
		_, _, err := c.exec(t, "tenant", "update", tn.ID, "--mfa-method", "email")
		var ae *apiError
		if !errors.As(err, &ae) || ae.Code != "invalid_setting" || !strings.Contains(err.Error(), "mfaMethods") {
			t.Fatalf("err %v", err)
		}
		if _, _, err := c.exec(t, "tenant", "update", tn.ID, "--mfa-method", ""); !errors.As(err, &ae) || ae.Code != "invalid_setting" {
			t.Fatalf("empty list: %v", err)
		}
	})
	t.Run("ListFollowsEveryPage", func(t *testing.T) {
		for _, n := range []string{"B", "C", "D"} {
			c.mustJSON(t, &cliTenant{}, "tenant", "create", "--display-name", n)
		}
		var list struct{ Value []cliTenant }
		c.mustJSON(t, &list, "tenant", "list", "--page-size", "1")
		if len(list.Value) != 5 {
			t.Errorf("%d tenants", len(list.Value))
		}
	})
	t.Run("APIErrorIsReadable", func(t *testing.T) {
		_, _, err := c.exec(t, "tenant", "update", tn.ID, "--code-lifetime", "2m")
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code != "invalid_setting" || !strings.Contains(err.Error(), "codeLifetime") {
			t.Fatalf("err %v", err)
		}
		_, _, err = c.exec(t, "tenant", "get", "nope")
		if !errors.As(err, &ae) || ae.Code != "tenant_not_found" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("UsageErrors", func(t *testing.T) {
		for _, args := range [][]string{
			{"create"},                      // no --display-name
			{"get"},                         // no TID
			{"get", "a", "b"},               // two TIDs
			{"update"},                      // no TID
			{"frobnicate"},                  // no such command
			{"list", "--page-size", "5000"}, // page too large
			{"get", ".."},                   // not an id
		} {
			if _, _, err := c.exec(t, "tenant", args...); err == nil {
				t.Errorf("tenant %v: no error", args)
			}
		}
		if err := runTenant(t.Context(), nil, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Error("no subcommand: no error")
		}
	})
}

func mustMarshal(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestCLIInviteAndGuests(t *testing.T) {
	c := newCLIEnv(t)
	var tn cliTenant
	c.mustJSON(t, &tn, "tenant", "create", "--display-name", "Contoso", "--verified-domain", "contoso.com")
	var inv struct {
		ID, InviteRedeemUrl, DeliveryState, InvitedUserDisplayName, InviteRedirectUrl string
		InvitedUser                                                                   struct{ ID string }
		InvitedUserMessageInfo                                                        struct{ CustomizedMessageBody string }
	}
	c.mustJSON(t, &inv, "invite", "--tenant", tn.ID, "--email", "ann@partner.com", "--display-name", "Ann",
		"--redirect-url", "https://app.contoso.com/", "--message", "Welcome", "--language", "fr")
	if inv.InviteRedeemUrl == "" || inv.DeliveryState != "queued" || inv.InvitedUserDisplayName != "Ann" ||
		inv.InviteRedirectUrl != "https://app.contoso.com/" || inv.InvitedUserMessageInfo.CustomizedMessageBody != "Welcome" {
		t.Fatalf("invitation %+v", inv)
	}
	gid := inv.InvitedUser.ID
	c.mustJSON(t, &inv, "invite", "--tenant", tn.ID, "--email", "bob@partner.com", "--no-email", "--reset-redemption")
	if inv.DeliveryState != "none" {
		t.Errorf("--no-email: %+v", inv)
	}
	t.Run("InviteErrors", func(t *testing.T) {
		_, _, err := c.exec(t, "invite", "--tenant", tn.ID, "--email", "me@contoso.com")
		var ae *apiError
		if !errors.As(err, &ae) || ae.Code != "own_domain" {
			t.Errorf("own domain: %v", err)
		}
		if _, _, err := c.exec(t, "invite", "--email", "x@partner.com"); err == nil {
			t.Error("no --tenant: no error")
		}
		if _, _, err := c.exec(t, "invite", "--tenant", tn.ID, "extra"); err == nil {
			t.Error("positional argument: no error")
		}
	})
	t.Run("GuestCommands", func(t *testing.T) {
		var list struct{ Value []cliGuest }
		c.mustJSON(t, &list, "guest", "list", "--tenant", tn.ID, "--page-size", "1")
		if len(list.Value) != 2 {
			t.Fatalf("%d guests", len(list.Value))
		}
		var g cliGuest
		c.mustJSON(t, &g, "guest", "get", gid, "--tenant", tn.ID)
		if g.Mail != "ann@partner.com" {
			t.Errorf("%+v", g)
		}
		c.mustJSON(t, &g, "guest", "disable", "--tenant", tn.ID, gid)
		if g.State != "disabled" {
			t.Errorf("disable: %s", g.State)
		}
		c.mustJSON(t, &list, "guest", "list", "--tenant", tn.ID, "--state", "disabled")
		if len(list.Value) != 1 || list.Value[0].ID != gid {
			t.Errorf("disabled list %+v", list.Value)
		}
		c.mustJSON(t, &g, "guest", "enable", "--tenant", tn.ID, gid)
		if g.State != "pendingAcceptance" {
			t.Errorf("enable: %s", g.State)
		}
		var revoked struct {
			Value           bool
			RevokedSessions int
		}
		c.mustJSON(t, &revoked, "guest", "revoke-sessions", "--tenant", tn.ID, gid)
		if !revoked.Value {
			t.Errorf("%+v", revoked)
		}
		stdout, _, err := c.exec(t, "guest", "delete", "--tenant", tn.ID, gid)
		if err != nil || stdout != "" {
			t.Fatalf("delete: %q %v", stdout, err)
		}
		_, _, err = c.exec(t, "guest", "get", "--tenant", tn.ID, gid)
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
			t.Errorf("get after delete: %v", err)
		}
	})
	t.Run("GuestUsageErrors", func(t *testing.T) {
		for _, args := range [][]string{
			{"get", gid},                     // no --tenant
			{"get", "--tenant", tn.ID},       // no id
			{"list", "--tenant", tn.ID, "x"}, // stray argument
			{"list"},                         // no --tenant
			{"ban", "--tenant", tn.ID, gid},  // no such command
			{"list", "--tenant", tn.ID, "--state", "banned"},
		} {
			if _, _, err := c.exec(t, "guest", args...); err == nil {
				t.Errorf("guest %v: no error", args)
			}
		}
		if err := runGuest(t.Context(), nil, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Error("no subcommand: no error")
		}
	})
}

func TestCLITenantToken(t *testing.T) {
	c := newCLIEnv(t)
	var tn cliTenant
	c.mustJSON(t, &tn, "tenant", "create", "--display-name", "Contoso")
	// A tenant token is made through the API, as an operator would.
	cl := &apiClient{base: mustURL(t, c.url), token: c.op, http: http.DefaultClient}
	data, err := cl.do(t.Context(), "POST", "/api/v1/tenants/"+tn.ID+"/tokens", nil, map[string]string{"name": "t"})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	_ = json.Unmarshal(data, &tok)
	_, _, err = c.execAs(t, tok.Token, "tenant", "create", "--display-name", "Mine")
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Errorf("tenant token created a tenant: %v", err)
	}
	if _, _, err := c.execAs(t, tok.Token, "tenant", "get", tn.ID); err != nil {
		t.Errorf("own tenant: %v", err)
	}
	if _, _, err := c.execAs(t, "gp_"+strings.Repeat("x", 43), "tenant", "list"); !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Errorf("bad token: %v", err)
	}
}

func TestCLIEnvironmentAndHelp(t *testing.T) {
	c := newCLIEnv(t)
	t.Run("EnvTwins", func(t *testing.T) {
		t.Setenv("GUESTPASS_SERVER", c.url)
		t.Setenv("GUESTPASS_TOKEN", c.op)
		var out bytes.Buffer
		if err := runTenant(t.Context(), []string{"list"}, &out, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), `"value"`) {
			t.Errorf("output %q", out.String())
		}
	})
	t.Run("FlagBeatsEnv", func(t *testing.T) {
		t.Setenv("GUESTPASS_SERVER", "http://127.0.0.1:1")
		t.Setenv("GUESTPASS_TOKEN", "gp_wrong")
		if err := runTenant(t.Context(), []string{"list", "--server", c.url, "--token", c.op}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("NoToken", func(t *testing.T) {
		t.Setenv("GUESTPASS_TOKEN", "")
		err := runTenant(t.Context(), []string{"list", "--server", c.url}, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "GUESTPASS_TOKEN") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("BadServer", func(t *testing.T) {
		err := runGuest(t.Context(), []string{"list", "--tenant", "x", "--server", "ftp://x", "--token", c.op}, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "--server") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("HelpNamesEnvTwinsAndHidesToken", func(t *testing.T) {
		t.Setenv("GUESTPASS_TOKEN", "gp_secret_value_in_env")
		for _, cmd := range []struct {
			run  func(context.Context, []string, io.Writer, io.Writer) error
			args []string
		}{
			{runTenant, []string{"create", "--help"}},
			{runInvite, []string{"--help"}},
			{runGuest, []string{"list", "-h"}},
		} {
			var stdout, stderr bytes.Buffer
			err := cmd.run(t.Context(), cmd.args, &stdout, &stderr)
			if !errors.Is(err, flag.ErrHelp) {
				t.Errorf("%v: err %v", cmd.args, err)
			}
			help := stderr.String()
			if !strings.Contains(help, "GUESTPASS_SERVER") || !strings.Contains(help, "GUESTPASS_TOKEN") || !strings.Contains(help, "usage: guestpass") {
				t.Errorf("%v: help %q", cmd.args, help)
			}
			if strings.Contains(help, "gp_secret_value_in_env") {
				t.Errorf("help shows the token")
			}
		}
		var stdout bytes.Buffer
		if err := runGuest(t.Context(), []string{"help"}, &stdout, &bytes.Buffer{}); err != nil || !strings.Contains(stdout.String(), "revoke-sessions") {
			t.Errorf("guest help: %v %q", err, stdout.String())
		}
		if err := runTenant(t.Context(), []string{"--help"}, &stdout, &bytes.Buffer{}); err != nil || !strings.Contains(stdout.String(), "GUESTPASS_TOKEN") {
			t.Errorf("tenant help: %v %q", err, stdout.String())
		}
	})
}

func TestCLINonAPIAnswer(t *testing.T) {
	// Something other than GuestPass answers (a proxy's error page): the
	// error says so instead of failing to decode.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
	}))
	t.Cleanup(proxy.Close)
	err := runTenant(t.Context(), []string{"list", "--server", proxy.URL, "--token", "gp_x"}, &bytes.Buffer{}, &bytes.Buffer{})
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadGateway || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("err %v", err)
	}
	notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hello")) }))
	t.Cleanup(notJSON.Close)
	err = runTenant(t.Context(), []string{"get", "x", "--server", notJSON.URL, "--token", "gp_x"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err %v", err)
	}
}

func mustURL(tb testing.TB, raw string) *url.URL {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestCLIApplications(t *testing.T) {
	c := newCLIEnv(t)
	var tn cliTenant
	c.mustJSON(t, &tn, "tenant", "create", "--display-name", "Contoso")
	var inv struct{ InvitedUser struct{ ID string } }
	c.mustJSON(t, &inv, "invite", "--tenant", tn.ID, "--email", "ann@partner.com", "--no-email")
	type cliApp struct {
		ID, ClientID, ClientSecret, Type, DisplayName, Assignment string
		RedirectUris, Hosts, AssignedGuestIds                     []string
		RequireMfa                                                bool
		IDTokenAlg                                                string `json:"idTokenSignedResponseAlg"`
	}
	var oidc, proxy, got cliApp
	c.mustJSON(t, &oidc, "app", "create", "--tenant", tn.ID, "--name", "Grafana", "--type", "oidc",
		"--redirect-uri", "https://grafana.example.com/cb", "--redirect-uri", "http://localhost:3000/cb")
	if oidc.ClientID != oidc.ID || oidc.ClientSecret == "" || len(oidc.RedirectUris) != 2 {
		t.Fatalf("%+v", oidc)
	}
	c.mustJSON(t, &proxy, "app", "create", "--tenant", tn.ID, "--name", "Wiki", "--type", "proxy",
		"--host", "wiki.example.com,*.docs.example.com", "--assignment", "assignedGuests", "--guest", inv.InvitedUser.ID)
	if len(proxy.Hosts) != 2 || proxy.Assignment != "assignedGuests" || len(proxy.AssignedGuestIds) != 1 {
		t.Fatalf("%+v", proxy)
	}
	c.mustJSON(t, &got, "app", "update", "--tenant", tn.ID, proxy.ID, "--require-mfa=true", "--name", "Team wiki")
	if !got.RequireMfa || got.DisplayName != "Team wiki" || len(got.Hosts) != 2 || got.Assignment != "assignedGuests" {
		t.Fatalf("update changed more than asked: %+v", got)
	}
	c.mustJSON(t, &got, "app", "update", "--tenant", tn.ID, oidc.ID, "--id-token-alg", "ES256")
	if got.IDTokenAlg != "ES256" || oidc.IDTokenAlg != "RS256" || len(got.RedirectUris) != 2 {
		t.Fatalf("--id-token-alg: created %q, updated %+v", oidc.IDTokenAlg, got)
	}
	c.mustJSON(t, &got, "app", "rotate-secret", "--tenant", tn.ID, oidc.ID)
	if got.ClientSecret == "" || got.ClientSecret == oidc.ClientSecret {
		t.Fatal("rotate-secret printed no new secret")
	}
	var list struct{ Value []cliApp }
	c.mustJSON(t, &list, "app", "list", "--tenant", tn.ID)
	if len(list.Value) != 2 || list.Value[0].ClientSecret != "" {
		t.Fatalf("list %+v", list)
	}
	if _, _, err := c.exec(t, "app", "delete", "--tenant", tn.ID, oidc.ID); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"get", "--tenant", tn.ID, oidc.ID},                                                           // deleted
		{"create", "--tenant", tn.ID, "--name", "x"},                                                  // no type
		{"create", "--tenant", tn.ID, "--name", "x", "--type", "proxy", "--host", "wiki.example.com"}, // taken
		{"get", oidc.ID}, // no tenant
		{"frobnicate"},
	} {
		if _, _, err := c.exec(t, "app", args...); err == nil {
			t.Errorf("app %v: no error", args)
		}
	}
}

func TestCLIIdentityProviders(t *testing.T) {
	c := newCLIEnv(t)
	var tn cliTenant
	c.mustJSON(t, &tn, "tenant", "create", "--display-name", "Contoso")
	op := testop.Start(t, c.url+"/t/"+tn.ID+"/federation/callback")
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(op.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	type cliIDP struct {
		ID, Issuer, ClientID, RedirectURI string
		HasClientSecret                   bool
		Domains, Scopes                   []string
	}
	var idp, got cliIDP
	c.mustJSON(t, &idp, "idp", "create", "--tenant", tn.ID, "--name", "Fabrikam", "--issuer", op.Issuer,
		"--client-id", op.ClientID, "--client-secret-file", secretFile, "--domain", "fabrikam.com")
	if !idp.HasClientSecret || idp.RedirectURI != c.url+"/t/"+tn.ID+"/federation/callback" || len(idp.Domains) != 1 {
		t.Fatalf("%+v", idp)
	}
	c.mustJSON(t, &got, "idp", "update", "--tenant", tn.ID, idp.ID, "--domain", "fabrikam.com,fabrikam.de", "--scope", "profile")
	if len(got.Domains) != 2 || len(got.Scopes) != 2 || got.Issuer != op.Issuer {
		t.Fatalf("update changed more than asked: %+v", got)
	}
	var list struct{ Value []cliIDP }
	c.mustJSON(t, &list, "idp", "list", "--tenant", tn.ID)
	if len(list.Value) != 1 {
		t.Fatalf("list %+v", list)
	}
	if _, _, err := c.exec(t, "idp", "delete", "--tenant", tn.ID, idp.ID); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"get", "--tenant", tn.ID, idp.ID}, // deleted
		{"create", "--tenant", tn.ID, "--name", "x", "--issuer", op.Issuer, "--client-id", "c"}, // no domain
		{"create", "--tenant", tn.ID, "--name", "x", "--issuer", "http://127.0.0.1:1", "--client-id", "c", "--domain", "a.com"},
		{"list"}, // no tenant
		{"frobnicate"},
	} {
		if _, _, err := c.exec(t, "idp", args...); err == nil {
			t.Errorf("idp %v: no error", args)
		}
	}
}
