package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

const appUsage = `usage: guestpass app <command> --tenant TID [flags]

commands:
  create --name N --type oidc --redirect-uri URI... [--public] [--id-token-alg RS256|ES256]
  create --name N --type proxy --host HOST...
                              register an app; an oidc app's client secret is
                              printed this once
  update APPID [--name N] [--redirect-uri URI...] [--host HOST...]
         [--assignment allGuests|assignedGuests] [--guest GUESTID...] [--require-mfa=true|false]
         [--id-token-alg RS256|ES256]
  list                        list the tenant's apps
  get APPID                   show one app
  rotate-secret APPID         issue a new client secret (the old one works 24 h more)
  delete APPID                delete an app

create also takes --assignment, --guest (repeatable: the assigned guests) and
--require-mfa. Every command takes --server (env GUESTPASS_SERVER) and --token
(env GUESTPASS_TOKEN).
`

// runApp manages a tenant's applications through the admin API.
func runApp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, appUsage)
		return errors.New("app: expected create, update, list, get, rotate-secret or delete")
	}
	switch cmd := args[0]; cmd {
	case "create":
		return appWrite(ctx, cmd, args[1:], 0, stdout, stderr)
	case "update":
		return appWrite(ctx, cmd, args[1:], 1, stdout, stderr)
	case "list":
		return appSimple(ctx, cmd, http.MethodGet, "", args[1:], 0, stdout, stderr)
	case "get":
		return appSimple(ctx, cmd, http.MethodGet, "", args[1:], 1, stdout, stderr)
	case "delete":
		return appSimple(ctx, cmd, http.MethodDelete, "", args[1:], 1, stdout, stderr)
	case "rotate-secret":
		return appSimple(ctx, cmd, http.MethodPost, "rotateSecret", args[1:], 1, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, appUsage)
		return nil
	default:
		fmt.Fprint(stderr, appUsage)
		return fmt.Errorf("app: unknown command %q", cmd)
	}
}

// appWrite creates an app, or updates one with only the flags given.
func appWrite(ctx context.Context, cmd string, args []string, positional int, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("app "+cmd, "--tenant TID [flags]", stderr)
	conn.register(fs)
	tenant := fs.String("tenant", "", "the tenant's id (required)")
	name := fs.String("name", "", "display name shown to guests")
	typ := fs.String("type", "", "oidc or proxy")
	public := fs.Bool("public", false, "oidc: a public client (no secret; PKCE required)")
	fs.String("assignment", "", "allGuests (default) or assignedGuests")
	fs.String("id-token-alg", "", "oidc: sign ID tokens with RS256 (default) or ES256")
	requireMFA := fs.Bool("require-mfa", false, "ask for a second factor on this app even where the tenant does not")
	var redirects, hosts, guests stringList
	fs.Var(&redirects, "redirect-uri", "oidc: a redirect URI (repeatable)")
	fs.Var(&hosts, "host", "proxy: a host or *.wildcard, optionally :port (repeatable)")
	fs.Var(&guests, "guest", "an assigned guest's id (repeatable)")
	pos, err := parseArgs(fs, args, positional)
	if err != nil {
		return err
	}
	body := map[string]any{}
	given := setFlags(fs)
	for flagName, field := range map[string]string{"name": "displayName", "type": "type", "assignment": "assignment",
		"id-token-alg": "idTokenSignedResponseAlg"} {
		if given[flagName] {
			body[field] = fs.Lookup(flagName).Value.String()
		}
	}
	if given["public"] {
		body["public"] = *public
	}
	if given["require-mfa"] {
		body["requireMfa"] = *requireMFA
	}
	for flagName, l := range map[string]stringList{"redirect-uri": redirects, "host": hosts, "guest": guests} {
		if given[flagName] {
			field := map[string]string{"redirect-uri": "redirectUris", "host": "hosts", "guest": "assignedGuestIds"}[flagName]
			body[field] = []string(l)
		}
	}
	if cmd == "create" && (*name == "" || *typ == "") {
		fs.Usage()
		return errors.New("app create: --name and --type are required")
	}
	c, path, err := appTarget(fs, conn, *tenant, pos...)
	if err != nil {
		return err
	}
	method := http.MethodPost
	if cmd == "update" {
		method = http.MethodPatch
	}
	data, err := c.do(ctx, method, path, nil, body)
	if err != nil {
		return fmt.Errorf("app %s: %w", cmd, err)
	}
	return printJSON(stdout, data)
}

func appSimple(ctx context.Context, cmd, method, suffix string, args []string, positional int, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("app "+cmd, "--tenant TID", stderr)
	conn.register(fs)
	tenant := fs.String("tenant", "", "the tenant's id (required)")
	pos, err := parseArgs(fs, args, positional)
	if err != nil {
		return err
	}
	c, path, err := appTarget(fs, conn, *tenant, pos...)
	if err != nil {
		return err
	}
	if suffix != "" {
		path += "/" + suffix
	}
	var data []byte
	if cmd == "list" {
		data, err = c.list(ctx, path, url.Values{}, 100)
	} else {
		data, err = c.do(ctx, method, path, nil, nil)
	}
	if err != nil {
		return fmt.Errorf("app %s: %w", cmd, err)
	}
	return printJSON(stdout, data)
}

func appTarget(fs *flag.FlagSet, conn apiFlags, tenant string, id ...string) (*apiClient, string, error) {
	if tenant == "" {
		fs.Usage()
		return nil, "", errors.New("app: --tenant is required")
	}
	c, err := conn.client()
	if err != nil {
		return nil, "", err
	}
	path, err := apiPath(append([]string{"tenants", tenant, "applications"}, id...)...)
	return c, path, err
}
