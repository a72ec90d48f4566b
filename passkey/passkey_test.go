package passkey_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/softauthn"
	"github.com/guestpass/guestpass/passkey"
)

const base = "https://guestpass.example:8443"

func mustRP(t *testing.T) *passkey.RP {
	t.Helper()
	rp, err := passkey.New(base)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func ana() guestpass.PasskeyUser {
	return guestpass.PasskeyUser{Handle: bytes.Repeat([]byte{7}, 32), Name: "ana@fabrikam.example", DisplayName: "Ana", RPName: "Contoso"}
}

// register runs a registration and returns the user holding the new
// credential.
func register(t *testing.T, rp *passkey.RP, a *softauthn.Authenticator, u guestpass.PasskeyUser) (guestpass.PasskeyUser, *guestpass.PasskeyResult) {
	t.Helper()
	opts, state, err := rp.BeginRegistration(u)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rp.FinishRegistration(u, state, a.Create(t, opts))
	if err != nil {
		t.Fatalf("finish registration: %v", err)
	}
	u.Credentials = append(u.Credentials, guestpass.PasskeyCredential{ID: res.CredentialID, Record: res.Record, SignCount: res.SignCount})
	return u, res
}

func TestOptionsNameTheRelyingParty(t *testing.T) {
	rp := mustRP(t)
	opts, _, err := rp.BeginRegistration(ana())
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		PublicKey struct {
			RP   struct{ ID, Name string }
			User struct {
				Name string
			}
			Attestation            string
			AuthenticatorSelection struct{ UserVerification, ResidentKey string }
			Timeout                int
		}
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	pk := o.PublicKey
	if pk.RP.ID != "guestpass.example" || pk.RP.Name != "Contoso" || pk.User.Name != "ana@fabrikam.example" ||
		pk.Attestation != "none" || pk.AuthenticatorSelection.UserVerification != "preferred" || pk.Timeout != 300000 {
		t.Fatalf("options: %s", opts)
	}
}

func TestRegisterAndSignIn(t *testing.T) {
	rp := mustRP(t)
	a := softauthn.New(base)
	a.UserVerified = true
	u, reg := register(t, rp, a, ana())
	if reg.UserVerified != true || reg.BackupEligible || len(reg.CredentialID) != 32 {
		t.Fatalf("registration: %+v", reg)
	}
	opts, state, err := rp.BeginLogin(u)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rp.FinishLogin(u, state, a.Get(t, opts))
	if err != nil {
		t.Fatalf("finish login: %v", err)
	}
	if !bytes.Equal(res.CredentialID, reg.CredentialID) || res.SignCount != 1 || res.CloneWarning || !res.UserVerified {
		t.Fatalf("login: %+v", res)
	}
	// Registering again excludes the credential this authenticator holds.
	opts, _, err = rp.BeginRegistration(u)
	if err != nil || !strings.Contains(string(opts), "excludeCredentials") {
		t.Fatalf("second registration options %s: %v", opts, err)
	}
}

func TestSyncedPasskey(t *testing.T) {
	rp := mustRP(t)
	a := softauthn.New(base)
	a.BackupEligible, a.NoCounter = true, true
	u, reg := register(t, rp, a, ana())
	opts, state, _ := rp.BeginLogin(u)
	res, err := rp.FinishLogin(u, state, a.Get(t, opts))
	if err != nil || !reg.BackupEligible || !res.BackupEligible || res.SignCount != 0 || res.CloneWarning || res.UserVerified {
		t.Fatalf("synced passkey: %+v %+v %v", reg, res, err)
	}
}

func TestRefused(t *testing.T) {
	rp := mustRP(t)
	a := softauthn.New(base)
	u, _ := register(t, rp, a, ana())
	wantRefused := func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, guestpass.ErrPasskeyRefused) {
			t.Fatalf("err = %v, want ErrPasskeyRefused", err)
		}
	}
	t.Run("OtherOrigin", func(t *testing.T) {
		evil := softauthn.New("https://evil.example")
		opts, state, _ := rp.BeginRegistration(ana())
		_, err := rp.FinishRegistration(ana(), state, evil.Create(t, opts))
		wantRefused(t, err)
	})
	t.Run("OtherChallenge", func(t *testing.T) {
		opts, _, _ := rp.BeginLogin(u)
		_, state, _ := rp.BeginLogin(u) // a second ceremony: its state, the first one's answer
		_, err := rp.FinishLogin(u, state, a.Get(t, opts))
		wantRefused(t, err)
	})
	t.Run("OtherUser", func(t *testing.T) {
		other := ana()
		other.Handle = bytes.Repeat([]byte{8}, 32)
		opts, state, _ := rp.BeginLogin(u)
		_, err := rp.FinishLogin(other, state, a.Get(t, opts))
		wantRefused(t, err)
	})
	t.Run("UnknownCredential", func(t *testing.T) {
		stranger := softauthn.New(base)
		register(t, rp, stranger, ana()) // a credential u does not hold
		opts, state, _ := rp.BeginLogin(u)
		_, err := rp.FinishLogin(u, state, stranger.Assert(t, opts, stranger.Credentials()[0]))
		wantRefused(t, err)
	})
	t.Run("Garbage", func(t *testing.T) {
		_, state, _ := rp.BeginLogin(u)
		_, err := rp.FinishLogin(u, state, []byte(`{"id":"x"}`))
		wantRefused(t, err)
		_, state, _ = rp.BeginRegistration(u)
		_, err = rp.FinishRegistration(u, state, []byte(`not json`))
		wantRefused(t, err)
	})
	t.Run("CounterWentBack", func(t *testing.T) {
		seen := u
		seen.Credentials = []guestpass.PasskeyCredential{u.Credentials[0]}
		seen.Credentials[0].SignCount = 50 // the service saw 50 already
		opts, state, _ := rp.BeginLogin(seen)
		res, err := rp.FinishLogin(seen, state, a.Get(t, opts))
		if err != nil || !res.CloneWarning {
			t.Fatalf("counter went back: %+v %v", res, err)
		}
	})
}

func TestBaseURL(t *testing.T) {
	if _, err := passkey.New("http://127.0.0.1:8080"); !errors.Is(err, passkey.ErrNoRPID) {
		t.Fatalf("IP base URL: %v", err)
	}
	if _, err := passkey.New("ftp://x"); err == nil {
		t.Fatal("ftp base URL accepted")
	}
	if _, err := passkey.New("http://localhost:8080"); err != nil {
		t.Fatalf("localhost: %v", err)
	}
}

func FuzzFinishLogin(f *testing.F) {
	rp, err := passkey.New(base)
	if err != nil {
		f.Fatal(err)
	}
	a := softauthn.New(base)
	u := ana()
	opts, state, _ := rp.BeginRegistration(u)
	reg, err := rp.FinishRegistration(u, state, a.Create(f, opts))
	if err != nil {
		f.Fatal(err)
	}
	u.Credentials = []guestpass.PasskeyCredential{{ID: reg.CredentialID, Record: reg.Record}}
	opts, state, _ = rp.BeginLogin(u)
	f.Add(a.Get(f, opts))
	f.Add([]byte(`{"id":"","rawId":"","type":"public-key","response":{}}`))
	f.Fuzz(func(t *testing.T, response []byte) {
		res, err := rp.FinishLogin(u, state, response)
		if err != nil && !errors.Is(err, guestpass.ErrPasskeyRefused) {
			t.Fatalf("a browser's answer caused a server error: %v", err)
		}
		if err == nil && !bytes.Equal(res.CredentialID, reg.CredentialID) {
			t.Fatalf("accepted another credential: %+v", res)
		}
	})
}

func FuzzFinishRegistration(f *testing.F) {
	rp, err := passkey.New(base)
	if err != nil {
		f.Fatal(err)
	}
	u := ana()
	opts, state, _ := rp.BeginRegistration(u)
	f.Add(softauthn.New(base).Create(f, opts))
	f.Add([]byte(`{"id":"","rawId":"","type":"public-key","response":{"attestationObject":"oA","clientDataJSON":"e30"}}`))
	f.Fuzz(func(t *testing.T, response []byte) {
		if _, err := rp.FinishRegistration(u, state, response); err != nil && !errors.Is(err, guestpass.ErrPasskeyRefused) {
			t.Fatalf("a browser's answer caused a server error: %v", err)
		}
	})
}
