package oidc_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/servertest"
	"github.com/guestpass/guestpass/internal/softauthn"
)

// The ID token's amr is the session's, whatever the second factor added:
// here a passkey (hwk) on a tenant that requires one. Nothing between the
// session and the token drops values it does not know.
func TestIDTokenAMRFromPasskey(t *testing.T) {
	env := servertest.New(t, servertest.Options{SMTP: true, Epoch: time.Now(), Localhost: true, Passkeys: true})
	tn, err := env.Svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Strict", Settings: guestpass.TenantSettings{RequireMFAForGuests: true}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	if loc := env.SignIn(t, b, tn.ID, "jo@fabrikam.com", ""); loc != "/t/"+tn.ID+"/mfa" {
		t.Fatalf("after the email code: %q", loc)
	}
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/t/"+tn.ID+"/mfa/passkey/options", nil)
	opts, err := b.Do(req)
	if err != nil || opts.Status != 200 {
		t.Fatalf("passkey options: %v %v", opts, err)
	}
	a := softauthn.New(env.URL)
	done := post(t, b, "/t/"+tn.ID+"/mfa/passkey", url.Values{"credential": {string(a.Create(t, []byte(opts.Body)))}})
	if done.Status != 200 {
		t.Fatalf("passkey registration: %d", done.Status)
	}

	code, pkce := r.code(t, b, "")
	c, _ := r.claims(t, code, pkce)
	if !slices.Equal(c.AMR, []string{"otp", "hwk", "mfa"}) {
		t.Fatalf("ID token amr %v", c.AMR)
	}
}
