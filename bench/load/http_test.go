package load

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func mustServe(tb testing.TB, h http.Handler) *Server {
	tb.Helper()
	s, err := Serve(h)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestBareOverLoopback(t *testing.T) {
	s := mustServe(t, Bare())
	c := NewClient(2)
	t.Run("AnswersOK", func(t *testing.T) {
		resp, err := c.Get(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(body) != "ok" {
			t.Errorf("GET = %d %q, want 200 ok", resp.StatusCode, body)
		}
	})
	t.Run("GetOpPasses", func(t *testing.T) {
		if err := Get(c, s.URL, http.StatusOK)(t.Context(), 0); err != nil {
			t.Error(err)
		}
	})
	t.Run("WrongStatusFails", func(t *testing.T) {
		err := Get(c, s.URL, http.StatusCreated)(t.Context(), 0)
		if err == nil || !strings.Contains(err.Error(), "status 200, want 201") {
			t.Errorf("Get = %v, want a status error", err)
		}
	})
	t.Run("BadURLFails", func(t *testing.T) {
		if err := Get(c, "://nowhere", http.StatusOK)(t.Context(), 0); err == nil {
			t.Error("Get of a malformed URL succeeded")
		}
	})
	t.Run("ClosedServerFails", func(t *testing.T) {
		s := mustServe(t, Bare())
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := Get(c, s.URL, http.StatusOK)(t.Context(), 0); err == nil {
			t.Error("Get of a closed server succeeded")
		}
	})
}

func TestClientKeepsOneConnPerClient(t *testing.T) {
	tr := NewClient(32).Transport.(*http.Transport)
	if tr.MaxIdleConnsPerHost != 32 || tr.MaxIdleConns != 32 || tr.Proxy != nil {
		t.Errorf("transport: idle/host %d, idle %d, proxy set %v; want 32, 32, false",
			tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tr.Proxy != nil)
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	s := mustServe(t, http.RedirectHandler("/elsewhere", http.StatusSeeOther))
	if err := Get(NewClient(1), s.URL, http.StatusSeeOther)(t.Context(), 0); err != nil {
		t.Error(err)
	}
}

func TestDoFailsOnTruncatedBody(t *testing.T) {
	s := mustServe(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "ok") // 8 bytes short: the server drops the connection
	}))
	err := Get(NewClient(1), s.URL, http.StatusOK)(t.Context(), 0)
	if err == nil || !strings.Contains(err.Error(), "read body") {
		t.Errorf("Get = %v, want a body read error", err)
	}
}

func TestServeListensOnLoopback(t *testing.T) {
	s := mustServe(t, Bare())
	host, _, err := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	if err != nil || host != "127.0.0.1" {
		t.Errorf("URL %q: host %q (%v), want 127.0.0.1", s.URL, host, err)
	}
}
