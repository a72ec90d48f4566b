package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/guestpass/guestpass/internal/guestclient"
)

// flow is a sign-in waiting for its code: the browser holding the flow
// cookie, and the code the sink received.
type flow struct {
	client *guestclient.Client
	code   string
}

func verifyScenario() Scenario {
	return Scenario{
		Name: "verify",
		About: "guestpass: POST verify with the right code in a prepared flow " +
			"(first sign-in: answers 303 to consent)",
		Start: func(ctx context.Context, clients int) (*Target, error) {
			g, err := startTenant(ctx, clients)
			if err != nil {
				return nil, err
			}
			flows, err := g.prepareFlows(ctx, verifyFlows)
			if err != nil {
				return nil, errors.Join(err, g.Close())
			}
			var next atomic.Int64
			return g.target(ctx, func(context.Context, int) error {
				i := next.Add(1) - 1
				if i >= int64(len(flows)) {
					return errExhausted
				}
				return g.verify(flows[i], i)
			})
		},
	}
}

// prepareFlows invites n guests, sends each a code in a flow of its own and
// waits for every code to reach the sink.
func (g *guestPass) prepareFlows(ctx context.Context, n int) ([]flow, error) {
	addrs := guestAddrs("verify", n)
	if err := g.inviteAll(ctx, addrs, false); err != nil {
		return nil, err
	}
	flows := make([]flow, n)
	err := parallel(ctx, n, setupWorkers, func(_ context.Context, i int) error {
		flows[i].client = g.guest(int64(i))
		return g.sendCode(flows[i].client, addrs[i])
	})
	if err != nil {
		return nil, fmt.Errorf("send codes: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	if _, err := g.Sink.WaitCount(ctx, n); err != nil {
		return nil, err
	}
	for i, addr := range addrs {
		if flows[i].code = g.Sink.Code(addr); flows[i].code == "" {
			return nil, fmt.Errorf("no code reached %s", addr)
		}
	}
	return flows, nil
}

// verify submits the flow's code from a client address no send used, so
// verifies and sends count against different per-IP budgets. With several
// nodes it goes to the node after the one that sent the code, so every
// verify crosses nodes through the shared database.
func (g *guestPass) verify(f flow, i int64) error {
	f.client.Header.Set("X-Forwarded-For", fakeIP(verifyFlows+i))
	f.client.Base = g.node(i + 1)
	r, err := f.client.PostForm("/t/"+g.tid+"/verify", url.Values{"code": {f.code}})
	if err != nil {
		return err
	}
	return guestclient.Expect(r, http.StatusSeeOther, "/t/"+g.tid+"/consent")
}
