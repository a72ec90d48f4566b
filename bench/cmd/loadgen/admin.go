package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// admin calls GuestPass's admin API as the operator.
type admin struct {
	base, token string
	http        *http.Client
}

func (a admin) call(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %.300s", method, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// benchQuota lifts the default 500 invitations a day: setup invites
// thousands of guests.
const benchQuota = 100000

// createTenant makes the tenant every guest of a scenario belongs to.
func (a admin) createTenant(ctx context.Context) (string, error) {
	var t struct{ ID string }
	in := map[string]any{"displayName": "Bench", "invitationQuotaPerDay": benchQuota}
	if err := a.call(ctx, http.MethodPost, "/api/v1/tenants", in, &t); err != nil {
		return "", err
	}
	return t.ID, nil
}

// invite invites addr, with or without the invitation email.
func (a admin) invite(ctx context.Context, tid, addr string, send bool) error {
	in := map[string]any{"invitedUserEmailAddress": addr, "sendInvitationMessage": send}
	return a.call(ctx, http.MethodPost, "/api/v1/tenants/"+tid+"/invitations", in, nil)
}

// inviteAll invites addrs, with or without email, from `workers`
// goroutines.
func (a admin) inviteAll(ctx context.Context, tid string, addrs []string, send bool, workers int) error {
	return parallel(ctx, len(addrs), workers, func(ctx context.Context, i int) error {
		return a.invite(ctx, tid, addrs[i], send)
	})
}

// analyzeAfter is how many guests setup invites before it runs ANALYZE
// (process.analyze): enough rows for statistics that make every later
// plan an index lookup.
const analyzeAfter = 500

// inviteAll invites addrs. On PostgreSQL it runs ANALYZE after the first
// analyzeAfter: a plan cached while the guests table was empty (a scan,
// cheap then) would otherwise make each of the remaining thousands of
// invitations and sends scan every guest before it.
//
// With send, each invitation's email is sent, as a tenant inviting
// partners does, and inviteAll returns once the sink has every one. Then
// the mail queue has a history when the scenario's statistics are taken
// (guestPass.target), as on a server that has been running: statistics of
// an empty queue would give its job fetch a plan for an empty table.
func (g *guestPass) inviteAll(ctx context.Context, addrs []string, send bool) error {
	base := g.Sink.Count()
	first := min(len(addrs), analyzeAfter)
	if err := g.admin.inviteAll(ctx, g.tid, addrs[:first], send, setupWorkers); err != nil {
		return err
	}
	if err := g.analyze(ctx); err != nil {
		return err
	}
	if err := g.admin.inviteAll(ctx, g.tid, addrs[first:], send, setupWorkers); err != nil || !send {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	_, err := g.Sink.WaitCount(ctx, base+len(addrs))
	return err
}

// parallel runs fn for 0..n-1 from `workers` goroutines and returns the
// first error, after which the rest are skipped.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// guestAddrs names n guests of one scenario.
func guestAddrs(prefix string, n int) []string {
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("%s%d@bench.example", prefix, i)
	}
	return addrs
}
