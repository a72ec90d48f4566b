package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
)

const tenantUsage = `usage: guestpass tenant <command> [flags]

commands:
  create --display-name N [settings]   create a tenant (operator token)
  get TID                              show one tenant
  list                                 list tenants
  update TID [settings]                change only the settings given

Run 'guestpass tenant <command> --help' for flags. Every command takes
--server (env GUESTPASS_SERVER) and --token (env GUESTPASS_TOKEN).
`

// runTenant manages tenants through the admin API.
func runTenant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, tenantUsage)
		return errors.New("tenant: expected create, get, list or update")
	}
	switch args[0] {
	case "create":
		return tenantWrite(ctx, args[1:], stdout, stderr, false)
	case "update":
		return tenantWrite(ctx, args[1:], stdout, stderr, true)
	case "get":
		return tenantGet(ctx, args[1:], stdout, stderr)
	case "list":
		return tenantList(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, tenantUsage)
		return nil
	}
	fmt.Fprint(stderr, tenantUsage)
	return fmt.Errorf("tenant: unknown command %q", args[0])
}

// tenantSettings are the flags of create and update. Only flags given on the
// command line are sent, so update changes nothing else and create leaves
// the rest to the server's defaults.
type tenantSettings struct {
	displayName, emailOTP                       string
	codeLifetime, sessionLifetime, invitationTL string
	quota                                       int
	requireMFA                                  bool
	verified, allowed, blocked, mfaMethods      stringList
}

func (t *tenantSettings) register(fs *flag.FlagSet) {
	fs.StringVar(&t.displayName, "display-name", "", "the organization's name, shown to guests")
	fs.Var(&t.verified, "verified-domain", "the organization's own `domain` (repeatable; members are not guests)")
	fs.StringVar(&t.emailOTP, "email-otp", "", "email one-time passcode sign-in: default, enabled or disabled")
	fs.StringVar(&t.codeLifetime, "code-lifetime", "", "lifetime of an emailed code, a `duration` like 30m or PT30M (5m-60m)")
	fs.StringVar(&t.sessionLifetime, "session-lifetime", "", "lifetime of a guest session, a `duration` like 24h (1h-168h)")
	fs.StringVar(&t.invitationTL, "invitation-lifetime", "", "lifetime of an invitation link, a `duration` like 720h or P30D (1d-365d)")
	fs.IntVar(&t.quota, "invitation-quota", 0, "invitations per day (default 500)")
	fs.BoolVar(&t.requireMFA, "require-mfa", false, "require a second factor from guests (--require-mfa=false to turn off)")
	fs.Var(&t.mfaMethods, "mfa-method", "a `kind` of second factor guests may use: totp, passkey or sms (repeatable or comma-separated; default all)")
	fs.Var(&t.allowed, "allowed-domain", "only guests of this `domain` may be invited (repeatable, *.d for subdomains; '' clears on update)")
	fs.Var(&t.blocked, "blocked-domain", "guests of this `domain` may not be invited (repeatable, *.d for subdomains; '' clears on update)")
}

// body is the JSON of the flags that were given.
func (t *tenantSettings) body(given map[string]bool) map[string]any {
	all := map[string]struct {
		field string
		v     any
	}{
		"display-name": {"displayName", t.displayName}, "verified-domain": {"verifiedDomains", []string(t.verified)},
		"email-otp": {"emailOtp", t.emailOTP}, "code-lifetime": {"codeLifetime", t.codeLifetime},
		"session-lifetime": {"sessionLifetime", t.sessionLifetime}, "invitation-lifetime": {"invitationLifetime", t.invitationTL},
		"invitation-quota": {"invitationQuotaPerDay", t.quota}, "require-mfa": {"requireMfaForGuests", t.requireMFA},
		"mfa-method": {"mfaMethods", []string(t.mfaMethods)}, "allowed-domain": {"allowedDomains", []string(t.allowed)},
		"blocked-domain": {"blockedDomains", []string(t.blocked)},
	}
	body := map[string]any{}
	for flagName, f := range all {
		if given[flagName] {
			body[f.field] = f.v
		}
	}
	return body
}

func tenantWrite(ctx context.Context, args []string, stdout, stderr io.Writer, update bool) error {
	name, synopsis, npos := "tenant create", "--display-name N [flags]", 0
	if update {
		name, synopsis, npos = "tenant update", "TID [flags]", 1
	}
	var conn apiFlags
	var set tenantSettings
	fs := newFlagSet(name, synopsis, stderr)
	conn.register(fs)
	set.register(fs)
	pos, err := parseArgs(fs, args, npos)
	if err != nil {
		return err
	}
	given := setFlags(fs)
	if !update && !given["display-name"] {
		return errors.New("tenant create: --display-name is required")
	}
	c, err := conn.client()
	if err != nil {
		return err
	}
	method, path := http.MethodPost, "/api/v1/tenants"
	if update {
		method = http.MethodPatch
		if path, err = apiPath("tenants", pos[0]); err != nil {
			return err
		}
	}
	data, err := c.do(ctx, method, path, nil, set.body(given))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return printJSON(stdout, data)
}

func tenantGet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("tenant get", "TID", stderr)
	conn.register(fs)
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	c, err := conn.client()
	if err != nil {
		return err
	}
	path, err := apiPath("tenants", pos[0])
	if err != nil {
		return err
	}
	data, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return fmt.Errorf("tenant get: %w", err)
	}
	return printJSON(stdout, data)
}

func tenantList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("tenant list", "[--page-size N]", stderr)
	conn.register(fs)
	pageSize := fs.Int("page-size", 100, "tenants fetched per request; every page is printed")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	c, err := conn.client()
	if err != nil {
		return err
	}
	data, err := c.list(ctx, "/api/v1/tenants", nil, *pageSize)
	if err != nil {
		return fmt.Errorf("tenant list: %w", err)
	}
	return printJSON(stdout, data)
}
