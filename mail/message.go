package mail

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/guestpass/guestpass"
)

// prepare checks everything that becomes a header and renders the bodies.
// Its failures are permanent: the same message would fail the same way on
// every retry. Both transports use it, so the console in development
// refuses exactly what SMTP would refuse in production.
func prepare(m *guestpass.Message) (*Rendered, *netmail.Address, error) {
	if m == nil {
		return nil, nil, permanent(errors.New("no message"))
	}
	if err := headerSafe("To", m.To); err != nil {
		return nil, nil, permanent(err)
	}
	if err := headerSafe("ToName", m.ToName); err != nil {
		return nil, nil, permanent(err)
	}
	to, err := recipient(m.To, m.ToName)
	if err != nil {
		return nil, nil, permanent(err)
	}
	r, err := Render(m)
	if err != nil {
		return nil, nil, permanent(err)
	}
	if err := headerSafe("Subject", r.Subject); err != nil {
		return nil, nil, permanent(err)
	}
	return r, to, nil
}

func permanent(err error) error {
	return fmt.Errorf("mail: %w: %w", err, guestpass.ErrMailPermanent)
}

// headerSafe refuses CR and LF, with which a value could end its header
// line and start new headers or the body (header injection).
func headerSafe(field, value string) error {
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("%s contains CR or LF: refused (header injection)", field)
	}
	return nil
}

// recipient wants a bare address ("guest@example.com"); the display name
// comes separately so that a name can never smuggle in a second address.
func recipient(addr, name string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return nil, fmt.Errorf("invalid recipient address %q", addr)
	}
	return &netmail.Address{Name: strings.TrimSpace(name), Address: a.Address}, nil
}
