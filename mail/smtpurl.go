package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// smtpConfig is a parsed --smtp-url.
type smtpConfig struct {
	host            string
	port            int
	implicitTLS     bool // smtps://: TLS from the first byte
	requireSTARTTLS bool // smtp://...?starttls=required
	skipVerify      bool // test rigs only
	user, pass      string
}

// addr is host:port, with IPv6 brackets where needed.
func (c *smtpConfig) addr() string { return net.JoinHostPort(c.host, strconv.Itoa(c.port)) }

// parseSMTPURL reads smtp://[user:pass@]host[:port][?starttls=required]
// and smtps://[user:pass@]host[:port]. Errors never echo the URL, which may
// hold a password.
func parseSMTPURL(raw string) (*smtpConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error would repeat the whole URL, password included
		}
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	c := &smtpConfig{}
	switch u.Scheme {
	case "":
		return nil, errors.New("smtp url: no scheme (want smtp://host or smtps://host)")
	case "smtp":
		c.port = 587
	case "smtps":
		c.port, c.implicitTLS = 465, true
	default:
		return nil, fmt.Errorf("smtp url: scheme %q not supported (want smtp:// or smtps://)", u.Scheme)
	}
	if err := c.setHostPort(u); err != nil {
		return nil, err
	}
	if err := c.setUser(u.User); err != nil {
		return nil, err
	}
	if err := c.setQuery(u.RawQuery); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *smtpConfig) setHostPort(u *url.URL) error {
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return errors.New("smtp url: no host (want smtp://host[:port])")
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("smtp url: unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return errors.New("smtp url: unexpected fragment")
	}
	c.host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("smtp url: bad port %q (want 1-65535)", p)
		}
		c.port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return errors.New("smtp url: empty port")
	}
	return nil
}

func (c *smtpConfig) setUser(ui *url.Userinfo) error {
	if ui == nil {
		return nil
	}
	pass, ok := ui.Password()
	if ui.Username() == "" || !ok || pass == "" {
		return errors.New("smtp url: credentials need both user and password (user:pass@host)")
	}
	c.user, c.pass = ui.Username(), pass
	return nil
}

// setQuery accepts only the documented options, so a typo fails at start
// instead of silently sending without the intended TLS.
func (c *smtpConfig) setQuery(raw string) error {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return fmt.Errorf("smtp url: bad query: %w", err)
	}
	for key, vals := range q {
		if len(vals) != 1 {
			return fmt.Errorf("smtp url: option %q given %d times", key, len(vals))
		}
		if err := c.setOption(key, vals[0]); err != nil {
			return err
		}
	}
	return nil
}

func (c *smtpConfig) setOption(key, val string) error {
	switch key {
	case "starttls":
		if c.implicitTLS {
			return errors.New("smtp url: starttls does not apply to smtps:// (TLS is implicit)")
		}
		switch val {
		case "required":
			c.requireSTARTTLS = true
		case "opportunistic":
			c.requireSTARTTLS = false
		default:
			return fmt.Errorf("smtp url: starttls=%q (want required or opportunistic)", val)
		}
	case "tls_skip_verify":
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("smtp url: tls_skip_verify=%q (want true or false)", val)
		}
		c.skipVerify = b
	default:
		return fmt.Errorf("smtp url: unknown option %q (known: starttls, tls_skip_verify)", key)
	}
	return nil
}
