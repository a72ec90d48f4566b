package nginxtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
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

// Start runs nginx in front of app, asking guestpass; it returns the
// listen address. The test skips when nginx is not installed.
func Start(t testing.TB, guestpassAddr, appAddr string) string {
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
