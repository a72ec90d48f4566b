package guestpass_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/postgres"
	"github.com/guestpass/guestpass/queue"
	"github.com/jackc/pgx/v5"
)

// These tests run several Services ("nodes") on one PostgreSQL schema, the
// way N processes behind a load balancer share one database.

const pgURLEnv = "GUESTPASS_TEST_POSTGRES_URL"

// pgSchema names a fresh schema of the test database, dropped when the test
// ends, or skips the test when no database is configured.
func pgSchema(t *testing.T) (url, schema string) {
	t.Helper()
	url = os.Getenv(pgURLEnv)
	if url == "" {
		t.Skip(pgURLEnv + " not set: PostgreSQL tests skipped")
	}
	schema = "gp_nodes_" + rand.Text()[:12]
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Error(err)
		}
	})
	return url, schema
}

// newPGNode starts a Service on schema with a pool of maxConns.
func newPGNode(t *testing.T, url, schema string, maxConns int, clock *guestpass.FakeClock, mailer *recordingMailer) *env {
	t.Helper()
	st, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: maxConns, Schema: schema, Queue: queue.Config{
		RetryBase:         time.Millisecond,
		RetryMax:          5 * time.Millisecond,
		FetchPollInterval: 10 * time.Millisecond,
		StopTimeout:       time.Second,
		Logger:            slog.New(slog.DiscardHandler),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return startNode(t, st, clock, mailer, nil)
}

// pgCluster starts n nodes on one fresh schema with one tenant.
func pgCluster(t *testing.T, n, maxConns int) ([]*env, *guestpass.FakeClock) {
	t.Helper()
	url, schema := pgSchema(t)
	clock := guestpass.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	mailer := &recordingMailer{}
	nodes := make([]*env, n)
	for i := range nodes {
		nodes[i] = newPGNode(t, url, schema, maxConns, clock, mailer)
	}
	tenant, err := nodes[0].svc.CreateTenantLocal(t.Context(), &guestpass.Tenant{DisplayName: "Contoso"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range nodes {
		e.tenant = tenant
	}
	return nodes, clock
}

func TestRevocationReachesEveryNodePostgres(t *testing.T) {
	nodes, clock := pgCluster(t, 2, 0)
	testRevocationReachesEveryNode(t, nodes[0], nodes[1], clock)
}

// TestRevocationLatencyPostgres revokes many sessions on node A that node B
// holds in memory and reports how long B took to refuse them. With
// LISTEN/NOTIFY the feed wakes at commit rather than at the next 250 ms
// poll; the test bounds every revocation at 1 s and logs p50/p99 (the
// numbers are measurements, not assertions: the machine is shared).
func TestRevocationLatencyPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("signs in many guests")
	}
	nodes, _ := pgCluster(t, 2, 0)
	a, b := nodes[0], nodes[1]
	op := mustOperator(t, a)
	const n = 40
	latencies := make([]time.Duration, 0, n)
	for i := range n {
		addr := fmt.Sprintf("guest%d@fabrikam.com", i)
		guest := a.invite(t, addr).Guest
		token := a.signedIn(t, addr, 1)
		if !b.sessionLive(t, token) {
			t.Fatal("node B refused a live session")
		}
		if i%2 == 0 {
			if err := a.svc.SignOut(t.Context(), a.tenant.ID, token, client); err != nil {
				t.Fatal(err)
			}
		} else if _, err := a.svc.RevokeGuestSessions(t.Context(), op, a.tenant.ID, guest.ID); err != nil {
			t.Fatal(err)
		}
		latencies = append(latencies, refusedWithin(t, b, token, time.Second))
	}
	slices.Sort(latencies)
	t.Logf("PostgreSQL, 2 nodes, %d revocations: p50 %v, p99 %v, max %v", n,
		latencies[n/2], latencies[(n*99+99)/100-1], latencies[n-1])
}

func TestTenantChangeReachesEveryNodePostgres(t *testing.T) {
	nodes, _ := pgCluster(t, 2, 0)
	testTenantChangeReachesEveryNode(t, nodes[0], nodes[1])
}
