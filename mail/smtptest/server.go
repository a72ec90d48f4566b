package smtptest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// DefaultWait bounds WaitFor: long enough for a queue worker to pick up a
// job on a loaded CI machine, short enough that a missing mail fails fast.
const DefaultWait = 45 * time.Second

// Server is an SMTP server for one test. It is safe for concurrent use.
type Server struct {
	tb        testing.TB
	addr      string // 127.0.0.1:PORT, fixed at Start and kept across Restart
	tlsMode   tlsMode
	tlsConfig *tls.Config

	mu       sync.Mutex
	srv      *smtp.Server  // nil while stopped
	listener net.Listener  // srv's; nil while stopped
	served   chan struct{} // closed when srv's Serve returns
	msgs     []Message
	changed  chan struct{} // closed and replaced on every delivery
	failure  *smtp.SMTPError
	finished bool // the test is over: log nothing more
	sessions int  // connections accepted since Start
}

// Option changes how Start serves.
type Option func(*Server)

// WithSTARTTLS offers STARTTLS, with a self-signed certificate for
// 127.0.0.1 (clients need tls_skip_verify=true or Certificate).
func WithSTARTTLS() Option { return func(s *Server) { s.tlsMode = tlsSTARTTLS } }

// WithImplicitTLS serves TLS from the first byte (smtps://), with a
// self-signed certificate for 127.0.0.1.
func WithImplicitTLS() Option { return func(s *Server) { s.tlsMode = tlsImplicit } }

type tlsMode int

const (
	tlsNone tlsMode = iota
	tlsSTARTTLS
	tlsImplicit
)

// Start listens on a free loopback port and serves until the test ends. By
// default it speaks plain SMTP without TLS.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{tb: tb, changed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	if s.tlsMode != tlsNone {
		cfg, err := selfSigned()
		if err != nil {
			tb.Fatalf("smtptest: certificate: %v", err)
		}
		s.tlsConfig = cfg
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: %v", err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	tb.Cleanup(s.cleanup)
	return s
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return s.addr }

// URL is the server as a GuestPass --smtp-url: smtps:// with implicit TLS,
// smtp:// otherwise.
func (s *Server) URL() string {
	if s.tlsMode == tlsImplicit {
		return "smtps://" + s.addr
	}
	return "smtp://" + s.addr
}

// Certificate is the server's self-signed certificate (nil without TLS).
func (s *Server) Certificate() *x509.Certificate {
	if s.tlsConfig == nil {
		return nil
	}
	return s.tlsConfig.Certificates[0].Leaf
}

// Stop closes the listener and every open connection, so that new
// connections are refused, as when a mail server is down. Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, l, served := s.srv, s.listener, s.served
	s.srv, s.listener = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.Close()
	// go-smtp's Close misses a listener that Serve has not registered yet;
	// closing it here too makes Stop right after Start end Serve.
	_ = l.Close()
	<-served
}

// Restart listens again on the same port after Stop; on a running server it
// does nothing. Call it from the test's goroutine: it fails the test when
// the port cannot be had back.
func (s *Server) Restart() {
	s.tb.Helper()
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return
	}
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.tb.Fatalf("smtptest: restart on %s: %v", s.addr, err)
	}
	s.serve(l)
}

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.ErrorLog = testLogger{s}
	switch s.tlsMode {
	case tlsSTARTTLS:
		srv.TLSConfig = s.tlsConfig
	case tlsImplicit:
		l = tls.NewListener(l, s.tlsConfig)
	}
	served := make(chan struct{})
	s.mu.Lock()
	s.srv, s.listener, s.served = srv, l, served
	s.mu.Unlock()
	go func() {
		defer close(served)
		if err := srv.Serve(l); err != nil {
			s.logf("serve: %v", err)
		}
	}()
}

func (s *Server) cleanup() {
	s.Stop()
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
}

// logf reports server-side trouble in the test log, but never after the
// test has finished (testing panics on that).
func (s *Server) logf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.finished {
		s.tb.Logf("smtptest: "+format, args...)
	}
}

type testLogger struct{ s *Server }

func (l testLogger) Printf(format string, v ...any) { l.s.logf(format, v...) }
func (l testLogger) Println(v ...any)               { l.s.logf("%s", strings.TrimSuffix(fmt.Sprintln(v...), "\n")) }

// SetFailure makes every RCPT and DATA command answer code with msg until
// ClearFailure (or SetFailure with code 0): 451 simulates a temporary
// failure, 550 a permanent one.
func (s *Server) SetFailure(code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		s.failure = nil
		return
	}
	if msg == "" {
		msg = "refused by smtptest"
	}
	s.failure = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
}

// ClearFailure makes the server accept mail again.
func (s *Server) ClearFailure() { s.SetFailure(0, "") }

func (s *Server) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failure == nil {
		return nil
	}
	return s.failure
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// Messages returns a copy of every message delivered so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Count is the number of messages delivered so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// WaitFor returns the first delivered message (oldest first) for which pred
// is true, waiting up to DefaultWait for it to arrive; it fails the test
// otherwise.
func (s *Server) WaitFor(tb testing.TB, pred func(Message) bool) Message {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), DefaultWait)
	defer cancel()
	return s.WaitForContext(ctx, tb, pred)
}

// WaitForContext is WaitFor bounded by ctx instead of DefaultWait, for
// tests that wait out a queue's retry backoff.
func (s *Server) WaitForContext(ctx context.Context, tb testing.TB, pred func(Message) bool) Message {
	tb.Helper()
	m, err := s.wait(ctx, pred)
	if err != nil {
		tb.Fatalf("smtptest: no matching message (%d delivered): %v", s.Count(), err)
	}
	return m
}

// WaitForTo waits for a message with addr among its envelope recipients
// (case-insensitive).
func (s *Server) WaitForTo(tb testing.TB, addr string) Message {
	tb.Helper()
	return s.WaitFor(tb, func(m Message) bool {
		return slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, addr) })
	})
}

// wait blocks on the delivery signal instead of polling on a timer.
func (s *Server) wait(ctx context.Context, pred func(Message) bool) (Message, error) {
	seen := 0
	for {
		s.mu.Lock()
		msgs, changed := s.msgs[seen:], s.changed
		s.mu.Unlock()
		for _, m := range msgs {
			if pred(m) {
				return m, nil
			}
		}
		seen += len(msgs)
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, context.Cause(ctx)
		}
	}
}

// Sessions counts the SMTP connections accepted since Start, Restarts
// included.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	_, overTLS := c.TLSConnectionState()
	return &session{srv: s, tls: overTLS}, nil
}

// session is one SMTP conversation; go-smtp calls it from one goroutine.
type session struct {
	srv  *Server
	tls  bool
	user string
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, _ string) error {
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.srv.failed(); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.srv.failed(); err != nil {
		return err
	}
	ss.srv.record(Message{TLS: ss.tls, User: ss.user, From: ss.from, To: slices.Clone(ss.to), Data: data})
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }
