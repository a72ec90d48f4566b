package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/sms"
)

// Config is read once, from flags and their GUESTPASS_* twins (DESIGN §8).
// Packages get typed fields from it, never the struct itself.
type Config struct {
	Addr           string
	BaseURL        string
	Database       string
	SMTPURL        string
	MailFrom       string
	CookieDomain   string
	TrustedProxies string
	Demo           bool
	SecretKeyFile  string
	LogLevel       string
	// SMS through a Twilio-compatible provider; all empty: the console.
	SMSAPIURL     string
	SMSAccountSID string
	SMSAuthToken  string
	SMSFrom       string
}

// DefaultConfig holds the documented defaults.
func DefaultConfig() Config {
	return Config{
		Addr:      "127.0.0.1:8080",
		BaseURL:   "http://localhost:8080",
		Database:  "sqlite:guestpass.db",
		MailFrom:  "GuestPass <no-reply@localhost>",
		LogLevel:  "info",
		SMSAPIURL: sms.DefaultAPIURL,
	}
}

// flagSpec ties a flag to its environment twin.
type flagSpec struct {
	name, env, usage string
	str              *string
	boolean          *bool
}

func (c *Config) specs() []flagSpec {
	return []flagSpec{
		{"addr", "GUESTPASS_ADDR", "listen address", &c.Addr, nil},
		{"base-url", "GUESTPASS_BASE_URL", "public base URL (links in email, OIDC issuer)", &c.BaseURL, nil},
		{"database", "GUESTPASS_DATABASE", "sqlite:PATH, or postgres://...", &c.Database, nil},
		{"smtp-url", "GUESTPASS_SMTP_URL", "smtp://user:pass@host:587 or smtps://...; empty prints mail to the console (development only)", &c.SMTPURL, nil},
		{"mail-from", "GUESTPASS_MAIL_FROM", "sender address of every email", &c.MailFrom, nil},
		{"cookie-domain", "GUESTPASS_COOKIE_DOMAIN", "parent domain of proxied apps, for forward auth", &c.CookieDomain, nil},
		{"trusted-proxies", "GUESTPASS_TRUSTED_PROXIES", "comma-separated CIDRs whose X-Forwarded-* headers are believed", &c.TrustedProxies, nil},
		{"demo", "GUESTPASS_DEMO", "create a demo tenant and invitation and print them", nil, &c.Demo},
		{"secret-key-file", "GUESTPASS_SECRET_KEY_FILE", "file with base64 of >= 32 random bytes; SQLite default: guestpass.key beside the database, created on first start", &c.SecretKeyFile, nil},
		{"log-level", "GUESTPASS_LOG_LEVEL", "debug, info, warn or error", &c.LogLevel, nil},
		{"sms-api-url", "GUESTPASS_SMS_API_URL", "base URL of a Twilio-compatible Messages API", &c.SMSAPIURL, nil},
		{"sms-account-sid", "GUESTPASS_SMS_ACCOUNT_SID", "SMS provider account SID; empty prints texts to the console (development only)", &c.SMSAccountSID, nil},
		{"sms-auth-token", "GUESTPASS_SMS_AUTH_TOKEN", "SMS provider auth token (prefer the environment twin: flags show in ps)", &c.SMSAuthToken, nil},
		{"sms-from", "GUESTPASS_SMS_FROM", "sender number (E.164) or sender ID of texts", &c.SMSFrom, nil},
	}
}

// register adds the named flags (all when names is empty) to fs, with usage
// text naming the environment twin.
func (c *Config) register(fs *flag.FlagSet, names ...string) []flagSpec {
	var used []flagSpec
	for _, sp := range c.specs() {
		if len(names) > 0 && !contains(names, sp.name) {
			continue
		}
		usage := fmt.Sprintf("%s (env %s)", sp.usage, sp.env)
		if sp.boolean != nil {
			fs.BoolVar(sp.boolean, sp.name, *sp.boolean, usage)
		} else {
			fs.StringVar(sp.str, sp.name, *sp.str, usage)
		}
		used = append(used, sp)
	}
	return used
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseFlags parses args; an environment twin applies where its flag was
// not given.
func parseFlags(fs *flag.FlagSet, specs []flagSpec, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, sp := range specs {
		v, ok := os.LookupEnv(sp.env)
		if !ok || given[sp.name] {
			continue
		}
		if err := fs.Set(sp.name, v); err != nil {
			return fmt.Errorf("%s=%q: %w", sp.env, v, err)
		}
	}
	return nil
}

// Validate checks the values that can be checked without side effects.
func (c *Config) Validate() error {
	if _, err := guestpass.ParseBaseURL(c.BaseURL); err != nil {
		return err
	}
	if _, err := c.proxies(); err != nil {
		return err
	}
	if err := c.checkCookieDomain(); err != nil {
		return err
	}
	if _, _, err := c.databaseKind(); err != nil {
		return err
	}
	if _, err := c.twilio(); err != nil {
		return err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.LogLevel)
	}
	return nil
}

// twilio is the configured SMS provider, or nil for the console.
func (c *Config) twilio() (*sms.Twilio, error) {
	if c.SMSAccountSID == "" && c.SMSAuthToken == "" && c.SMSFrom == "" {
		return nil, nil
	}
	t, err := sms.NewTwilio(sms.TwilioOptions{APIURL: c.SMSAPIURL, AccountSID: c.SMSAccountSID, AuthToken: c.SMSAuthToken, From: c.SMSFrom})
	if err != nil {
		return nil, fmt.Errorf("--sms-account-sid, --sms-auth-token and --sms-from go together: %w", err)
	}
	return t, nil
}

func (c *Config) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not a CIDR or address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// checkCookieDomain accepts an empty --cookie-domain, or a domain name
// that the base URL's host is, or is under: a browser refuses a Domain
// cookie from any other host.
func (c *Config) checkCookieDomain() error {
	if c.CookieDomain == "" {
		return nil
	}
	d, err := guestpass.ParseDomain(strings.TrimPrefix(c.CookieDomain, "."))
	if err != nil || !strings.Contains(d, ".") {
		return fmt.Errorf("--cookie-domain %q is not a domain name like example.com", c.CookieDomain)
	}
	base, err := guestpass.ParseBaseURL(c.BaseURL)
	if err != nil {
		return err
	}
	host := strings.ToLower(base.Hostname())
	if host != d && !strings.HasSuffix(host, "."+d) {
		return fmt.Errorf("--cookie-domain %s must be the base URL's host %s or a parent of it", d, host)
	}
	if base.Scheme != "https" && !strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("--cookie-domain needs an https base URL (or one on *.localhost): the forward-auth cookie is Secure")
	}
	c.CookieDomain = d
	return nil
}

// databaseKind splits --database into its kind and location.
func (c *Config) databaseKind() (kind, location string, err error) {
	switch {
	case strings.HasPrefix(c.Database, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(c.Database, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("--database sqlite: needs a file path, like sqlite:guestpass.db")
		}
		return "sqlite", path, nil
	case strings.HasPrefix(c.Database, "postgres://"), strings.HasPrefix(c.Database, "postgresql://"):
		return "postgres", c.Database, nil
	}
	return "", "", fmt.Errorf("--database must be sqlite:PATH or postgres://..., not %q", c.Database)
}

// keyFile is where the secret key lives: the flag, or beside a SQLite file.
func (c *Config) keyFile() (path string, create bool, err error) {
	if c.SecretKeyFile != "" {
		return c.SecretKeyFile, false, nil
	}
	kind, loc, err := c.databaseKind()
	if err != nil {
		return "", false, err
	}
	if kind != "sqlite" {
		return "", false, errors.New("--secret-key-file (GUESTPASS_SECRET_KEY_FILE) is required with PostgreSQL: every node needs the same key")
	}
	return filepath.Join(filepath.Dir(loc), "guestpass.key"), true, nil
}
