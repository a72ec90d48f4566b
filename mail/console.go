package mail

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/guestpass/guestpass"
)

// Console is the development Mailer used when no SMTP server is configured:
// it prints each rendered mail's text part to a writer behind a loud
// banner instead of sending it. By design this is the one place where a
// code or invitation link appears outside an email (DESIGN §6), so it must
// never be used in production. It is safe for concurrent use; mails are
// never interleaved.
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

var _ guestpass.Mailer = (*Console)(nil)

// NewConsole prints to w (usually os.Stderr).
func NewConsole(w io.Writer) *Console { return &Console{w: w} }

const (
	consoleRule   = "=========================================================================="
	consoleBanner = "DEVELOPMENT ONLY: no SMTP configured; this mail was NOT sent.\n" +
		"It is printed here instead and may hold a sign-in code or invitation link.\n" +
		"Set --smtp-url (GUESTPASS_SMTP_URL) to deliver mail. Never run like this in production."
)

// Send renders m and prints it. It refuses what SMTP would refuse (CR/LF in
// headers, bad recipient) with the same permanent error.
func (c *Console) Send(ctx context.Context, m *guestpass.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console mail: %w", err)
	}
	r, to, err := prepare(m)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n%s\n%s\n", consoleRule, consoleBanner, consoleRule)
	fmt.Fprintf(&b, "To:      %s\nSubject: %s\nKind:    %s (%s)\n", displayAddress(to.Name, to.Address), r.Subject, m.Kind, r.Lang)
	fmt.Fprintf(&b, "%s\n%s\n%s\n", strings.Repeat("-", len(consoleRule)), strings.TrimRight(r.Text, "\n"), consoleRule)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, b.String()); err != nil {
		return fmt.Errorf("console mail: %w", err)
	}
	return nil
}

func displayAddress(name, addr string) string {
	if name == "" {
		return "<" + addr + ">"
	}
	return name + " <" + addr + ">"
}
