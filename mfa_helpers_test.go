package guestpass_test

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/softauthn"
	"github.com/guestpass/guestpass/passkey"
)

// fakeTexts is a TextSender that records what it was asked to send, and
// fails while fail is set.
type fakeTexts struct {
	mu   sync.Mutex
	sent []sentText
	fail error
}

type sentText struct{ to, body string }

var _ guestpass.TextSender = (*fakeTexts)(nil)

func (f *fakeTexts) SendText(_ context.Context, to, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.sent = append(f.sent, sentText{to, body})
	return nil
}

func (f *fakeTexts) setFail(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

func (f *fakeTexts) to(phone string) []sentText {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sentText
	for _, s := range f.sent {
		if s.to == phone {
			out = append(out, s)
		}
	}
	return out
}

var textCode = regexp.MustCompile(`^(\d{8}) `)

// waitTexts waits until n texts reached phone and returns their codes in
// the order they were delivered.
func (e *env) waitTexts(t *testing.T, phone string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		if got := e.texts.to(phone); len(got) >= n {
			codes := make([]string, len(got))
			for i, s := range got {
				m := textCode.FindStringSubmatch(s.body)
				if m == nil {
					t.Fatalf("text without a code: %q", s.body)
				}
				codes[i] = m[1]
			}
			return codes
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d texts for %s, want %d", len(e.texts.to(phone)), phone, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newFactorsEnv is a tenant requiring MFA on a server that offers passkeys
// (RP localhost) and SMS (a fake sender). tweak adjusts the config further.
func newFactorsEnv(t *testing.T, tweak ...func(*guestpass.Config)) *env {
	t.Helper()
	rp, err := passkey.New("http://localhost:8080")
	if err != nil {
		t.Fatal(err)
	}
	texts := &fakeTexts{}
	tweaks := append([]func(*guestpass.Config){func(c *guestpass.Config) { c.Passkeys, c.TextSender = rp, texts }}, tweak...)
	e := newNode(t, filepath.Join(t.TempDir(), "gp.db"), guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)),
		&recordingMailer{}, nil, tweaks...)
	e.texts = texts
	e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Strict", VerifiedDomains: []string{"strict.com"},
		Settings: guestpass.TenantSettings{RequireMFAForGuests: true}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// withLimits sets the service's limits.
func withLimits(l guestpass.Limits) func(*guestpass.Config) {
	return func(c *guestpass.Config) { c.Limits = &l }
}

func newAuthenticator() *softauthn.Authenticator { return softauthn.New("http://localhost:8080") }

// passkeyOptions asks for the flow's passkey ceremony.
func (e *env) passkeyOptions(t *testing.T, flow string) []byte {
	t.Helper()
	opts, err := e.svc.PasskeyOptions(t.Context(), e.tenant.ID, flow)
	if err != nil {
		t.Fatalf("passkey options: %v", err)
	}
	return opts
}

func (e *env) passkey(t *testing.T, flow string, answer []byte) (*guestpass.SignInResult, error) {
	t.Helper()
	return e.svc.VerifyPasskey(t.Context(), guestpass.VerifyPasskeyRequest{TenantID: e.tenant.ID, FlowToken: flow, Credential: string(answer), Client: client})
}

// passkeyRegistered signs addr in for the first time (nth email code) and
// registers a passkey of a; it returns the recovery codes.
func (e *env) passkeyRegistered(t *testing.T, a *softauthn.Authenticator, addr string, nth int) []string {
	t.Helper()
	flow := e.firstFactor(t, addr, nth)
	res, err := e.passkey(t, flow, a.Create(t, e.passkeyOptions(t, flow)))
	if err != nil || res.Session == nil {
		t.Fatalf("register passkey: %+v %v", res, err)
	}
	return res.RecoveryCodes
}

// signInEvents lists the tenant's sign-in audit events with action.
func (e *env) signInEvents(t *testing.T, action string) []*guestpass.AuditEvent {
	t.Helper()
	op := mustOperator(t, e)
	logs, _, err := e.svc.ListAudit(t.Context(), op, e.tenant.ID, guestpass.AuditSignIn, guestpass.Page{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(logs, func(a *guestpass.AuditEvent) bool { return a.Action != action })
}
