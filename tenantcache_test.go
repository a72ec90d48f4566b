package guestpass_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func TestTenantReadsHitMemory(t *testing.T) {
	e, counted := countingNode(t, filepath.Join(t.TempDir(), "gp.db"), guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)), &recordingMailer{})
	var err error
	if e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	e.invite(t, "jo@fabrikam.com")
	before := counted.tenantReads.Load()
	for range 20 {
		e.send(t, "", "jo@fabrikam.com")
		if _, err := e.svc.PublicTenant(t.Context(), e.tenant.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := counted.tenantReads.Load() - before; n > 1 {
		t.Fatalf("20 sends and 20 page views read the tenant from the database %d times, want at most 1", n)
	}
	// What a caller does to its copy stays its own.
	got, err := e.svc.PublicTenant(t.Context(), e.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.DisplayName = "changed by a caller"
	if again, _ := e.svc.PublicTenant(t.Context(), e.tenant.ID); again.DisplayName != "Contoso" {
		t.Fatalf("cached tenant modified through a caller's copy: %q", again.DisplayName)
	}
	t.Run("UnknownTenant", func(t *testing.T) {
		for range 2 {
			if _, err := e.svc.PublicTenant(t.Context(), "no-such-tenant"); guestpass.KindOf(err) != guestpass.KindNotFound {
				t.Fatalf("unknown tenant: %v", err)
			}
		}
	})
}

func TestTenantChangeReachesEveryNode(t *testing.T) {
	path, clock, mailer := cluster(t)
	a := newNode(t, path, clock, mailer, nil)
	b := newNode(t, path, clock, mailer, nil)
	var err error
	if a.tenant, err = a.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	b.tenant = a.tenant
	testTenantChangeReachesEveryNode(t, a, b)
}

// testTenantChangeReachesEveryNode changes on a the settings of a tenant
// that b holds in memory, and checks that b acts on them within a second.
func testTenantChangeReachesEveryNode(t *testing.T, a, b *env) {
	op := mustOperator(t, a)
	a.invite(t, "jo@fabrikam.com")
	b.send(t, "", "jo@fabrikam.com") // b now holds the tenant
	name := "Contoso Ltd"
	disabled := guestpass.EmailOTPDisabled
	if _, err := a.svc.UpdateTenant(t.Context(), op, a.tenant.ID, &guestpass.TenantPatch{DisplayName: &name, EmailOTP: &disabled}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		_, sendErr := b.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: b.tenant.ID, Email: "jo@fabrikam.com", Client: client})
		got, err := b.svc.PublicTenant(t.Context(), b.tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		var e *guestpass.Error
		if errors.As(sendErr, &e) && e.Code == "email_otp_disabled" && got.DisplayName == name {
			t.Logf("node B followed the tenant change after %v", time.Since(start))
			return
		}
		if time.Since(start) > time.Second {
			t.Fatalf("a second after the change node B still sends codes (%v) or shows %q", sendErr, got.DisplayName)
		}
		time.Sleep(time.Millisecond)
	}
}
