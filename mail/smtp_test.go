package mail_test

import (
	"context"
	"errors"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/mail"
	"github.com/guestpass/guestpass/mail/smtptest"
)

const testFrom = "GuestPass <no-reply@guestpass.test>"

var eightDigits = regexp.MustCompile(`\b\d{8}\b`)

func mustSMTP(tb testing.TB, rawURL string, opts ...mail.Option) *mail.SMTP {
	tb.Helper()
	s, err := mail.NewSMTP(rawURL, testFrom, opts...)
	if err != nil {
		tb.Fatalf("NewSMTP(%q): %v", rawURL, err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func codeMessage(to string) *guestpass.Message {
	return &guestpass.Message{
		Kind: guestpass.MailCode, To: to, ToName: "Jane Roe", Locale: "en",
		TenantName: "Contoso", Code: "04711123",
		ExpiresAt: time.Date(2030, 5, 17, 9, 30, 0, 0, time.UTC),
	}
}

func invitationMessage(to string) *guestpass.Message {
	return &guestpass.Message{
		Kind: guestpass.MailInvitation, To: to, ToName: "Jürgen Groß", Locale: "de-CH",
		TenantName: "Contoso", InviterName: "Alice Admin", Body: "Willkommen!",
		Link:      "https://guestpass.test/t/7d1c/redeem?ticket=abc",
		ExpiresAt: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC),
	}
}

func TestSMTPSend(t *testing.T) {
	t.Run("DeliversTextAndHTMLWithHeaders", func(t *testing.T) {
		srv := smtptest.Start(t)
		now := time.Date(2030, 5, 17, 9, 0, 0, 0, time.UTC)
		s := mustSMTP(t, srv.URL(), mail.WithClock(guestpass.NewFakeClock(now)))
		if err := s.Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatalf("Send: %v", err)
		}
		got := srv.WaitForTo(t, "jane@example.com")
		checkEnvelope(t, got, "no-reply@guestpass.test", "jane@example.com")
		wantHeaders := map[string]string{
			"From":           `"GuestPass" <no-reply@guestpass.test>`,
			"To":             `"Jane Roe" <jane@example.com>`,
			"Subject":        "Your sign-in code for Contoso",
			"Auto-Submitted": "auto-generated",
		}
		for name, want := range wantHeaders {
			if h := got.Header(name); h != want {
				t.Errorf("header %s = %q, want %q", name, h, want)
			}
		}
		if d, err := netmail.ParseDate(got.Header("Date")); err != nil || !d.Equal(now) {
			t.Errorf("Date = %q (%v), want the injected clock's %v", got.Header("Date"), err, now)
		}
		if ct := got.Header("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
			t.Errorf("Content-Type = %q, want multipart/alternative", ct)
		}
		checkCode(t, got.Text(), "04711123")
		checkCode(t, got.HTML(), "04711123")
	})
	t.Run("EncodesNonASCIINameAndSubject", func(t *testing.T) {
		srv := smtptest.Start(t)
		if err := mustSMTP(t, srv.URL()).Send(t.Context(), invitationMessage("juergen@example.com")); err != nil {
			t.Fatalf("Send: %v", err)
		}
		got := srv.WaitForTo(t, "juergen@example.com")
		if h := got.Header("To"); !strings.Contains(h, "Jürgen Groß") {
			t.Errorf("To = %q, want the display name decoded intact", h)
		}
		if h := got.Header("Subject"); h != "Alice Admin hat Sie zu Contoso eingeladen" {
			t.Errorf("Subject = %q", h)
		}
		if h := got.Header("Content-Language"); h != "de" {
			t.Errorf("Content-Language = %q, want de", h)
		}
		if !strings.Contains(got.Text(), "https://guestpass.test/t/7d1c/redeem?ticket=abc") {
			t.Errorf("text part lacks the raw link:\n%s", got.Text())
		}
	})
	t.Run("AuthenticatesWithURLCredentials", func(t *testing.T) {
		srv := smtptest.Start(t)
		url := "smtp://mailer:s3cret@" + srv.Addr()
		if err := mustSMTP(t, url).Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if got := srv.WaitForTo(t, "jane@example.com"); got.User != "mailer" {
			t.Errorf("AUTH user = %q, want mailer", got.User)
		}
	})
	t.Run("ReusesSessions", func(t *testing.T) {
		srv := smtptest.Start(t)
		s := mustSMTP(t, srv.URL())
		for i := range 5 {
			if err := s.Send(t.Context(), codeMessage(string(rune('a'+i))+"@example.com")); err != nil {
				t.Fatalf("Send %d: %v", i, err)
			}
		}
		if srv.Count() != 5 || srv.Sessions() != 1 {
			t.Errorf("%d messages over %d connections, want 5 over 1", srv.Count(), srv.Sessions())
		}
	})
	t.Run("DroppedSessionIsReplaced", func(t *testing.T) {
		// The server restarts between two messages and so drops the kept
		// session: the second goes out on a new one, once, without error.
		srv := smtptest.Start(t)
		s := mustSMTP(t, srv.URL())
		if err := s.Send(t.Context(), codeMessage("a@example.com")); err != nil {
			t.Fatal(err)
		}
		srv.Stop()
		srv.Restart()
		if err := s.Send(t.Context(), codeMessage("b@example.com")); err != nil {
			t.Fatalf("Send after the server dropped the session: %v", err)
		}
		if srv.Count() != 2 || srv.Sessions() != 2 {
			t.Errorf("%d messages over %d connections, want 2 over 2", srv.Count(), srv.Sessions())
		}
	})
	t.Run("CancelledSendLeavesKeptSessionsAlone", func(t *testing.T) {
		// A Send's ctx bounds that Send only: a session kept after it
		// serves the next Send even though the first ctx has ended.
		srv := smtptest.Start(t)
		s := mustSMTP(t, srv.URL())
		ctx, cancel := context.WithCancel(t.Context())
		if err := s.Send(ctx, codeMessage("a@example.com")); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := s.Send(t.Context(), codeMessage("b@example.com")); err != nil {
			t.Fatal(err)
		}
		if srv.Sessions() != 1 {
			t.Errorf("%d connections, want 1", srv.Sessions())
		}
	})
	t.Run("ConcurrentSends", func(t *testing.T) {
		srv := smtptest.Start(t)
		s := mustSMTP(t, srv.URL())
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() { errs <- s.Send(t.Context(), codeMessage(string(rune('a'+i))+"@example.com")) }()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("Send: %v", err)
			}
		}
		if srv.Count() != n {
			t.Errorf("delivered %d, want %d", srv.Count(), n)
		}
	})
}

func checkEnvelope(tb testing.TB, m smtptest.Message, from, to string) {
	tb.Helper()
	if m.From != from || len(m.To) != 1 || m.To[0] != to {
		tb.Errorf("envelope from %q to %q, want from %q to [%q]", m.From, m.To, from, to)
	}
}

func checkCode(tb testing.TB, body, code string) {
	tb.Helper()
	if got := eightDigits.FindAllString(body, -1); len(got) != 1 || got[0] != code {
		tb.Errorf("8-digit runs in body = %q, want exactly [%q]:\n%s", got, code, body)
	}
}

func TestSMTPTLS(t *testing.T) {
	t.Run("ImplicitTLS", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.WithImplicitTLS())
		if err := mustSMTP(t, srv.URL()+"?tls_skip_verify=true").Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if got := srv.WaitForTo(t, "jane@example.com"); !got.TLS {
			t.Error("message did not travel over TLS")
		}
	})
	t.Run("OpportunisticSTARTTLSUpgrades", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.WithSTARTTLS())
		if err := mustSMTP(t, srv.URL()+"?tls_skip_verify=true").Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if got := srv.WaitForTo(t, "jane@example.com"); !got.TLS {
			t.Error("server offered STARTTLS but the message went in plain text")
		}
	})
	t.Run("OpportunisticWithoutSTARTTLSSendsPlain", func(t *testing.T) {
		srv := smtptest.Start(t)
		if err := mustSMTP(t, srv.URL()).Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatalf("Send: %v", err)
		}
	})
	t.Run("RequiredSTARTTLSMissingIsTemporary", func(t *testing.T) {
		srv := smtptest.Start(t)
		err := mustSMTP(t, srv.URL()+"?starttls=required").Send(t.Context(), codeMessage("jane@example.com"))
		checkTemporary(t, err)
		checkNothingSent(t, srv)
	})
	t.Run("UnverifiedCertificateIsRefused", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.WithImplicitTLS())
		err := mustSMTP(t, srv.URL()).Send(t.Context(), codeMessage("jane@example.com"))
		checkTemporary(t, err)
		checkNothingSent(t, srv)
	})
}

func checkTemporary(tb testing.TB, err error) {
	tb.Helper()
	if err == nil {
		tb.Fatal("Send succeeded, want an error")
	}
	if errors.Is(err, guestpass.ErrMailPermanent) {
		tb.Errorf("error is permanent, want temporary: %v", err)
	}
}

func checkPermanent(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, guestpass.ErrMailPermanent) {
		tb.Errorf("error = %v, want one wrapping ErrMailPermanent", err)
	}
}

func checkNothingSent(tb testing.TB, srv *smtptest.Server) {
	tb.Helper()
	if n := srv.Count(); n != 0 {
		tb.Errorf("server received %d messages, want none", n)
	}
}

func TestSMTPFailures(t *testing.T) {
	t.Run("451IsTemporary", func(t *testing.T) {
		srv := smtptest.Start(t)
		srv.SetFailure(451, "try again later")
		err := mustSMTP(t, srv.URL()).Send(t.Context(), codeMessage("jane@example.com"))
		checkTemporary(t, err)
		if !strings.Contains(err.Error(), "451") {
			t.Errorf("error %q does not name the SMTP reply", err)
		}
		checkNothingSent(t, srv)
	})
	t.Run("550IsPermanent", func(t *testing.T) {
		srv := smtptest.Start(t)
		srv.SetFailure(550, "no such user")
		err := mustSMTP(t, srv.URL()).Send(t.Context(), codeMessage("jane@example.com"))
		checkPermanent(t, err)
		if !strings.Contains(err.Error(), "no such user") {
			t.Errorf("error %q does not carry the server's reason", err)
		}
		checkNothingSent(t, srv)
	})
	t.Run("ClearedFailureDelivers", func(t *testing.T) {
		srv := smtptest.Start(t)
		s := mustSMTP(t, srv.URL())
		srv.SetFailure(451, "")
		checkTemporary(t, s.Send(t.Context(), codeMessage("jane@example.com")))
		srv.ClearFailure()
		if err := s.Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatalf("Send after ClearFailure: %v", err)
		}
	})
	t.Run("ServerDownIsTemporaryUntilRestart", func(t *testing.T) {
		srv := smtptest.Start(t)
		s := mustSMTP(t, srv.URL())
		srv.Stop()
		checkTemporary(t, s.Send(t.Context(), codeMessage("jane@example.com")))
		srv.Restart()
		if err := s.Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatalf("Send after Restart: %v", err)
		}
		srv.WaitForTo(t, "jane@example.com")
	})
	t.Run("StalledServerStopsAtContextDeadline", func(t *testing.T) {
		addr := stalledServer(t)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		err := mustSMTP(t, "smtp://"+addr).Send(ctx, codeMessage("jane@example.com"))
		checkTemporary(t, err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
		}
	})
	t.Run("CancelledContextSendsNothing", func(t *testing.T) {
		srv := smtptest.Start(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := mustSMTP(t, srv.URL()).Send(ctx, codeMessage("jane@example.com"))
		checkTemporary(t, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want it to wrap context.Canceled", err)
		}
		checkNothingSent(t, srv)
	})
}

// stalledServer accepts connections and never answers, like a mail server
// that hangs; it is the one case smtptest cannot play.
func stalledServer(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	tb.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

func TestSMTPRefusesBeforeConnecting(t *testing.T) {
	cases := map[string]func(m *guestpass.Message){
		"CRInToName":       func(m *guestpass.Message) { m.ToName = "Jane\rBcc: evil@example.com" },
		"LFInToName":       func(m *guestpass.Message) { m.ToName = "Jane\nBcc: evil@example.com" },
		"CRLFInTo":         func(m *guestpass.Message) { m.To = "jane@example.com\r\nBcc: evil@example.com" },
		"CRLFInSubject":    func(m *guestpass.Message) { m.TenantName = "Contoso\r\nBcc: evil@example.com" },
		"InvalidRecipient": func(m *guestpass.Message) { m.To = "not an address" },
		"NamedRecipient":   func(m *guestpass.Message) { m.To = "Evil <evil@example.com>" },
		"TwoRecipients":    func(m *guestpass.Message) { m.To = "jane@example.com, evil@example.com" },
		"UnrenderableCode": func(m *guestpass.Message) { m.Code = "123" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.Start(t)
			m := codeMessage("jane@example.com")
			mutate(m)
			err := mustSMTP(t, srv.URL()).Send(t.Context(), m)
			checkPermanent(t, err)
			checkNothingSent(t, srv)
		})
	}
	t.Run("NilMessage", func(t *testing.T) {
		checkPermanent(t, mustSMTP(t, "smtp://127.0.0.1:1").Send(t.Context(), nil))
	})
}

func TestNewSMTP(t *testing.T) {
	bad := map[string]string{
		"":                                            "no scheme",
		"localhost:25":                                "scheme",
		"ftp://mail.example.com":                      "scheme",
		"smtp://":                                     "no host",
		"smtp://:25":                                  "no host",
		"smtp:mail.example.com":                       "no host",
		"smtp://mail.example.com:":                    "empty port",
		"smtp://mail.example.com:0":                   "bad port",
		"smtp://mail.example.com:65536":               "bad port",
		"smtp://mail.example.com:smtp":                "port",
		"smtp://mail.example.com/relay":               "path",
		"smtp://mail.example.com#x":                   "fragment",
		"smtp://user@mail.example.com":                "password",
		"smtp://:s3cret@mail.example.com":             "user and password",
		"smtp://mail.example.com?starttls=x":          "starttls",
		"smtps://mail.example.com?starttls=required":  "smtps",
		"smtp://mail.example.com?tls_skip_verify=yes": "tls_skip_verify",
		"smtp://mail.example.com?tls=true":            "unknown option",
		"smtp://mail.example.com?starttls=required&starttls=required": "2 times",
		"smtp://u:s3cret@mail.example.com:bad":                        "port",
		"smtp://u:s3cret@mail example.com":                            "",
	}
	for raw, want := range bad {
		t.Run("Rejects "+raw, func(t *testing.T) {
			_, err := mail.NewSMTP(raw, testFrom)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
	badFrom := []string{"", "no-reply", "GuestPass <no-reply@localhost", "GuestPass <no-reply@localhost>\r\nBcc: evil@example.com"}
	for _, from := range badFrom {
		t.Run("RejectsFrom "+from, func(t *testing.T) {
			if _, err := mail.NewSMTP("smtp://localhost", from); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	good := []string{"smtp://localhost", "smtp://127.0.0.1:1025", "smtps://u:p%40ss@mail.example.com",
		"smtp://[::1]:2525/?starttls=required", "smtp://mail.example.com?tls_skip_verify=false&starttls=opportunistic"}
	for _, raw := range good {
		t.Run("Accepts "+raw, func(t *testing.T) {
			if _, err := mail.NewSMTP(raw, "no-reply@localhost"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
