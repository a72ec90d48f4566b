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

const guestUsage = `usage: guestpass guest <command> --tenant TID [flags]

commands:
  list [--state S]            list all guests (S: pendingAcceptance, accepted, disabled)
  get GUESTID                 show one guest
  disable GUESTID             disable a guest and sign it out everywhere
  enable GUESTID              enable a disabled guest
  delete GUESTID              delete a guest, its invitations and sessions
  revoke-sessions GUESTID     sign a guest out everywhere

Every command takes --server (env GUESTPASS_SERVER) and --token
(env GUESTPASS_TOKEN).
`

// guestAction is one guest command on a single guest: the request it makes.
type guestAction struct {
	method string
	suffix string // after .../guests/{id}
	body   any
}

var guestActions = map[string]guestAction{
	"get":             {http.MethodGet, "", nil},
	"disable":         {http.MethodPatch, "", map[string]bool{"accountEnabled": false}},
	"enable":          {http.MethodPatch, "", map[string]bool{"accountEnabled": true}},
	"delete":          {http.MethodDelete, "", nil},
	"revoke-sessions": {http.MethodPost, "revokeSignInSessions", nil},
}

// runGuest manages a tenant's guests through the admin API.
func runGuest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, guestUsage)
		return errors.New("guest: expected list, get, disable, enable, delete or revoke-sessions")
	}
	switch cmd := args[0]; cmd {
	case "list":
		return guestList(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, guestUsage)
		return nil
	default:
		if a, ok := guestActions[cmd]; ok {
			return guestDo(ctx, cmd, a, args[1:], stdout, stderr)
		}
		fmt.Fprint(stderr, guestUsage)
		return fmt.Errorf("guest: unknown command %q", cmd)
	}
}

func guestList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("guest list", "--tenant TID [--state S]", stderr)
	conn.register(fs)
	tenant := fs.String("tenant", "", "the tenant's id (required)")
	state := fs.String("state", "", "only guests in this state: pendingAcceptance, accepted or disabled")
	pageSize := fs.Int("page-size", 100, "guests fetched per request; every page is printed")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	c, path, err := guestTarget(fs, conn, *tenant)
	if err != nil {
		return err
	}
	q := url.Values{}
	if *state != "" {
		q.Set("state", *state)
	}
	data, err := c.list(ctx, path, q, *pageSize)
	if err != nil {
		return fmt.Errorf("guest list: %w", err)
	}
	return printJSON(stdout, data)
}

func guestDo(ctx context.Context, cmd string, a guestAction, args []string, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("guest "+cmd, "--tenant TID GUESTID", stderr)
	conn.register(fs)
	tenant := fs.String("tenant", "", "the tenant's id (required)")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	c, path, err := guestTarget(fs, conn, *tenant, pos[0])
	if err != nil {
		return err
	}
	if a.suffix != "" {
		path += "/" + a.suffix
	}
	data, err := c.do(ctx, a.method, path, nil, a.body)
	if err != nil {
		return fmt.Errorf("guest %s: %w", cmd, err)
	}
	return printJSON(stdout, data)
}

// guestTarget checks --tenant and returns the client and the path of the
// guests collection, or of one guest when id is given.
func guestTarget(fs *flag.FlagSet, conn apiFlags, tenant string, id ...string) (*apiClient, string, error) {
	if tenant == "" {
		fs.Usage()
		return nil, "", errors.New("guest: --tenant is required")
	}
	c, err := conn.client()
	if err != nil {
		return nil, "", err
	}
	path, err := apiPath(append([]string{"tenants", tenant, "guests"}, id...)...)
	return c, path, err
}
