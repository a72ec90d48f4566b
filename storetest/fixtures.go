package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func newTenant(tb testing.TB, created time.Time) *guestpass.Tenant {
	tb.Helper()
	return &guestpass.Tenant{
		ID:              newID(tb),
		DisplayName:     "Contoso",
		VerifiedDomains: []string{"contoso.com", "contoso.de"},
		Settings: guestpass.TenantSettings{
			EmailOTP:              guestpass.EmailOTPEnabled,
			CodeLifetime:          30 * time.Minute,
			SessionLifetime:       24 * time.Hour,
			InvitationLifetime:    30 * 24 * time.Hour,
			InvitationQuotaPerDay: 500,
			RequireMFAForGuests:   true,
			MFAMethods:            []guestpass.MFAKind{guestpass.MFATOTP, guestpass.MFASMS},
			AllowedDomains:        []string{"fabrikam.com"},
		},
		CreatedAt: created,
		UpdatedAt: created,
	}
}

func mustTenant(tb testing.TB, s guestpass.Store) *guestpass.Tenant {
	tb.Helper()
	t := newTenant(tb, at(0))
	must(tb, s.CreateTenant(tb.Context(), t))
	return t
}

func newGuest(tb testing.TB, tenantID, mail string, created time.Time) *guestpass.Guest {
	tb.Helper()
	return &guestpass.Guest{
		ID:          newID(tb),
		TenantID:    tenantID,
		Mail:        mail,
		DisplayName: "Jo Guest",
		State:       guestpass.GuestPendingAcceptance,
		InvitedBy:   "admin-1",
		InvitedAt:   created,
		// A value from the start, so every round trip checks the column.
		RedeemedWith: guestpass.IDPMail,
		CreatedAt:    created,
		UpdatedAt:    created,
	}
}

func mustGuest(tb testing.TB, s guestpass.Store, tenantID, mail string) *guestpass.Guest {
	tb.Helper()
	g := newGuest(tb, tenantID, mail, at(0))
	must(tb, s.CreateGuest(tb.Context(), g))
	return g
}

func newInvitation(tb testing.TB, g *guestpass.Guest, created time.Time) *guestpass.Invitation {
	tb.Helper()
	return &guestpass.Invitation{
		ID:            newID(tb),
		TenantID:      g.TenantID,
		GuestID:       g.ID,
		InvitedBy:     "admin-1",
		RedirectURL:   "https://apps.contoso.com/",
		Message:       "Welcome",
		TicketHash:    randomHash(tb),
		Status:        guestpass.InvitationPending,
		SendCount:     1,
		LastMailID:    newID(tb),
		DeliveryState: guestpass.DeliveryQueued,
		ExpiresAt:     created.Add(30 * 24 * time.Hour),
		CreatedAt:     created,
		UpdatedAt:     created,
	}
}

func mustInvitation(tb testing.TB, s guestpass.Store, g *guestpass.Guest, created time.Time) *guestpass.Invitation {
	tb.Helper()
	inv := newInvitation(tb, g, created)
	must(tb, s.CreateInvitation(tb.Context(), inv))
	return inv
}

func newFlow(tb testing.TB, tenantID string) *guestpass.Flow {
	tb.Helper()
	return &guestpass.Flow{
		IDHash:        randomHash(tb),
		TenantID:      tenantID,
		Mail:          "jo@fabrikam.com",
		InvitationID:  "inv-1",
		ReturnTo:      "https://apps.contoso.com/x",
		AppID:         "app-1",
		State:         guestpass.FlowCodeSent,
		CodeMAC:       randomHash(tb),
		CodeExpiresAt: at(30 * time.Minute),
		CodeSentAt:    at(0),
		AMR:           []string{"pwd"},
		IDP:           "https://idp.fabrikam.example",
		UpstreamID:    "idp-1",
		UpstreamState: randomHash(tb),
		UpstreamNonce: "nonce-1",
		// Sealed bytes in real use; any bytes here.
		UpstreamVerifier: randomHash(tb),
		CreatedAt:        at(0),
		ExpiresAt:        at(time.Hour),
	}
}

func mustFlow(tb testing.TB, s guestpass.Store, tenantID string) *guestpass.Flow {
	tb.Helper()
	f := newFlow(tb, tenantID)
	must(tb, s.CreateFlow(tb.Context(), f))
	return f
}

func newSession(tb testing.TB, g *guestpass.Guest, expires time.Time) *guestpass.Session {
	tb.Helper()
	return &guestpass.Session{
		TokenHash:      randomHash(tb),
		ID:             newID(tb),
		TenantID:       g.TenantID,
		GuestID:        g.ID,
		AuthTime:       at(0),
		AMR:            []string{"pwd", "mfa"},
		IDP:            "https://idp.fabrikam.example",
		ProxyTokenHash: randomHash(tb),
		CreatedAt:      at(0),
		ExpiresAt:      expires,
	}
}

func mustSession(tb testing.TB, s guestpass.Store, g *guestpass.Guest, expires time.Time) *guestpass.Session {
	tb.Helper()
	sess := newSession(tb, g, expires)
	must(tb, s.CreateSession(tb.Context(), sess))
	return sess
}
