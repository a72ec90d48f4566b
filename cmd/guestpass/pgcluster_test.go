package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// pgCluster is a private PostgreSQL server the test starts, stops and
// restarts at will, on a spare port, with its data in a temporary
// directory: the shared test server cannot be restarted under the other
// tests' feet.
type pgCluster struct {
	bin, data, sock string
	port            int
	asUser          []string // runuser prefix when the test runs as root
	URL             string
}

// startPGCluster runs initdb and starts the server, or skips the test with
// the reason it cannot.
func startPGCluster(tb testing.TB) *pgCluster {
	tb.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		tb.Skip("no initdb under /usr/lib/postgresql/*/bin: private PostgreSQL cluster tests skipped")
	}
	c := &pgCluster{bin: filepath.Dir(bins[len(bins)-1])}
	// initdb refuses to run as root: run the server as the postgres user,
	// in a directory it owns (t.TempDir's parents are private to root).
	dir, err := os.MkdirTemp("", "guestpass-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Skip("running as root without a postgres user to run initdb as: private PostgreSQL cluster tests skipped")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			tb.Skip("running as root without runuser: private PostgreSQL cluster tests skipped")
		}
		var uid, gid int
		_, _ = fmt.Sscan(u.Uid, &uid)
		_, _ = fmt.Sscan(u.Gid, &gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	c.data, c.sock = filepath.Join(dir, "data"), dir
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	c.run(tb, "initdb", "-D", c.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	c.Start(tb)
	tb.Cleanup(func() { c.stop(tb, "immediate") })
	return c
}

func (c *pgCluster) run(tb testing.TB, prog string, args ...string) {
	tb.Helper()
	argv := append(append(append([]string(nil), c.asUser...), filepath.Join(c.bin, prog)), args...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// Start starts the server and waits until it accepts connections.
func (c *pgCluster) Start(tb testing.TB) {
	tb.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50", c.port, c.sock)
	c.run(tb, "pg_ctl", "-D", c.data, "-o", opts, "-l", filepath.Join(c.sock, "log"), "-w", "start")
}

// Crash stops the server the hard way: every connection drops at once and
// the next start runs crash recovery.
func (c *pgCluster) Crash(tb testing.TB) { tb.Helper(); c.stop(tb, "immediate") }

func (c *pgCluster) stop(tb testing.TB, mode string) {
	argv := append(append(append([]string(nil), c.asUser...), filepath.Join(c.bin, "pg_ctl")), "-D", c.data, "-m", mode, "-w", "stop")
	_ = exec.Command(argv[0], argv[1:]...).Run() // already stopped is fine
}
