package main

import (
	"context"
	"fmt"

	"github.com/guestpass/guestpass"
)

const (
	demoTenantName = "Contoso (demo)"
	demoGuest      = "partner@fabrikam.example"
)

// demo makes (or reuses) a demo tenant, invites a demo guest and prints
// what a newcomer needs to try the flow.
func (m *Main) demo(ctx context.Context) error {
	t, err := m.demoTenant(ctx)
	if err != nil {
		return fmt.Errorf("demo tenant: %w", err)
	}
	inv, err := m.Service.InviteLocal(ctx, t.ID, guestpass.InviteRequest{Email: demoGuest, DisplayName: "Demo Partner",
		SendMessage: true, MessageBody: "Welcome! This invitation was made by guestpass serve --demo."})
	if err != nil {
		return fmt.Errorf("demo invitation: %w", err)
	}
	token, _, err := m.Service.CreateAdminToken(ctx, nil, "", "demo operator")
	if err != nil {
		return fmt.Errorf("demo token: %w", err)
	}
	fmt.Fprintf(m.Stdout, `
==================== GuestPass demo ====================
Tenant          %s (id %s)
Invited guest   %s
Invitation link %s
Sign-in page    %s
Operator token  %s
  try: curl -H "Authorization: Bearer %s" %s/api/v1/tenants
No SMTP is configured: the invitation and code emails are printed here.
========================================================
`, t.DisplayName, t.ID, demoGuest, inv.RedeemURL, m.Service.TenantURL(t.ID, "/signin"), token, token, m.Config.BaseURL)
	return nil
}

func (m *Main) demoTenant(ctx context.Context) (*guestpass.Tenant, error) {
	after := ""
	for {
		ts, next, err := m.Store.ListTenants(ctx, guestpass.Page{Limit: 500, After: after})
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.DisplayName == demoTenantName {
				return t, nil
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	return m.Service.CreateTenantLocal(ctx, &guestpass.Tenant{DisplayName: demoTenantName, VerifiedDomains: []string{"contoso.example"}})
}
