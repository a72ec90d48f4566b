package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// runInvite invites a guest through the admin API and prints the
// invitation, whose inviteRedeemUrl is shown this once.
func runInvite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var conn apiFlags
	fs := newFlagSet("invite", "--tenant TID --email E [flags]", stderr)
	conn.register(fs)
	tenant := fs.String("tenant", "", "the inviting tenant's id (required)")
	email := fs.String("email", "", "the guest's email address (required)")
	name := fs.String("display-name", "", "the guest's name")
	redirect := fs.String("redirect-url", "", "where the guest lands after redemption (default: the tenant's app list)")
	message := fs.String("message", "", "a personal message in the invitation email")
	language := fs.String("language", "", "language of the invitation email, like en-US")
	noEmail := fs.Bool("no-email", false, "do not email the invitation; hand out the printed inviteRedeemUrl yourself")
	reset := fs.Bool("reset-redemption", false, "make an accepted guest redeem again (signs the guest out)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *tenant == "" || *email == "" {
		fs.Usage()
		return fmt.Errorf("invite: --tenant and --email are required")
	}
	c, err := conn.client()
	if err != nil {
		return err
	}
	path, err := apiPath("tenants", *tenant, "invitations")
	if err != nil {
		return err
	}
	body := map[string]any{
		"invitedUserEmailAddress": *email,
		"invitedUserDisplayName":  *name,
		"inviteRedirectUrl":       *redirect,
		"sendInvitationMessage":   !*noEmail,
		"resetRedemption":         *reset,
		"invitedUserMessageInfo":  map[string]string{"customizedMessageBody": *message, "messageLanguage": *language},
	}
	data, err := c.do(ctx, http.MethodPost, path, nil, body)
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	return printJSON(stdout, data)
}
