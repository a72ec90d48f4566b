package guestpass_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/sqlite"
	"github.com/guestpass/guestpass/upstream"
)

// recordingMailer is a fake Mailer: it keeps what it was asked to send, and
// fails while fail is set.
type recordingMailer struct {
	mu   sync.Mutex
	msgs []*guestpass.Message
	fail error
}

var _ guestpass.Mailer = (*recordingMailer)(nil)

func (m *recordingMailer) Send(ctx context.Context, msg *guestpass.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.msgs = append(m.msgs, msg)
	return nil
}

func (m *recordingMailer) setFail(err error) {
	m.mu.Lock()
	m.fail = err
	m.mu.Unlock()
}

func (m *recordingMailer) sent(kind guestpass.MailKind, to string) []*guestpass.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*guestpass.Message
	for _, msg := range m.msgs {
		if msg.Kind == kind && msg.To == to {
			out = append(out, msg)
		}
	}
	return out
}

type env struct {
	svc    *guestpass.Service
	store  guestpass.Store
	clock  *guestpass.FakeClock
	mailer *recordingMailer
	texts  *fakeTexts // newFactorsEnv only
	tenant *guestpass.Tenant
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, nil)
}

// newEnvOn is newEnv on the store as wrap wraps it (nil: as it is).
func newEnvOn(t *testing.T, wrap func(guestpass.Store) guestpass.Store) *env {
	t.Helper()
	e := newNode(t, filepath.Join(t.TempDir(), "gp.db"), guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)), &recordingMailer{}, wrap)
	var err error
	e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso", VerifiedDomains: []string{"contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// cluster is what nodes acting as one cluster share: a database file in
// the test's temporary directory, a fake clock and a mailer.
func cluster(t *testing.T) (string, *guestpass.FakeClock, *recordingMailer) {
	return filepath.Join(t.TempDir(), "gp.db"), guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)), &recordingMailer{}
}

// newNode starts a Service on the SQLite database at path; several nodes
// may share one file (and clock and mailer) to act as a cluster. wrap, when
// set, puts a wrapper around the store the service uses.
func newNode(t *testing.T, path string, clock *guestpass.FakeClock, mailer *recordingMailer, wrap func(guestpass.Store) guestpass.Store, tweak ...func(*guestpass.Config)) *env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return startNode(t, st, clock, mailer, wrap, tweak...)
}

// startNode starts a Service on st and closes st when the test ends.
func startNode(t *testing.T, st interface {
	guestpass.Store
	Close() error
}, clock *guestpass.FakeClock, mailer *recordingMailer, wrap func(guestpass.Store) guestpass.Store, tweak ...func(*guestpass.Config)) *env {
	t.Helper()
	var err error
	keys, _ := guestpass.NewKeys([]byte(strings.Repeat("k", 32)))
	e := &env{store: st, clock: clock, mailer: mailer}
	var use guestpass.Store = st
	if wrap != nil {
		use = wrap(st)
	}
	cfg := guestpass.Config{Store: use, Keys: keys, BaseURL: "http://localhost:8080", Clock: clock, Mailer: mailer,
		Upstream: upstream.New(upstream.Options{})}
	for _, f := range tweak {
		f(&cfg)
	}
	e.svc, err = guestpass.NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.svc.Stop(ctx)
		_ = st.Close()
	})
	return e
}

func (e *env) invite(t *testing.T, addr string) *guestpass.InviteResult {
	t.Helper()
	res, err := e.svc.InviteLocal(t.Context(), e.tenant.ID, guestpass.InviteRequest{Email: addr, SendMessage: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var client = guestpass.Client{IP: "192.0.2.1", UserAgent: "test"}

func (e *env) send(t *testing.T, flow, addr string) string {
	t.Helper()
	res, err := e.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: e.tenant.ID, FlowToken: flow, Email: addr, Client: client})
	if err != nil {
		t.Fatalf("send code: %v", err)
	}
	return res.FlowToken
}

func (e *env) verify(t *testing.T, flow, code string) (*guestpass.SignInResult, error) {
	t.Helper()
	return e.svc.VerifyCode(t.Context(), guestpass.VerifyCodeRequest{TenantID: e.tenant.ID, FlowToken: flow, Code: code, Client: client})
}

// waitCodes waits until n code emails reached addr and returns the codes.
func (e *env) waitCodes(t *testing.T, addr string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second) // generous: -race on 2 busy cores
	for {
		msgs := e.mailer.sent(guestpass.MailCode, addr)
		if len(msgs) >= n {
			// The queue delivers concurrently: order by issue time.
			slices.SortFunc(msgs, func(a, b *guestpass.Message) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
			codes := make([]string, len(msgs))
			for i, m := range msgs {
				codes[i] = m.Code
			}
			return codes
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d code emails for %s, want %d", len(msgs), addr, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle gives the queue time to deliver anything it was going to; used
// only to show that something was NOT sent.
func settle() { time.Sleep(600 * time.Millisecond) }

func codeOf(err error) string {
	var e *guestpass.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return fmt.Sprint(err)
}

func wrongCode(code string) string {
	b := []byte(code)
	b[7] = '0' + (b[7]-'0'+1)%10
	return string(b)
}

func TestCodeDigitsUniform(t *testing.T) {
	r := rand.NewChaCha8([32]byte{1})
	var counts [10]int
	const n = 20000
	for range n {
		c, err := guestpass.NewCode(r)
		if err != nil || len(c) != 8 || guestclient.CodeIn(c) != c {
			t.Fatalf("code %q, %v", c, err)
		}
		counts[c[0]-'0']++
	}
	chi2 := 0.0
	for _, c := range counts {
		d := float64(c) - n/10
		chi2 += d * d / (n / 10)
	}
	if chi2 > 40 { // 9 degrees of freedom: p < 1e-5
		t.Fatalf("leading digits not uniform: %v (chi2 %.1f)", counts, chi2)
	}
}

func TestSignIn(t *testing.T) {
	t.Run("FirstRedemptionNeedsConsent", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.send(t, "", "jo@fabrikam.com")
		code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
		res, err := e.verify(t, flow, code)
		if err != nil || !res.NeedConsent || res.Session != nil {
			t.Fatalf("verify = %+v, %v", res, err)
		}
		res, err = e.svc.Consent(t.Context(), guestpass.ConsentRequest{TenantID: e.tenant.ID, FlowToken: flow, Accept: true, Client: client})
		if err != nil || res.Session == nil {
			t.Fatalf("consent = %+v, %v", res, err)
		}
		if got := res.Session.Session.ExpiresAt.Sub(e.clock.Now()); got != 24*time.Hour {
			t.Fatalf("session lifetime %v", got)
		}
		if res.RedirectTo != "http://localhost:8080/t/"+e.tenant.ID+"/apps" {
			t.Fatalf("redirect %q", res.RedirectTo)
		}
		if _, _, err := e.svc.SessionByToken(t.Context(), e.tenant.ID, res.Session.Token); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("CodeUsableOnce", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.send(t, "", "jo@fabrikam.com")
		code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
		if _, err := e.verify(t, flow, code); err != nil {
			t.Fatal(err)
		}
		if _, err := e.verify(t, flow, code); codeOf(err) != "flow_expired" && codeOf(err) != "code_used_up" {
			t.Fatalf("second use: %v", err)
		}
	})
	t.Run("SixthGuessRefused", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.send(t, "", "jo@fabrikam.com")
		code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
		for i := range 5 {
			want := "wrong_code"
			if i == 4 {
				want = "wrong_code_last" // its own code: no count to show
			}
			if _, err := e.verify(t, flow, wrongCode(code)); codeOf(err) != want {
				t.Fatalf("guess %d: %v, want %s", i+1, err, want)
			}
		}
		if _, err := e.verify(t, flow, code); codeOf(err) != "code_used_up" {
			t.Fatalf("correct code after 5 wrong: %v", err)
		}
	})
	t.Run("ExpiredCode", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.send(t, "", "jo@fabrikam.com")
		code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
		e.clock.Advance(30 * time.Minute)
		if _, err := e.verify(t, flow, code); codeOf(err) != "code_expired" {
			t.Fatalf("expired code: %v", err)
		}
	})
	t.Run("NewSendVoidsPreviousCode", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.send(t, "", "jo@fabrikam.com")
		e.clock.Advance(31 * time.Second)
		e.send(t, flow, "jo@fabrikam.com")
		codes := e.waitCodes(t, "jo@fabrikam.com", 2)
		if _, err := e.verify(t, flow, codes[0]); codeOf(err) != "wrong_code" {
			t.Fatalf("old code: %v", err)
		}
		if _, err := e.verify(t, flow, codes[1]); err != nil {
			t.Fatalf("new code: %v", err)
		}
	})
	t.Run("CodeWorksOnlyInItsFlow", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		e.send(t, "", "jo@fabrikam.com")
		code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
		other := e.send(t, "", "eve@evil.example")
		if _, err := e.verify(t, other, code); codeOf(err) != "wrong_code" {
			t.Fatalf("code in another flow: %v", err)
		}
		if _, err := e.verify(t, "", code); codeOf(err) != "flow_expired" {
			t.Fatalf("code without flow: %v", err)
		}
	})
	t.Run("ConcurrentCorrectGuessesSucceedOnce", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.send(t, "", "jo@fabrikam.com")
		code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 10 {
			wg.Go(func() {
				if res, err := e.verify(t, flow, code); err == nil && res.NeedConsent {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d of 10 racing verifications won, want 1", wins)
		}
	})
	t.Run("EmailOTPDisabled", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		off := guestpass.EmailOTPDisabled
		if _, err := e.svc.UpdateTenant(t.Context(), nil, e.tenant.ID, &guestpass.TenantPatch{EmailOTP: &off}); err == nil {
			t.Fatal("nil actor updated a tenant")
		}
		op := mustOperator(t, e)
		if _, err := e.svc.UpdateTenant(t.Context(), op, e.tenant.ID, &guestpass.TenantPatch{EmailOTP: &off}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: e.tenant.ID, Email: "jo@fabrikam.com", Client: client})
		if codeOf(err) != "email_otp_disabled" || guestpass.KindOf(err) != guestpass.KindForbidden {
			t.Fatalf("send with email OTP disabled: %v", err)
		}
		settle()
		if n := len(e.mailer.sent(guestpass.MailCode, "jo@fabrikam.com")); n != 0 {
			t.Fatalf("%d code emails sent", n)
		}
	})
}

func mustOperator(t *testing.T, e *env) *guestpass.AdminToken {
	t.Helper()
	secret, _, err := e.svc.CreateAdminToken(t.Context(), nil, "", "op")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.svc.Authenticate(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fnErrorStore records the errors its Updates' functions returned. On
// PostgreSQL such an error fails the whole transaction, which may be
// shared with other requests' writes (group commit).
type fnErrorStore struct {
	guestpass.Store
	guestpass.MailQueue
	mu   sync.Mutex
	errs []error
}

func (s *fnErrorStore) Update(ctx context.Context, fn func(guestpass.Tx) error) error {
	return s.Store.Update(ctx, func(tx guestpass.Tx) error {
		err := fn(tx)
		if err != nil {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
		}
		return err
	})
}

func (s *fnErrorStore) failed() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.errs)
}

// TestVerifyWithoutCodeCommits: a guess in a flow that has no code to
// guess (a made-up flow token, a spent code, a code out of attempts) is
// refused without failing its transaction, since it charged nothing:
// anyone can post such guesses, and on PostgreSQL each failure would make
// every write sharing the transaction run again.
func TestVerifyWithoutCodeCommits(t *testing.T) {
	var fs *fnErrorStore
	e := newEnvOn(t, func(st guestpass.Store) guestpass.Store {
		fs = &fnErrorStore{Store: st, MailQueue: st.(guestpass.MailQueue)}
		return fs
	})
	e.invite(t, "jo@fabrikam.com")
	spent := e.send(t, "", "jo@fabrikam.com")
	code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
	if _, err := e.verify(t, spent, code); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(31 * time.Second)
	guessed := e.send(t, "", "jo@fabrikam.com")
	for range guestpass.DefaultLimits().CodeAttempts {
		if _, err := e.verify(t, guessed, "00000000"); err == nil {
			t.Fatal("a made-up code was accepted")
		}
	}
	for _, c := range []struct{ name, flow, want string }{
		{"MadeUpFlow", "made-up-flow-token-0123456789", "flow_expired"},
		{"SpentCode", spent, "flow_expired"},
		{"NoAttemptsLeft", guessed, "code_used_up"},
	} {
		if _, err := e.verify(t, c.flow, code); codeOf(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if errs := fs.failed(); len(errs) != 0 {
		t.Errorf("transactions failed by refusals: %v", errs)
	}
}
