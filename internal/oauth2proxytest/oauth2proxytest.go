package oauth2proxytest

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// EnvBinary names the variable pointing to the oauth2-proxy binary.
const EnvBinary = "GUESTPASS_TEST_OAUTH2_PROXY"

// Version is the oauth2-proxy release the tests and docs are written for.
const Version = "v7.15.6"

// BuildHint says how to get the binary; the skip message and .ci/run agree.
const BuildHint = "GOBIN=<dir> go install github.com/oauth2-proxy/oauth2-proxy/v7@" + Version +
	" (outside this module) and export " + EnvBinary + "=<dir>/oauth2-proxy; .ci/run does this"

// Binary returns the oauth2-proxy to run, or skips the test.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(EnvBinary); p != "" {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			tb.Skipf("%s=%s is not a file; build it: %s", EnvBinary, p, BuildHint)
		}
		return p
	}
	p, err := exec.LookPath("oauth2-proxy")
	if err != nil {
		tb.Skipf("oauth2-proxy not found ($%s unset, none on PATH); build it: %s", EnvBinary, BuildHint)
	}
	return p
}

// Listener reserves the proxy's address before it starts: the callback
// URL (URL+"/oauth2/callback") must be registered with the app first. The
// listener is handed to oauth2-proxy itself (--http-address=fd:3), so no
// other process can take the port in between.
func Listener(tb testing.TB) *net.TCPListener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return ln.(*net.TCPListener)
}

// URL is the proxy's base URL on ln.
func URL(ln *net.TCPListener) string { return "http://" + ln.Addr().String() }

// Options configure one proxy.
type Options struct {
	Listener     *net.TCPListener // from Listener; closed in this process once handed over
	Issuer       string           // the tenant's issuer, {baseURL}/t/{tenantID}
	ClientID     string
	ClientSecret string
	Upstream     string // the app's URL
	// Flags are added to the documented command line; a --scope replaces
	// its scope.
	Flags []string
}

// Start runs oauth2-proxy as documented in docs/oidc.md, with the
// loopback-only relaxations a test needs (plain-http cookies), and waits
// until it answers. It stops with tb.
func Start(tb testing.TB, o Options) {
	tb.Helper()
	bin := Binary(tb)
	// 32 bytes as 32 hex characters: oauth2-proxy takes a 32-byte secret
	// as it is, with no base64 guessing.
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	f, err := o.Listener.File()
	if err != nil {
		tb.Fatal(err)
	}
	base := URL(o.Listener)
	o.Listener.Close() // the duplicate in f keeps the socket open
	// The socket is passed the systemd way (fd 3, LISTEN_FDS, LISTEN_PID),
	// and LISTEN_PID must be the proxy's own pid: sh learns its pid and
	// execs the proxy in its place.
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"`, bin,
		"--http-address=fd:3",
		"--provider=oidc",
		"--oidc-issuer-url="+o.Issuer,
		"--client-id="+o.ClientID,
		"--client-secret="+o.ClientSecret,
		"--redirect-url="+base+"/oauth2/callback",
		"--scope="+scope(o.Flags),
		"--code-challenge-method=S256",
		"--email-domain=*",
		"--upstream="+o.Upstream,
		"--skip-provider-button",
		"--cookie-secret="+hex.EncodeToString(secret),
		"--cookie-secure=false", // http on loopback, in the test only
	)
	cmd.Args = append(cmd.Args, withoutScope(o.Flags)...)
	cmd.ExtraFiles = []*os.File{f}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tb.TempDir()}
	// The log goes to a file, read back when the test failed.
	logPath := filepath.Join(tb.TempDir(), "oauth2-proxy.log")
	out, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close() // the child has its own descriptor
	log := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	f.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if tb.Failed() {
			tb.Logf("oauth2-proxy log:\n%s", log())
		}
	})
	waitReady(tb, base+"/ping", done, log)
}

// scope is the --scope of flags, or the documented default.
func scope(flags []string) string {
	for _, f := range flags {
		if v, ok := strings.CutPrefix(f, "--scope="); ok {
			return v
		}
	}
	return "openid email profile"
}

func withoutScope(flags []string) []string {
	var out []string
	for _, f := range flags {
		if !strings.HasPrefix(f, "--scope=") {
			out = append(out, f)
		}
	}
	return out
}

// waitReady polls the proxy's health endpoint: a process starting up has
// no clock to fake.
func waitReady(tb testing.TB, url string, done <-chan struct{}, log func() string) {
	tb.Helper()
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-done:
			tb.Fatalf("oauth2-proxy exited:\n%s", log())
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Since(start) > 20*time.Second {
			tb.Fatalf("oauth2-proxy did not become ready:\n%s", log())
		}
	}
}
