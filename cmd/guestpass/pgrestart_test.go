package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

// TestPostgresRestartUnderLoad crashes the database while invitations keep
// arriving: every request gets either its invitation (201) or a clean 503,
// the server recovers on its own when PostgreSQL is back, and every
// invitation that was created is mailed exactly once.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL server")
	}
	pg := startPGCluster(t)
	ts := mustStart(t, func(tb testing.TB, m *Main) {
		m.Config.Database = pg.URL
		m.Config.LogLevel = "warn"
		key := filepath.Join(tb.TempDir(), "guestpass.key")
		data, _ := guestpass.NewKeyFile(rand.Reader)
		if err := os.WriteFile(key, data, 0o600); err != nil {
			tb.Fatal(err)
		}
		m.Config.SecretKeyFile = key
	})
	tid := ts.mustTenant(t, nil)

	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		created  []string // addresses answered 201
		stop     = make(chan struct{})
		done     = make(chan struct{})
	)
	client := &http.Client{Timeout: 30 * time.Second}
	invite := func(addr string) (int, error) {
		body, _ := json.Marshal(map[string]any{"invitedUserEmailAddress": addr})
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/tenants/"+tid+"/invitations", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ts.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			var e struct{ Error struct{ Code string } }
			_ = json.NewDecoder(resp.Body).Decode(&e)
			if e.Error.Code != "unavailable" {
				return resp.StatusCode, fmt.Errorf("503 with error code %q", e.Error.Code)
			}
		}
		return resp.StatusCode, nil
	}
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			addr := fmt.Sprintf("guest%d@fabrikam.example", i)
			st, err := invite(addr)
			mu.Lock()
			if err != nil {
				t.Errorf("invite %s: %v", addr, err)
				st = -1
			}
			statuses[st]++
			if st == http.StatusCreated {
				created = append(created, addr)
			}
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("%s: statuses so far %v\n%s", what, statuses, ts.out)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	seen := func(st, n int) func() bool {
		return func() bool { mu.Lock(); defer mu.Unlock(); return statuses[st] >= n }
	}

	waitFor("invitations before the crash", seen(http.StatusCreated, 5))
	pg.Crash(t)
	waitFor("503s while PostgreSQL is down", seen(http.StatusServiceUnavailable, 5))
	mu.Lock()
	before := statuses[http.StatusCreated]
	mu.Unlock()
	pg.Start(t)
	waitFor("recovery after PostgreSQL came back", seen(http.StatusCreated, before+5))
	close(stop)
	<-done

	mu.Lock()
	defer mu.Unlock()
	for st, n := range statuses {
		if st != http.StatusCreated && st != http.StatusServiceUnavailable {
			t.Errorf("%d requests answered %d, want only 201 or 503", n, st)
		}
	}
	t.Logf("statuses: %v", statuses)

	// Every invitation in the database (a superset of the 201s: a commit
	// whose answer was lost in the crash may exist too) is mailed once.
	var list struct {
		Value []struct {
			InvitedUserEmailAddress string
			DeliveryState           string
		}
	}
	if st := ts.api(t, "GET", "/api/v1/tenants/"+tid+"/invitations?$top=999", nil, &list); st != http.StatusOK {
		t.Fatalf("list invitations: %d", st)
	}
	stored := map[string]bool{}
	for _, inv := range list.Value {
		stored[inv.InvitedUserEmailAddress] = true
	}
	for _, addr := range created {
		if !stored[addr] {
			t.Errorf("invitation to %s answered 201 but is gone", addr)
		}
	}
	waitFor("every invitation mailed", func() bool { return ts.SMTP.Count() >= len(stored) })
	time.Sleep(time.Second) // room for a duplicate to show up
	perAddr := map[string]int{}
	for _, m := range ts.SMTP.Messages() {
		perAddr[strings.Join(m.To, ",")]++
	}
	for addr := range stored {
		if perAddr[addr] != 1 {
			t.Errorf("%s got %d invitation emails, want 1", addr, perAddr[addr])
		}
	}
	if len(perAddr) != len(stored) {
		t.Errorf("%d addresses mailed, %d invitations stored", len(perAddr), len(stored))
	}
}
