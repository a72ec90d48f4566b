package guestpass_test

import (
	"slices"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/passkey"
)

func TestPasskeySignIn(t *testing.T) {
	e := newFactorsEnv(t)
	a := newAuthenticator()
	e.invite(t, "ana@fabrikam.com")
	flow := e.firstFactor(t, "ana@fabrikam.com", 1)
	v, err := e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
	if err != nil || !v.Register || !v.Passkey || !v.SMS || v.Secret == "" {
		t.Fatalf("registration view: %+v %v", v, err)
	}
	res, err := e.passkey(t, flow, a.Create(t, e.passkeyOptions(t, flow)))
	if err != nil || res.Session == nil || len(res.RecoveryCodes) != 10 {
		t.Fatalf("register: %+v %v", res, err)
	}
	if amr := res.Session.Session.AMR; !slices.Equal(amr, []string{"otp", "hwk", "mfa"}) {
		t.Fatalf("registration amr %v", amr)
	}
	ms := e.methods(t, "ana@fabrikam.com")
	pk := slices.IndexFunc(ms, func(m *guestpass.MFAMethod) bool { return m.Kind == guestpass.MFAPasskey })
	if pk < 0 || ms[pk].Pending() {
		t.Fatalf("methods after registration: %+v", ms)
	}

	e.clock.Advance(time.Minute)
	flow = e.firstFactor(t, "ana@fabrikam.com", 2)
	v, err = e.svc.ViewMFA(t.Context(), e.tenant.ID, flow)
	if err != nil || v.Register || !v.Passkey || v.TOTP || v.SMS || v.Secret != "" {
		t.Fatalf("sign-in view: %+v %v", v, err)
	}
	a.UserVerified = true
	res, err = e.passkey(t, flow, a.Get(t, e.passkeyOptions(t, flow)))
	if err != nil || res.Session == nil || len(res.RecoveryCodes) != 0 {
		t.Fatalf("sign in: %+v %v", res, err)
	}
	if amr := res.Session.Session.AMR; !slices.Equal(amr, []string{"otp", "hwk", "user", "mfa"}) || !res.Session.Session.HasMFA() {
		t.Fatalf("sign-in amr %v", amr)
	}
	if got := e.methods(t, "ana@fabrikam.com")[pk].LastStep; got != 1 {
		t.Fatalf("signature counter recorded %d, want the sign-in's 1", got)
	}
}

func TestSyncedPasskeyIsSoftwareKey(t *testing.T) {
	e := newFactorsEnv(t)
	a := newAuthenticator()
	a.BackupEligible, a.NoCounter = true, true
	e.invite(t, "ana@fabrikam.com")
	e.passkeyRegistered(t, a, "ana@fabrikam.com", 1)
	for nth := 2; nth <= 3; nth++ { // no counter: 0 twice is fine
		flow := e.firstFactor(t, "ana@fabrikam.com", nth)
		res, err := e.passkey(t, flow, a.Get(t, e.passkeyOptions(t, flow)))
		if err != nil || !slices.Equal(res.Session.Session.AMR, []string{"otp", "swk", "mfa"}) {
			t.Fatalf("synced passkey sign-in %d: %+v %v", nth, res, err)
		}
	}
}

func TestPasskeyRefusals(t *testing.T) {
	e := newFactorsEnv(t)
	a := newAuthenticator()
	e.invite(t, "ana@fabrikam.com")
	e.passkeyRegistered(t, a, "ana@fabrikam.com", 1)
	nth := 1
	signIn := func(t *testing.T) string {
		t.Helper()
		nth++
		e.clock.Advance(time.Minute)
		return e.firstFactor(t, "ana@fabrikam.com", nth)
	}
	wantCode := func(t *testing.T, err error, code string) {
		t.Helper()
		if codeOf(err) != code {
			t.Fatalf("err = %v, want %s", err, code)
		}
	}
	t.Run("WrongChallenge", func(t *testing.T) {
		flow := signIn(t)
		first := e.passkeyOptions(t, flow)
		second := e.passkeyOptions(t, flow) // replaces the first ceremony
		_, err := e.passkey(t, flow, a.Get(t, first))
		wantCode(t, err, "passkey_refused")
		// The wrong answer used the ceremony up: the right one now finds none.
		_, err = e.passkey(t, flow, a.Get(t, second))
		wantCode(t, err, "passkey_expired")
	})
	t.Run("ExpiredChallenge", func(t *testing.T) {
		flow := signIn(t)
		opts := e.passkeyOptions(t, flow)
		e.clock.Advance(guestpass.PasskeyCeremonyLifetime)
		_, err := e.passkey(t, flow, a.Get(t, opts))
		wantCode(t, err, "passkey_expired")
	})
	t.Run("NoCeremony", func(t *testing.T) {
		flow := signIn(t)
		_, err := e.passkey(t, flow, []byte(`{"id":"AAAA","type":"public-key"}`))
		wantCode(t, err, "passkey_expired")
		e.passkeyOptions(t, flow)
		_, err = e.passkey(t, flow, nil)
		wantCode(t, err, "passkey_refused")
	})
	t.Run("ReplayedAssertion", func(t *testing.T) {
		flow := signIn(t)
		answer := a.Get(t, e.passkeyOptions(t, flow))
		if _, err := e.passkey(t, flow, answer); err != nil {
			t.Fatal(err)
		}
		_, err := e.passkey(t, flow, answer) // the flow ended with the session
		wantCode(t, err, "flow_expired")
		flow = signIn(t)
		e.passkeyOptions(t, flow)
		_, err = e.passkey(t, flow, answer) // a new ceremony, the old answer
		wantCode(t, err, "passkey_refused")
	})
	t.Run("OtherGuestsCredential", func(t *testing.T) {
		b := newAuthenticator()
		e.invite(t, "bo@fabrikam.com")
		e.passkeyRegistered(t, b, "bo@fabrikam.com", 1)
		flow := signIn(t)
		_, err := e.passkey(t, flow, b.Assert(t, e.passkeyOptions(t, flow), b.Credentials()[0]))
		wantCode(t, err, "passkey_refused")
	})
	t.Run("OtherTenantsCredential", func(t *testing.T) {
		// The same person, a guest of a second tenant, with a passkey made
		// there by the same authenticator.
		other := *e
		var err error
		other.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Other", VerifiedDomains: []string{"other.com"},
			Settings: guestpass.TenantSettings{RequireMFAForGuests: true}})
		if err != nil {
			t.Fatal(err)
		}
		other.invite(t, "ana@fabrikam.com")
		nth++ // the mailer counts codes per address across tenants
		other.passkeyRegistered(t, a, "ana@fabrikam.com", nth)
		foreign := a.Credentials()[len(a.Credentials())-1]
		flow := signIn(t)
		_, err = e.passkey(t, flow, a.Assert(t, e.passkeyOptions(t, flow), foreign))
		wantCode(t, err, "passkey_refused")
	})
	t.Run("UnknownCredential", func(t *testing.T) {
		rp, _ := passkey.New("http://localhost:8080")
		opts, _, _ := rp.BeginRegistration(guestpass.PasskeyUser{Handle: []byte("stranger-handle"), Name: "x", DisplayName: "x", RPName: "x"})
		stranger := newAuthenticator()
		stranger.Create(t, opts) // made, never registered anywhere
		flow := signIn(t)
		_, err := e.passkey(t, flow, stranger.Assert(t, e.passkeyOptions(t, flow), stranger.Credentials()[0]))
		wantCode(t, err, "passkey_refused")
	})
	t.Run("OtherOrigin", func(t *testing.T) {
		flow := signIn(t)
		opts := e.passkeyOptions(t, flow)
		a.Origin = "http://evil.localhost:8080"
		defer func() { a.Origin = "http://localhost:8080" }()
		_, err := e.passkey(t, flow, a.Get(t, opts))
		wantCode(t, err, "passkey_refused")
	})
	t.Run("CounterWentBack", func(t *testing.T) {
		flow := signIn(t)
		if _, err := e.passkey(t, flow, a.Get(t, e.passkeyOptions(t, flow))); err != nil {
			t.Fatal(err)
		}
		a.Credentials()[0].Counter -= 2 // a copy of the key that lags behind
		flow = signIn(t)
		_, err := e.passkey(t, flow, a.Get(t, e.passkeyOptions(t, flow)))
		wantCode(t, err, "passkey_cloned")
	})
	t.Run("EveryRefusalIsAudited", func(t *testing.T) {
		reasons := map[string]int{}
		for _, ev := range e.signInEvents(t, "mfa.verify") {
			reasons[ev.Reason]++
		}
		if reasons["passkey_refused"] < 6 || reasons["passkey_expired"] < 3 || reasons["passkey_cloned"] != 1 {
			t.Fatalf("audited reasons: %v", reasons)
		}
	})
}

// Wrong passkey answers and wrong recovery codes spend the one per-guest
// budget of DESIGN §3 (SMS codes: TestSMSFailuresShareTheBudget); the
// guest is locked when it runs out, and then even the right passkey is
// refused.
func TestPasskeyFailuresShareTheBudget(t *testing.T) {
	l := guestpass.DefaultLimits()
	l.GuestFailures = guestpass.Limit{Burst: 6, Per: time.Hour}
	e := newFactorsEnv(t, withLimits(l))
	a := newAuthenticator()
	e.invite(t, "ana@fabrikam.com")
	e.passkeyRegistered(t, a, "ana@fabrikam.com", 1)
	flow := e.firstFactor(t, "ana@fabrikam.com", 2)
	for i := range 6 {
		var err error
		want := "wrong_mfa_code"
		if i%2 == 0 {
			opts := e.passkeyOptions(t, flow)
			a.Origin = "http://evil.localhost:8080"
			_, err = e.passkey(t, flow, a.Get(t, opts))
			a.Origin, want = "http://localhost:8080", "passkey_refused"
		} else {
			_, err = e.mfa(t, flow, "", "AAAA-BBBB-CCCC-DDDD")
		}
		if i == 5 {
			want = "locked"
		}
		if codeOf(err) != want {
			t.Fatalf("failure %d: %v, want %s", i+1, err, want)
		}
	}
	if _, err := e.passkey(t, flow, a.Get(t, e.passkeyOptions(t, flow))); codeOf(err) != "locked" {
		t.Fatalf("right passkey while locked: %v", err)
	}
}
