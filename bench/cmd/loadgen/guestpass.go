package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/guestpass/guestpass/bench/load"
	"github.com/guestpass/guestpass/internal/guestclient"
)

const (
	// sendGuests spreads sends so no address reaches its 10 sends an hour
	// below 40,000 sends per run.
	sendGuests = 4000
	// verifyFlows is how many flows with a code the verify scenario
	// prepares: each verify op uses one up, so a run of warmup and window
	// can measure at most verifyFlows/(warmup+duration) ops/s: 5,000/s over
	// the default 12 s (30,000 capped a PostgreSQL run at 2,500/s).
	verifyFlows = 60000
	// mailBurst is how many invitation emails the mail scenario's delivery
	// measurement enqueues at once.
	mailBurst = 2000
	// drainTimeout bounds waiting for the sink to receive queued mail.
	drainTimeout = 5 * time.Minute
	// setupWorkers send setup requests concurrently.
	setupWorkers = 32
)

var errExhausted = errors.New("verify: every prepared flow is used; raise verifyFlows")

// guestPass is a started server with one tenant, as a scenario sees it.
type guestPass struct {
	*process
	admin admin
	tid   string
	http  *http.Client
	// startRSS is the server's memory right after start, before setup
	// fills its database; the table's idle RSS is after setup.
	startRSS int64
	// mailBefore and measureFrom are the sink's count and the time when
	// setup ended: notes report the mail delivered while the op ran, which
	// competes with it for the same CPUs.
	mailBefore  int
	measureFrom time.Time
}

func startTenant(ctx context.Context, clients int) (_ *guestPass, err error) {
	p, err := startGuestPass(ctx)
	if err != nil {
		return nil, err
	}
	g := &guestPass{process: p, http: load.NewClient(max(clients, setupWorkers))}
	g.startRSS = rssOrUnknown(load.RSS(p.PID()))
	g.admin = admin{base: p.Base, token: p.Token, http: g.http}
	if g.tid, err = g.admin.createTenant(ctx); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	return g, nil
}

// target is the scenario's measured op, once setup is done. On PostgreSQL
// it first runs ANALYZE: setup filled tables the planner has never seen,
// and with autovacuum off (as on this workplace's server) a plan cached for
// an empty table, such as a guest lookup scanning every guest of the tenant
// by the listing index, would be measured instead of the service. A
// production server with autovacuum analyzes such tables on its own.
func (g *guestPass) target(ctx context.Context, op load.Op) (*Target, error) {
	if err := g.analyze(ctx); err != nil {
		return nil, errors.Join(err, g.Close())
	}
	g.mailBefore, g.measureFrom = g.Sink.Count(), time.Now()
	return &Target{Op: op, PID: g.PID(), Close: g.Close, Notes: g.notes}, nil
}

func (g *guestPass) notes(context.Context) ([]string, error) {
	notes := []string{"server RSS right after start, before setup: " + mib(g.startRSS)}
	if n := g.Sink.Count() - g.mailBefore; n > 0 {
		secs := time.Since(g.measureFrom).Seconds()
		notes = append(notes, fmt.Sprintf("mail delivered while the op ran (warmup and window): %d messages in %.1f s, %.0f/s", n, secs, float64(n)/secs))
	}
	if n := len(g.Bases()); n > 1 {
		notes = append(notes, fmt.Sprintf("%d nodes on one database, requests spread round robin; RSS columns are the first node's", n))
	}
	return notes, nil
}

// guest is a new browser, with a made-up client address of its own so the
// per-IP limits (60 sends, 300 verifies an hour) see a crowd, not one
// host. The server trusts X-Forwarded-For from loopback only. With
// several nodes, guest n talks to node n mod nodes, as a load balancer
// with no affinity would send it.
func (g *guestPass) guest(n int64) *guestclient.Client {
	c := guestclient.New(g.node(n), g.http)
	c.Header.Set("X-Forwarded-For", fakeIP(n))
	return c
}

// node is the base URL of the node that request n goes to.
func (g *guestPass) node(n int64) string {
	bases := g.Bases()
	return bases[n%int64(len(bases))]
}

func fakeIP(n int64) string {
	return fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
}

func (g *guestPass) sendCode(c *guestclient.Client, addr string) error {
	r, err := c.PostForm("/t/"+g.tid+"/send-code", url.Values{"email": {addr}})
	if err != nil {
		return err
	}
	return guestclient.Expect(r, http.StatusSeeOther, "/t/"+g.tid+"/verify")
}

func sendScenario() Scenario {
	return Scenario{
		Name:  "send",
		About: "guestpass: POST send-code for an invited guest in a new flow (enqueues a code email)",
		Start: func(ctx context.Context, clients int) (*Target, error) {
			g, err := startTenant(ctx, clients)
			if err != nil {
				return nil, err
			}
			addrs := guestAddrs("send", sendGuests)
			if err := g.inviteAll(ctx, addrs, true); err != nil {
				return nil, errors.Join(err, g.Close())
			}
			var next atomic.Int64
			return g.target(ctx, func(context.Context, int) error {
				n := next.Add(1)
				return g.sendCode(g.guest(n), addrs[n%int64(len(addrs))])
			})
		},
	}
}
