package guestpass_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

// nodesPool is the pool size of each node in the limits test: the
// smallest that works (River's LISTEN connection holds one), so a
// transaction that waited for a second connection would hang the test.
const nodesPool = 2

// fanOut runs fn(i) for i in [0, n) at once and returns the error codes
// ("" for success).
func fanOut(n int, fn func(i int) error) []string {
	out := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := fn(i); err != nil {
				out[i] = codeOf(err)
			}
		})
	}
	wg.Wait()
	return out
}

func count(codes []string, want string) int {
	n := 0
	for _, c := range codes {
		if c == want {
			n++
		}
	}
	return n
}

// TestLimitsAcrossNodesPostgres spreads requests over three nodes on one
// PostgreSQL schema, each with a two-connection pool, and checks that every
// limit of DESIGN §3 holds for the cluster as a whole, not per node.
func TestLimitsAcrossNodesPostgres(t *testing.T) {
	nodes, clock := pgCluster(t, 3, nodesPool)
	node := func(i int) *env { return nodes[i%len(nodes)] }
	tenantID := nodes[0].tenant.ID
	verifyOn := func(i int, flow, code string) error {
		_, err := node(i).svc.VerifyCode(t.Context(), guestpass.VerifyCodeRequest{TenantID: tenantID, FlowToken: flow, Code: code, Client: client})
		return err
	}

	t.Run("GuessesPerCodeAndPerHour", func(t *testing.T) {
		const addr = "jo@fabrikam.com"
		nodes[0].invite(t, addr)
		wrong, locked := 0, false
		for round := 1; !locked; round++ {
			if round > 10 {
				t.Fatalf("not locked after %d rounds (%d wrong guesses)", round-1, wrong)
			}
			flow := node(round).send(t, "", addr)
			code := node(round).waitCodes(t, addr, round)[round-1]
			clock.Advance(31 * time.Second)
			// 12 wrong guesses at once, four per node.
			res := fanOut(12, func(i int) error { return verifyOn(i, flow, wrongCode(code)) })
			w := count(res, "wrong_code") + count(res, "wrong_code_last")
			if w > 5 {
				t.Fatalf("round %d: %d wrong guesses evaluated for one code, limit 5: %q", round, w, res)
			}
			wrong += w
			locked = count(res, "locked") > 0 // the 20th failure answers "locked"
			if count(res, "") > 0 {
				t.Fatalf("round %d: a wrong code was accepted: %q", round, res)
			}
		}
		// At most 19: the 20th failure answers "locked". Fewer is allowed: a
		// guess refused as code_used_up in a race may still spend the
		// address's budget, which errs on the safe side.
		if wrong > 19 {
			t.Fatalf("%d wrong guesses answered wrong_code in an hour, limit 20 (the 20th locks)", wrong)
		}
		// The budget is shared: the address is locked on every node, even
		// for a fresh, correct code.
		clock.Advance(6 * time.Minute)
		for i := range nodes {
			flow := node(i).send(t, "", addr)
			if err := verifyOn(i, flow, "00000000"); codeOf(err) != "locked" {
				t.Fatalf("node %d after 20 failures: %v, want locked", i, err)
			}
		}
	})

	t.Run("CorrectCodeRacedOnEveryNodeSucceedsOnce", func(t *testing.T) {
		for round := range 5 {
			addr := fmt.Sprintf("race%d@fabrikam.com", round)
			nodes[0].invite(t, addr)
			flow := node(round).send(t, "", addr)
			code := node(round).waitCodes(t, addr, 1)[0]
			res := fanOut(6, func(i int) error { return verifyOn(i, flow, code) })
			if ok := count(res, ""); ok != 1 {
				t.Fatalf("round %d: the code worked %d times: %q", round, ok, res)
			}
		}
	})

	t.Run("SendLimitPerAddress", func(t *testing.T) {
		clock.Advance(2 * time.Hour) // a fresh hour for every bucket
		const addr = "sends@fabrikam.com"
		nodes[0].invite(t, addr)
		res := fanOut(15, func(i int) error {
			_, err := node(i).svc.SendCode(t.Context(), guestpass.SendCodeRequest{TenantID: tenantID, Email: addr, Client: client})
			return err
		})
		for _, c := range res {
			if c != "" {
				t.Fatalf("send refused (a limited send must look sent): %q", res)
			}
		}
		nodes[0].waitCodes(t, addr, 10)
		settle()
		if n := len(nodes[0].mailer.sent(guestpass.MailCode, addr)); n != 10 {
			t.Fatalf("%d code emails from 15 sends over 3 nodes, limit 10 an hour", n)
		}
	})

	t.Run("InvitationQuota", func(t *testing.T) {
		op := mustOperator(t, nodes[0])
		quota := 5
		if _, err := nodes[1].svc.UpdateTenant(t.Context(), op, tenantID, &guestpass.TenantPatch{InvitationQuotaPerDay: &quota}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(25 * time.Hour) // the bucket refills to the new quota
		res := fanOut(12, func(i int) error {
			_, err := node(i).svc.InviteLocal(t.Context(), tenantID, guestpass.InviteRequest{Email: fmt.Sprintf("quota%d@fabrikam.com", i)})
			return err
		})
		if ok, refused := count(res, ""), count(res, "quota_exceeded"); ok != quota || refused != len(res)-quota {
			t.Fatalf("%d invitations accepted, %d refused for a quota of %d: %q", ok, refused, quota, res)
		}
	})
}
