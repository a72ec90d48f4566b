package guestpass_test

import (
	"fmt"
	"testing"

	"github.com/guestpass/guestpass"
)

// TestRevokeOIDCGrant: a replayed code's grant is refused by every reader
// of the session while the session lives on; a session with too many
// replayed grants is revoked whole.
func TestRevokeOIDCGrant(t *testing.T) {
	e := newEnv(t)
	e.invite(t, "jo@fabrikam.com")
	g := e.signedInGrant(t, "jo@fabrikam.com", 1)
	req := &guestpass.OIDCAuthRequest{ID: "grant-0", TenantID: e.tenant.ID, ClientID: "app", SessionID: g.Session.ID, GuestID: g.Session.GuestID}
	if err := e.svc.RevokeOIDCGrant(t.Context(), req, client); err != nil {
		t.Fatal(err)
	}
	a, err := e.svc.SessionByID(t.Context(), e.tenant.ID, g.Session.ID)
	if err != nil {
		t.Fatalf("the session ended with one of its grants: %v", err)
	}
	if !a.Session.GrantRevoked("grant-0") || a.Session.GrantRevoked("grant-1") {
		t.Fatalf("revoked grants %v", a.Session.RevokedGrants)
	}
	for i := 1; i <= 20; i++ {
		req.ID = fmt.Sprintf("grant-%d", i)
		if err := e.svc.RevokeOIDCGrant(t.Context(), req, client); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.SessionByID(t.Context(), e.tenant.ID, g.Session.ID); guestpass.KindOf(err) != guestpass.KindUnauthorized {
		t.Fatalf("a session with 21 replayed codes lives on: %v", err)
	}
	// A grant of a session that is gone revokes its refresh tokens only.
	req.SessionID = "no-such-session"
	if err := e.svc.RevokeOIDCGrant(t.Context(), req, client); err != nil {
		t.Fatal(err)
	}
}
