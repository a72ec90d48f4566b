package mail_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/mail"
)

const banner = "DEVELOPMENT ONLY: no SMTP configured; this mail was NOT sent"

// lockedBuffer lets the race detector judge Console's locking, not the
// buffer's.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestConsole(t *testing.T) {
	t.Run("PrintsBannerHeadersAndCode", func(t *testing.T) {
		var out bytes.Buffer
		if err := mail.NewConsole(&out).Send(t.Context(), codeMessage("jane@example.com")); err != nil {
			t.Fatal(err)
		}
		checkContains(t, "console", out.String(), banner, "To:      Jane Roe <jane@example.com>",
			"Subject: Your sign-in code for Contoso", "04711123")
	})
	t.Run("PrintsInvitationLink", func(t *testing.T) {
		var out bytes.Buffer
		m := invitationMessage("j@example.com")
		if err := mail.NewConsole(&out).Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		checkContains(t, "console", out.String(), banner, m.Link)
	})
	t.Run("ConcurrentMailsDoNotInterleave", func(t *testing.T) {
		var out lockedBuffer
		c := mail.NewConsole(&out)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := c.Send(t.Context(), codeMessage("jane@example.com")); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		mails := strings.Split(out.String(), banner)[1:]
		if len(mails) != 10 {
			t.Fatalf("printed %d banners, want 10", len(mails))
		}
		for _, m := range mails {
			if strings.Count(m, "04711123") != 1 {
				t.Errorf("mails interleaved:\n%s", m)
			}
		}
	})
	t.Run("RefusesHeaderInjection", func(t *testing.T) {
		var out bytes.Buffer
		m := codeMessage("jane@example.com")
		m.ToName = "Jane\r\nBcc: evil@example.com"
		checkPermanent(t, mail.NewConsole(&out).Send(t.Context(), m))
		if out.Len() != 0 {
			t.Errorf("printed a refused mail:\n%s", out.String())
		}
	})
	t.Run("ReportsWriteFailure", func(t *testing.T) {
		err := mail.NewConsole(failingWriter{}).Send(t.Context(), codeMessage("jane@example.com"))
		if !errors.Is(err, errDiskFull) {
			t.Errorf("error = %v, want the writer's", err)
		}
		if errors.Is(err, guestpass.ErrMailPermanent) {
			t.Error("a write failure is not permanent")
		}
	})
	t.Run("HonoursCancelledContext", func(t *testing.T) {
		var out bytes.Buffer
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := mail.NewConsole(&out).Send(ctx, codeMessage("jane@example.com")); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
		if out.Len() != 0 {
			t.Error("printed after cancellation")
		}
	})
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
