package smtptest_test

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass/mail/smtptest"
)

func mustSend(tb testing.TB, srv *smtptest.Server, from string, to []string, data string) {
	tb.Helper()
	if err := trySend(srv, from, to, data); err != nil {
		tb.Fatalf("send: %v", err)
	}
}

func trySend(srv *smtptest.Server, from string, to []string, data string) error {
	return smtp.SendMail(srv.Addr(), nil, from, to, []byte(strings.ReplaceAll(data, "\n", "\r\n")))
}

const plain = "From: a@example.com\nTo: b@example.com\nSubject: hi\n\nhello\n"

func TestServer(t *testing.T) {
	t.Run("RecordsEnvelopeAndData", func(t *testing.T) {
		srv := smtptest.Start(t)
		if !strings.HasPrefix(srv.URL(), "smtp://127.0.0.1:") || !strings.HasSuffix(srv.URL(), srv.Addr()) {
			t.Errorf("URL %q, Addr %q", srv.URL(), srv.Addr())
		}
		mustSend(t, srv, "a@example.com", []string{"b@example.com", "c@example.com"}, plain)
		msgs := srv.Messages()
		if len(msgs) != 1 || srv.Count() != 1 {
			t.Fatalf("Messages() = %d, Count() = %d, want 1", len(msgs), srv.Count())
		}
		m := msgs[0]
		if m.From != "a@example.com" || strings.Join(m.To, ",") != "b@example.com,c@example.com" || m.TLS || m.User != "" {
			t.Errorf("envelope = %+v", m)
		}
		if m.Header("Subject") != "hi" || m.Text() != "hello\n" || m.HTML() != "" {
			t.Errorf("subject %q text %q html %q", m.Header("Subject"), m.Text(), m.HTML())
		}
	})
	t.Run("WaitForToMatchesAnyRecipientIgnoringCase", func(t *testing.T) {
		srv := smtptest.Start(t)
		go func() { _ = trySend(srv, "a@example.com", []string{"x@example.com", "Guest@Example.com"}, plain) }()
		if m := srv.WaitForTo(t, "guest@example.com"); m.From != "a@example.com" {
			t.Errorf("got %+v", m)
		}
	})
	t.Run("WaitForReturnsFirstMatch", func(t *testing.T) {
		srv := smtptest.Start(t)
		for _, s := range []string{"one", "two", "three"} {
			mustSend(t, srv, "a@example.com", []string{s + "@example.com"}, plain)
		}
		m := srv.WaitFor(t, func(m smtptest.Message) bool { return strings.HasPrefix(m.To[0], "t") })
		if m.To[0] != "two@example.com" {
			t.Errorf("got %v, want the first match", m.To)
		}
	})
	t.Run("WaitForFailsTheTestWhenNothingMatches", func(t *testing.T) {
		srv := smtptest.Start(t)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		rec := runRecorded(t, func(tb testing.TB) {
			srv.WaitForContext(ctx, tb, func(smtptest.Message) bool { return false })
		})
		if !strings.Contains(rec, "no matching message") {
			t.Errorf("fatal message = %q", rec)
		}
	})
	t.Run("AcceptsAuthPlain", func(t *testing.T) {
		srv := smtptest.Start(t)
		auth := smtp.PlainAuth("", "mailer", "pw", "127.0.0.1")
		err := smtp.SendMail(srv.Addr(), auth, "a@example.com", []string{"b@example.com"}, []byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		if u := srv.WaitForTo(t, "b@example.com").User; u != "mailer" {
			t.Errorf("User = %q", u)
		}
	})
	t.Run("ConcurrentDeliveries", func(t *testing.T) {
		srv := smtptest.Start(t)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := trySend(srv, "a@example.com", []string{"b@example.com"}, plain); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if srv.Count() != 10 {
			t.Errorf("Count = %d", srv.Count())
		}
	})
}

// runRecorded runs fn with a TB whose Fatal ends fn's goroutine and records
// the message, so a helper's failure path can be tested without failing t.
func runRecorded(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	rec := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.fatal
}

type recordingTB struct {
	testing.TB
	mu    sync.Mutex
	fatal string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func TestServerFailures(t *testing.T) {
	t.Run("SetFailureRefusesRecipients", func(t *testing.T) {
		srv := smtptest.Start(t)
		srv.SetFailure(550, "no such user")
		err := trySend(srv, "a@example.com", []string{"b@example.com"}, plain)
		if err == nil || !strings.Contains(err.Error(), "550") || !strings.Contains(err.Error(), "no such user") {
			t.Errorf("err = %v, want a 550 reply", err)
		}
		srv.SetFailure(451, "")
		if err := trySend(srv, "a@example.com", []string{"b@example.com"}, plain); err == nil || !strings.Contains(err.Error(), "451") {
			t.Errorf("err = %v, want a 451 reply", err)
		}
		srv.ClearFailure()
		mustSend(t, srv, "a@example.com", []string{"b@example.com"}, plain)
		if srv.Count() != 1 {
			t.Errorf("Count = %d, want only the mail sent after ClearFailure", srv.Count())
		}
	})
	t.Run("StopRefusesConnectionsAndRestartKeepsThePort", func(t *testing.T) {
		srv := smtptest.Start(t)
		addr := srv.Addr()
		srv.Stop()
		srv.Stop() // idempotent
		if err := trySend(srv, "a@example.com", []string{"b@example.com"}, plain); err == nil {
			t.Fatal("sent to a stopped server")
		}
		srv.Restart()
		srv.Restart() // no-op while running
		if srv.Addr() != addr {
			t.Errorf("Addr changed from %s to %s", addr, srv.Addr())
		}
		mustSend(t, srv, "a@example.com", []string{"b@example.com"}, plain)
	})
	t.Run("RestartFailsTheTestWhenThePortIsTaken", func(t *testing.T) {
		rec := runRecorded(t, func(tb testing.TB) {
			srv := smtptest.Start(tb)
			srv.Stop()
			l, err := net.Listen("tcp", srv.Addr())
			if err != nil {
				t.Errorf("take the port: %v", err)
				return
			}
			defer l.Close()
			srv.Restart()
		})
		if !strings.Contains(rec, "restart on") {
			t.Errorf("fatal message = %q", rec)
		}
	})
}
