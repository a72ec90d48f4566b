package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guestpass/guestpass/mail/smtptest"
)

// TestMain lets a test re-execute this binary as a real guestpass process
// (GUESTPASS_TEST_MAIN=1), so that it can be killed with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("GUESTPASS_TEST_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "guestpass:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is a guestpass serve child process.
type process struct {
	cmd *exec.Cmd
	log *syncBuffer
}

func startProcess(tb testing.TB, env ...string) *process {
	tb.Helper()
	p := &process{log: &syncBuffer{}}
	p.cmd = exec.Command(os.Args[0], "serve")
	p.cmd.Env = append(os.Environ(), append(env, "GUESTPASS_TEST_MAIN=1")...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	return p
}

func waitHealthy(tb testing.TB, base string, p *process) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("server did not become healthy:\n%s", p.log)
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestSIGKILLWhileSMTPDownLosesNoMail: invitations queued while SMTP is
// down survive a SIGKILL of the process and are each delivered exactly
// once when SMTP and the process are back.
func TestSIGKILLWhileSMTPDownLosesNoMail(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	t.Run("SQLite", func(t *testing.T) {
		testSIGKILLLosesNoMail(t, "sqlite:"+filepath.Join(t.TempDir(), "gp.db"), "")
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		db, key := postgresSchema(t)
		testSIGKILLLosesNoMail(t, db, key)
	})
}

func testSIGKILLLosesNoMail(t *testing.T, database, keyFile string) {
	smtp := smtptest.Start(t)
	smtp.Stop()
	addr := freeAddr(t)
	base := "http://" + addr
	env := []string{"GUESTPASS_ADDR=" + addr, "GUESTPASS_BASE_URL=" + base, "GUESTPASS_SMTP_URL=" + smtp.URL(),
		"GUESTPASS_DATABASE=" + database, "GUESTPASS_LOG_LEVEL=warn"}
	tokenArgs := []string{"token", "create", "--operator", "--database", database, "--log-level", "error"}
	if keyFile != "" {
		env = append(env, "GUESTPASS_SECRET_KEY_FILE="+keyFile)
		tokenArgs = append(tokenArgs, "--secret-key-file", keyFile)
	}
	first := startProcess(t, env...)
	waitHealthy(t, base, first)

	var out strings.Builder
	if err := run(t.Context(), tokenArgs, &out, &out); err != nil {
		t.Fatalf("token create: %v\n%s", err, out.String())
	}
	ts := &testServer{URL: base, Token: strings.TrimSpace(out.String())}
	tid := ts.mustTenant(t, nil)
	const n = 20
	for i := range n {
		ts.mustInvite(t, tid, fmt.Sprintf("guest%d@fabrikam.example", i))
	}
	time.Sleep(1500 * time.Millisecond) // the first delivery attempts fail
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	if smtp.Count() != 0 {
		t.Fatalf("%d messages delivered while SMTP was down", smtp.Count())
	}

	smtp.Restart()
	second := startProcess(t, env...)
	waitHealthy(t, base, second)
	// A job that happened to be mid-delivery at the kill is rescued only
	// after the queue's stuck threshold and the dead node's leadership
	// lease, about 1.5 min; jobs waiting for a retry come back sooner.
	deadline := time.Now().Add(150 * time.Second)
	for smtp.Count() < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // room for a duplicate to show up
	perGuest := map[string]int{}
	for _, m := range smtp.Messages() {
		perGuest[strings.Join(m.To, ",")]++
	}
	if len(perGuest) != n {
		t.Fatalf("%d of %d guests got their invitation:\n%s", len(perGuest), n, second.log)
	}
	for to, c := range perGuest {
		if c != 1 {
			t.Errorf("%s got %d invitations", to, c)
		}
	}
	var list struct {
		Value []struct{ DeliveryState string }
	}
	ts.api(t, "GET", "/api/v1/tenants/"+tid+"/invitations?$top=100", nil, &list)
	for _, inv := range list.Value {
		if inv.DeliveryState != "sent" {
			t.Errorf("invitation delivery state %q, want sent", inv.DeliveryState)
		}
	}
}
