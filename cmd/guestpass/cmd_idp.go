package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

const idpUsage = `usage: guestpass idp <command> --tenant TID [flags]

commands:
  create --name N --issuer URL --client-id ID --domain D... [--scope S...]
         [--client-secret-file PATH]
                              register an upstream OpenID provider for the
                              guests of the given email domains; the answer's
                              redirectUri is the callback to register upstream
  update IDPID [--name N] [--issuer URL] [--client-id ID] [--domain D...]
         [--scope S...] [--client-secret-file PATH]
  list                        list the tenant's identity providers
  get IDPID                   show one identity provider
  delete IDPID                delete one (its guests are refused until an admin
                              resets their redemption)

The client secret is read from --client-secret-file or the environment variable
GUESTPASS_IDP_CLIENT_SECRET, never from a flag (flags show in ps). Saving fetches
the issuer's discovery document. Every command takes --server (env
GUESTPASS_SERVER) and --token (env GUESTPASS_TOKEN).
`

// runIDP manages a tenant's identity providers through the admin API.
func runIDP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, idpUsage)
		return errors.New("idp: expected create, update, list, get or delete")
	}
	switch cmd := args[0]; cmd {
	case "create":
		return idpWrite(ctx, cmd, args[1:], 0, stdout, stderr)
	case "update":
		return idpWrite(ctx, cmd, args[1:], 1, stdout, stderr)
	case "list", "get", "delete":
		return idpSimple(ctx, cmd, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, idpUsage)
		return nil
	default:
		fmt.Fprint(stderr, idpUsage)
		return fmt.Errorf("idp: unknown command %q", cmd)
	}
}

// idpWrite creates a provider, or updates one with only the flags given.
func idpWrite(ctx context.Context, cmd string, args []string, positional int, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("idp "+cmd, "--tenant TID [flags]", stderr)
	conn.register(fs)
	tenant := fs.String("tenant", "", "the tenant's id (required)")
	fs.String("name", "", "display name shown to guests")
	fs.String("issuer", "", "the provider's issuer URL (exactly as in its discovery document)")
	fs.String("client-id", "", "GuestPass's client id at the provider")
	secretFile := fs.String("client-secret-file", "", "a file holding the client secret")
	var domains, scopes stringList
	fs.Var(&domains, "domain", "an email domain whose guests sign in there (repeatable)")
	fs.Var(&scopes, "scope", "a scope to ask for (repeatable; default openid email)")
	pos, err := parseArgs(fs, args, positional)
	if err != nil {
		return err
	}
	body := map[string]any{}
	given := setFlags(fs)
	for flagName, field := range map[string]string{"name": "displayName", "issuer": "issuer", "client-id": "clientId"} {
		if given[flagName] {
			body[field] = fs.Lookup(flagName).Value.String()
		}
	}
	if given["domain"] {
		body["domains"] = []string(domains)
	}
	if given["scope"] {
		body["scopes"] = []string(scopes)
	}
	if secret, ok, err := clientSecret(*secretFile); err != nil {
		return err
	} else if ok {
		body["clientSecret"] = secret
	}
	if cmd == "create" {
		body["type"] = "oidc"
		if !given["name"] || !given["issuer"] || !given["client-id"] || !given["domain"] {
			fs.Usage()
			return errors.New("idp create: --name, --issuer, --client-id and --domain are required")
		}
	}
	c, path, err := idpTarget(fs, conn, *tenant, pos...)
	if err != nil {
		return err
	}
	method := http.MethodPost
	if cmd == "update" {
		method = http.MethodPatch
	}
	data, err := c.do(ctx, method, path, nil, body)
	if err != nil {
		return fmt.Errorf("idp %s: %w", cmd, err)
	}
	return printJSON(stdout, data)
}

// clientSecret reads the secret from file, else from the environment.
func clientSecret(file string) (string, bool, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false, fmt.Errorf("idp: client secret: %w", err)
		}
		return strings.TrimSpace(string(b)), true, nil
	}
	s, ok := os.LookupEnv("GUESTPASS_IDP_CLIENT_SECRET")
	return s, ok, nil
}

func idpSimple(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("idp "+cmd, "--tenant TID", stderr)
	conn.register(fs)
	tenant := fs.String("tenant", "", "the tenant's id (required)")
	positional := 1
	if cmd == "list" {
		positional = 0
	}
	pos, err := parseArgs(fs, args, positional)
	if err != nil {
		return err
	}
	c, path, err := idpTarget(fs, conn, *tenant, pos...)
	if err != nil {
		return err
	}
	var data []byte
	switch cmd {
	case "list":
		data, err = c.list(ctx, path, url.Values{}, 100)
	case "delete":
		data, err = c.do(ctx, http.MethodDelete, path, nil, nil)
	default:
		data, err = c.do(ctx, http.MethodGet, path, nil, nil)
	}
	if err != nil {
		return fmt.Errorf("idp %s: %w", cmd, err)
	}
	return printJSON(stdout, data)
}

func idpTarget(fs *flag.FlagSet, conn apiFlags, tenant string, id ...string) (*apiClient, string, error) {
	if tenant == "" {
		fs.Usage()
		return nil, "", errors.New("idp: --tenant is required")
	}
	c, err := conn.client()
	if err != nil {
		return nil, "", err
	}
	path, err := apiPath(append([]string{"tenants", tenant, "identityProviders"}, id...)...)
	return c, path, err
}
