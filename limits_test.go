package guestpass_test

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

// TestNoEnumeration: an invited, an unknown, a disabled and a not-invited
// (expired invitation) address get the same answer and only the invited one
// gets mail. (The HTTP-level check of page, status and timing is in web.)
func TestNoEnumeration(t *testing.T) {
	e := newEnv(t)
	e.invite(t, "invited@fabrikam.com")
	dis := e.invite(t, "disabled@fabrikam.com")
	op := mustOperator(t, e)
	off := false
	if _, err := e.svc.UpdateGuest(t.Context(), op, e.tenant.ID, dis.Guest.ID, &guestpass.GuestPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	e.invite(t, "expired@fabrikam.com")
	e.clock.Advance(30*24*time.Hour + time.Second) // the two invitations above expire
	e.invite(t, "invited@fabrikam.com")            // a fresh one for the invited guest

	for _, addr := range []string{"invited@fabrikam.com", "unknown@fabrikam.com", "disabled@fabrikam.com", "expired@fabrikam.com"} {
		res, err := e.svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: e.tenant.ID, Email: addr, Client: client})
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		if res.FlowToken == "" || res.MaskedMail != addr[:1]+"•••@fabrikam.com" {
			t.Fatalf("%s: result %+v", addr, res)
		}
		// A guess is answered alike too: the decoy flow counts attempts.
		if _, err := e.verify(t, res.FlowToken, "12345678"); codeOf(err) != "wrong_code" && addr != "invited@fabrikam.com" {
			t.Fatalf("%s: guess answered %v", addr, err)
		}
	}
	e.waitCodes(t, "invited@fabrikam.com", 1)
	settle()
	for _, addr := range []string{"unknown@fabrikam.com", "disabled@fabrikam.com", "expired@fabrikam.com"} {
		if n := len(e.mailer.sent(guestpass.MailCode, addr)); n != 0 {
			t.Errorf("%s got %d code emails", addr, n)
		}
	}
	logs, _, err := e.svc.ListAudit(t.Context(), op, e.tenant.ID, guestpass.AuditSignIn, guestpass.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, l := range logs {
		if l.Action == "code.send" {
			reasons[l.Reason] = true
		}
	}
	for _, want := range []string{"", "unknown_address", "guest_disabled", "invitation_expired"} {
		if !reasons[want] {
			t.Errorf("audit lacks code.send reason %q: %v", want, reasons)
		}
	}
}

func TestSendLimits(t *testing.T) {
	t.Run("SecondSendWithin30sLooksSentButIsNot", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		flow := e.send(t, "", "jo@fabrikam.com")
		e.clock.Advance(10 * time.Second)
		if again := e.send(t, flow, "jo@fabrikam.com"); again != flow {
			t.Fatalf("flow changed")
		}
		code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
		settle()
		if n := len(e.mailer.sent(guestpass.MailCode, "jo@fabrikam.com")); n != 1 {
			t.Fatalf("%d code emails, want 1", n)
		}
		if _, err := e.verify(t, flow, code); err != nil {
			t.Fatalf("first code after a limited send: %v", err)
		}
	})
	t.Run("TenPerAddressPerHour", func(t *testing.T) {
		e := newEnv(t)
		e.invite(t, "jo@fabrikam.com")
		for range 12 {
			e.send(t, "", "jo@fabrikam.com") // a new flow each time
		}
		e.waitCodes(t, "jo@fabrikam.com", 10)
		settle()
		if n := len(e.mailer.sent(guestpass.MailCode, "jo@fabrikam.com")); n != 10 {
			t.Fatalf("%d code emails in an hour, want 10", n)
		}
		e.clock.Advance(6 * time.Minute) // one token refills
		e.send(t, "", "jo@fabrikam.com")
		e.waitCodes(t, "jo@fabrikam.com", 11)
	})
}

// TestLockout: 20 failures per address per hour, across codes and flows,
// lock code sign-in for an hour, with a notice email and an audit event.
func TestLockout(t *testing.T) {
	e := newEnv(t)
	e.invite(t, "jo@fabrikam.com")
	var code, flow string
	failures := 0
	for n := 1; failures < 20; n++ {
		flow = e.send(t, "", "jo@fabrikam.com")
		code = e.waitCodes(t, "jo@fabrikam.com", n)[n-1]
		e.clock.Advance(31 * time.Second)
		for i := 0; i < 5 && failures < 20; i++ {
			_, err := e.verify(t, flow, wrongCode(code))
			failures++
			want := "wrong_code"
			switch {
			case failures == 20:
				want = "locked"
			case i == 4:
				want = "wrong_code_last"
			}
			if codeOf(err) != want {
				t.Fatalf("failure %d: %v, want %s", failures, err, want)
			}
		}
		if n > 4 {
			t.Fatal("too many rounds")
		}
	}
	// Locked: even a correct fresh code is refused, and no code is mailed.
	e.clock.Advance(6 * time.Minute)
	flow = e.send(t, "", "jo@fabrikam.com")
	settle()
	if _, err := e.verify(t, flow, code); codeOf(err) != "locked" {
		t.Fatalf("while locked: %v", err)
	}
	if n := len(e.mailer.sent(guestpass.MailLockNotice, "jo@fabrikam.com")); n != 1 {
		t.Fatalf("%d lock notices, want 1", n)
	}
	sent := len(e.mailer.sent(guestpass.MailCode, "jo@fabrikam.com"))
	if sent != 4 {
		t.Fatalf("%d code emails, want 4 (none while locked)", sent)
	}
	e.clock.Advance(time.Hour)
	flow = e.send(t, "", "jo@fabrikam.com")
	code = e.waitCodes(t, "jo@fabrikam.com", 5)[4]
	if _, err := e.verify(t, flow, code); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	t.Run("UnknownAddressLocksToo", func(t *testing.T) {
		failures := 0
		for failures < 21 {
			flow := e.send(t, "", "ghost@fabrikam.com")
			e.clock.Advance(31 * time.Second)
			for i := 0; i < 5 && failures < 21; i++ {
				_, err := e.verify(t, flow, "12345678")
				failures++
				if failures >= 20 && codeOf(err) != "locked" {
					t.Fatalf("failure %d on an unknown address: %v", failures, err)
				}
			}
		}
	})
}

// TestUndeliveredCodeDropped: a code email still undelivered when its code
// expires is dropped and audited, never sent late.
func TestUndeliveredCodeDropped(t *testing.T) {
	e := newEnv(t)
	e.invite(t, "jo@fabrikam.com")
	e.mailer.setFail(errTemporary)
	e.send(t, "", "jo@fabrikam.com")
	time.Sleep(300 * time.Millisecond) // first attempt fails
	e.clock.Advance(31 * time.Minute)
	e.mailer.setFail(nil)
	op := mustOperator(t, e)
	deadline := time.Now().Add(15 * time.Second)
	for {
		logs, _, err := e.svc.ListAudit(t.Context(), op, e.tenant.ID, guestpass.AuditMail, guestpass.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		dropped := false
		for _, l := range logs {
			dropped = dropped || l.Action == "mail.drop"
		}
		if dropped {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail.drop audit event: %+v", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(e.mailer.sent(guestpass.MailCode, "jo@fabrikam.com")); n != 0 {
		t.Fatalf("expired code was mailed %d times", n)
	}
}

var errTemporary = guestpass.Errorf(guestpass.KindUnavailable, "smtp_down", "451 try later")

// TestGuessWhileLockedCostsNothing: a guess at a locked address is
// refused before it is compared, and its charges roll back: however many
// come, the network's budget is left for others.
func TestGuessWhileLockedCostsNothing(t *testing.T) {
	l := guestpass.DefaultLimits()
	l.GuestFailures = guestpass.Limit{Burst: 2, Per: time.Hour}
	l.VerifyPerIP = guestpass.Limit{Burst: 5, Per: time.Hour}
	path, clock, mailer := cluster(t)
	e := newNode(t, path, clock, mailer, nil, withLimits(l))
	var err error
	e.tenant, err = e.svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso", VerifiedDomains: []string{"contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	e.invite(t, "jo@fabrikam.com")
	e.invite(t, "al@fabrikam.com")
	flow := e.send(t, "", "jo@fabrikam.com")
	code := e.waitCodes(t, "jo@fabrikam.com", 1)[0]
	for i, want := range []string{"wrong_code", "locked", "locked", "locked", "locked", "locked", "locked"} {
		if _, err := e.verify(t, flow, wrongCode(code)); codeOf(err) != want {
			t.Fatalf("guess %d: %v, want %s", i+1, err, want)
		}
	}
	// Two of the network's five guesses were spent; five more were refused
	// for the lock. A guess for another address still gets through.
	flow = e.send(t, "", "al@fabrikam.com")
	if _, err := e.verify(t, flow, e.waitCodes(t, "al@fabrikam.com", 1)[0]); err != nil {
		t.Fatalf("another address after guesses at a locked one: %v", err)
	}
}
