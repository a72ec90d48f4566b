package sms

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/guestpass/guestpass"
)

// Console is the development TextSender used when no provider is
// configured: it prints each message behind a loud banner instead of
// sending it. Like mail.Console it may show a code outside the message it
// belongs in, so it must never be used in production. It is safe for
// concurrent use.
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

var _ guestpass.TextSender = (*Console)(nil)

// NewConsole prints to w (usually the process's stdout or stderr).
func NewConsole(w io.Writer) *Console { return &Console{w: w} }

const consoleBanner = "DEVELOPMENT ONLY: no SMS provider configured; this text was NOT sent.\n" +
	"Set --sms-account-sid, --sms-auth-token and --sms-from to deliver it."

// SendText refuses what a provider would refuse (a number not in E.164)
// with the same permanent error, and prints the rest.
func (c *Console) SendText(ctx context.Context, to, body string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console sms: %w", err)
	}
	if !ValidNumber(to) {
		return fmt.Errorf("console sms: %w: %q is not an E.164 number", guestpass.ErrTextPermanent, to)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintf(c.w, "\n%s\nTo: %s\n%s\n", consoleBanner, to, body); err != nil {
		return fmt.Errorf("console sms: %w", err)
	}
	return nil
}

// ValidNumber reports whether s is an E.164 number (guestpass.IsE164, the
// rule numbers are stored by).
func ValidNumber(s string) bool { return guestpass.IsE164(s) }
