package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/guestpass/guestpass/bench/load"
	"github.com/guestpass/guestpass/internal/guestclient"
)

// fwdHost is the proxied app of the forward-auth scenario.
const fwdHost = "wiki.bench.example"

func forwardAuthScenario() Scenario {
	return Scenario{
		Name: "forward-auth",
		About: "guestpass: GET /api/authz/forward-auth for a signed-in guest assigned to the app " +
			"(X-Forwarded-* from a trusted proxy; one session per client; answers 200 with Remote-*)",
		Start: func(ctx context.Context, clients int) (*Target, error) {
			g, err := startTenant(ctx, clients)
			if err != nil {
				return nil, err
			}
			cookies, err := g.signInGuests(ctx, clients)
			if err != nil {
				return nil, errors.Join(err, g.Close())
			}
			return g.target(ctx, func(ctx context.Context, worker int) error {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.Base+"/api/authz/forward-auth", nil)
				if err != nil {
					return err
				}
				req.Header.Set("X-Forwarded-Method", "GET")
				req.Header.Set("X-Forwarded-Proto", "https")
				req.Header.Set("X-Forwarded-Host", fwdHost)
				req.Header.Set("X-Forwarded-Uri", "/page/Home?rev=42")
				req.Header.Set("Cookie", cookies[worker%len(cookies)])
				return load.Do(g.http, req, http.StatusOK)
			})
		},
	}
}

// signInGuests invites n guests, assigns them to a proxy app on fwdHost
// and signs each in through the pages (code by mail, consent), returning
// their session cookies as Cookie header values.
func (g *guestPass) signInGuests(ctx context.Context, n int) ([]string, error) {
	addrs := guestAddrs("fwd", n)
	ids := make([]string, n)
	err := parallel(ctx, n, setupWorkers, func(ctx context.Context, i int) error {
		var out struct {
			InvitedUser struct{ ID string } `json:"invitedUser"`
		}
		in := map[string]any{"invitedUserEmailAddress": addrs[i], "sendInvitationMessage": false}
		if err := g.admin.call(ctx, http.MethodPost, "/api/v1/tenants/"+g.tid+"/invitations", in, &out); err != nil {
			return err
		}
		ids[i] = out.InvitedUser.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	app := map[string]any{"displayName": "Wiki", "type": "proxy", "hosts": []string{fwdHost},
		"assignment": "assignedGuests", "assignedGuestIds": ids}
	if err := g.admin.call(ctx, http.MethodPost, "/api/v1/tenants/"+g.tid+"/applications", app, nil); err != nil {
		return nil, err
	}
	browsers := make([]*guestclient.Client, n)
	err = parallel(ctx, n, setupWorkers, func(_ context.Context, i int) error {
		browsers[i] = g.guest(int64(i))
		return g.sendCode(browsers[i], addrs[i])
	})
	if err != nil {
		return nil, fmt.Errorf("send codes: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	if _, err := g.Sink.WaitCount(wctx, n); err != nil {
		return nil, err
	}
	cookies := make([]string, n)
	t := "/t/" + g.tid
	for i, b := range browsers {
		code := g.Sink.Code(addrs[i])
		r, err := b.PostForm(t+"/verify", url.Values{"code": {code}})
		if err != nil {
			return nil, err
		}
		if err := guestclient.Expect(r, http.StatusSeeOther, t+"/consent"); err != nil {
			return nil, fmt.Errorf("verify %s: %w", addrs[i], err)
		}
		if r, err = b.PostForm(t+"/consent", url.Values{"accept": {"yes"}}); err != nil {
			return nil, err
		}
		if r.Status != http.StatusSeeOther {
			return nil, fmt.Errorf("consent %s: status %d", addrs[i], r.Status)
		}
		c := b.Cookie("__Host-gp-session-" + g.tid)
		if c == nil {
			return nil, fmt.Errorf("no session cookie for %s", addrs[i])
		}
		cookies[i] = c.Name + "=" + c.Value
	}
	return cookies, nil
}
