package web_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guestpass/guestpass/internal/guestclient"
	"github.com/guestpass/guestpass/internal/servertest"
)

const nginxBin = "/usr/sbin/nginx"

// nginxConf is an auth_request front for one upstream app, everything
// under the test's own directory (-p prefix, pid, logs, temp files).
const nginxConf = `
%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  upstream guestpass { server %[3]s; keepalive 16; }
  upstream app { server %[4]s; keepalive 16; }
  server {
    listen 127.0.0.1:%[5]d;
    location = /_guestpass {
      internal;
      proxy_pass http://guestpass/api/authz/auth-request;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
    location / {
      auth_request /_guestpass;
      auth_request_set $gp_user $upstream_http_remote_user;
      auth_request_set $gp_email $upstream_http_remote_email;
      auth_request_set $gp_name $upstream_http_remote_name;
      auth_request_set $gp_tenant $upstream_http_remote_tenant;
      auth_request_set $gp_signin $upstream_http_location;
      error_page 401 =302 $gp_signin;
      proxy_set_header Remote-User $gp_user;
      proxy_set_header Remote-Email $gp_email;
      proxy_set_header Remote-Name $gp_name;
      proxy_set_header Remote-Tenant $gp_tenant;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://app;
    }
  }
}
`

// startNginx runs nginx in front of app, asking guestpass; it returns the
// listen address. The test skips when nginx is not installed.
func startNginx(t *testing.T, guestpassAddr, appAddr string) string {
	t.Helper()
	if _, err := os.Stat(nginxBin); err != nil {
		t.Skip("nginx not installed (" + nginxBin + "); .ci/run installs it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must reach the temp directory
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, nginxConf, user, dir, guestpassAddr, appAddr, port), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginxBin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM: the master takes its workers down with it (a SIGKILL
		// would orphan them).
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error log:\n%s", log)
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("nginx did not start listening")
		}
	}
}

// echoApp is the upstream: it answers with the identity headers it got.
func echoApp(t *testing.T) *httptest.Server {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "app sees user=%s email=%s tenant=%s\n", r.Header.Get("Remote-User"), r.Header.Get("Remote-Email"), r.Header.Get("Remote-Tenant"))
	}))
	t.Cleanup(app.Close)
	return app
}

// via fetches path on host through nginx with c's cookies.
func via(t *testing.T, c *guestclient.Client, nginx, host, path string) *guestclient.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+nginx+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNginxAuthRequest(t *testing.T) {
	e := newFwdEnv(t, servertest.Options{TrustedProxies: loopback})
	app := echoApp(t)
	nginx := startNginx(t, strings.TrimPrefix(e.URL, "http://"), strings.TrimPrefix(app.URL, "http://"))
	jo, al, stranger := e.Browser(), e.Browser(), e.Browser()
	e.SignIn(t, jo, e.tenant.ID, e.jo.Mail, "")
	e.SignIn(t, al, e.tenant.ID, e.al.Mail, "")

	t.Run("SignedInGuestReachesTheApp", func(t *testing.T) {
		r := via(t, jo, nginx, wikiHost, "/page")
		if want := "app sees user=" + e.jo.ID + " email=" + e.jo.Mail + " tenant=" + e.tenant.ID; r.Status != 200 || !strings.Contains(r.Body, want) {
			t.Fatalf("%d %q, want 200 with %q", r.Status, r.Body, want)
		}
	})
	t.Run("StrangerIsSentToSignIn", func(t *testing.T) {
		r := via(t, stranger, nginx, wikiHost, "/page?x=1")
		if r.Status != http.StatusFound || !strings.HasPrefix(r.Location, e.URL+"/t/"+e.tenant.ID+"/signin?return_to=http%3A%2F%2F"+wikiHost) {
			t.Fatalf("%d to %q", r.Status, r.Location)
		}
		// The sign-in page keeps that destination, and signing in lands there.
		c := e.Browser()
		dest := e.SignIn(t, c, e.tenant.ID, e.jo.Mail, "http://"+wikiHost+"/page?x=1")
		if dest != "http://"+wikiHost+"/page?x=1" {
			t.Fatalf("sign-in ended at %q", dest)
		}
	})
	t.Run("UnassignedGuestIsForbidden", func(t *testing.T) {
		if r := via(t, al, nginx, wikiHost, "/"); r.Status != http.StatusForbidden || strings.Contains(r.Body, "app sees") {
			t.Fatalf("%d %q", r.Status, r.Body)
		}
		if r := via(t, al, nginx, docsHost, "/"); r.Status != 200 {
			t.Fatalf("all-guests app: %d", r.Status)
		}
	})
	t.Run("UnknownHostIsForbidden", func(t *testing.T) {
		if r := via(t, jo, nginx, "nowhere.example.test", "/"); r.Status != http.StatusForbidden {
			t.Fatalf("%d", r.Status)
		}
	})
	t.Run("ForgedOrTamperedCookieIsRefused", func(t *testing.T) {
		good := jo.CookieWithPrefix("__Host-gp-session-")
		for _, v := range []string{good.Value[:len(good.Value)-2] + "AA", "forged-forged-forged-forged-forged-forged"} {
			c := e.Browser()
			req, _ := http.NewRequest(http.MethodGet, "http://"+nginx+"/", nil)
			req.Host = wikiHost
			req.Header.Set("Cookie", good.Name+"="+v)
			r, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != http.StatusFound || strings.Contains(r.Body, "app sees") {
				t.Fatalf("cookie %q: %d", v, r.Status)
			}
		}
	})
	t.Run("RevokedSessionRefusedWithinASecond", func(t *testing.T) {
		if _, err := e.Svc.RevokeGuestSessions(t.Context(), e.Op, e.tenant.ID, e.jo.ID); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for {
			began := time.Since(start)
			r := via(t, jo, nginx, wikiHost, "/")
			if r.Status == http.StatusFound {
				t.Logf("refused %v after the revocation", began)
				return
			}
			if began > time.Second {
				t.Fatalf("a request %v after the revocation still got %d", began, r.Status)
			}
			time.Sleep(time.Millisecond)
		}
	})
}
