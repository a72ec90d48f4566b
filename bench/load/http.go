package load

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// requestTimeout bounds one request, so a stuck server fails ops instead of
// stalling a client past the run.
const requestTimeout = 30 * time.Second

// NewClient returns an HTTP/1.1 keep-alive client whose pool holds one idle
// connection per client, so a run measures requests, not TCP handshakes.
// It ignores proxy variables: load goes to loopback only.
func NewClient(clients int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   requestTimeout,
		// A load op measures one response; following redirects would
		// measure two.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Get returns an op that GETs url and fails unless the status is want. It
// reads the body to the end so the connection goes back to the pool.
func Get(c *http.Client, url string, want int) Op {
	return func(ctx context.Context, _ int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("get %s: %w", url, err)
		}
		return Do(c, req, want)
	}
}

// Do sends req and fails unless the status is want, draining the body.
func Do(c *http.Client, req *http.Request, want int) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("%s %s: read body: %w", req.Method, req.URL, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL, resp.StatusCode, want)
	}
	return nil
}

// Bare is the baseline: the least a net/http handler can do.
func Bare() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	})
}

// Server is a handler served on a real loopback listener, so the load goes
// through the kernel's TCP stack as it would to a deployed binary.
type Server struct {
	URL    string // http://127.0.0.1:port
	srv    *http.Server
	served chan struct{}
}

// Serve starts h on 127.0.0.1 at a free port.
func Serve(h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{
		URL:    "http://" + ln.Addr().String(),
		srv:    &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		served: make(chan struct{}),
	}
	go func() {
		defer close(s.served)
		s.srv.Serve(ln) // returns ErrServerClosed; clients see any other failure
	}()
	return s, nil
}

// Close stops the server, closing idle and active connections, and waits
// for it to stop serving.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.served
	return err
}
