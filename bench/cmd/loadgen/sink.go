package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/guestpass/guestpass/internal/guestclient"
)

// sink is an SMTP server that accepts every message, keeps the latest
// sign-in code per recipient and counts what it got. It is the mail server
// GuestPass delivers to under load, so it keeps nothing else.
type sink struct {
	srv    *smtp.Server
	addr   string
	served chan struct{}

	mu      sync.Mutex
	count   int
	codes   map[string]string // lower-cased recipient → latest code
	last    time.Time         // when the latest message arrived
	changed chan struct{}     // closed and replaced on every message
}

// startSink serves on a free loopback port.
func startSink() (*sink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sink: listen: %w", err)
	}
	s := &sink{addr: l.Addr().String(), served: make(chan struct{}),
		codes: map[string]string{}, changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.ErrorLog = discardLogger{}
	go func() {
		defer close(s.served)
		s.srv.Serve(l) // returns when closed; GuestPass retries failed deliveries
	}()
	return s, nil
}

// URL is the sink as GUESTPASS_SMTP_URL.
func (s *sink) URL() string { return "smtp://" + s.addr }

// Close stops the sink and waits for it to stop serving.
func (s *sink) Close() error {
	err := s.srv.Close()
	<-s.served
	return err
}

func (s *sink) record(to []string, data []byte) {
	code := codeIn(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	s.last = time.Now()
	if code != "" {
		for _, addr := range to {
			s.codes[strings.ToLower(addr)] = code
		}
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// Count is the number of messages received so far.
func (s *sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Code is the latest code sent to addr, or "".
func (s *sink) Code(addr string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.codes[strings.ToLower(addr)]
}

// WaitCount blocks until n messages have arrived or ctx ends, and returns
// when the n-th (or latest) arrived.
func (s *sink) WaitCount(ctx context.Context, n int) (time.Time, error) {
	for {
		s.mu.Lock()
		count, last, changed := s.count, s.last, s.changed
		s.mu.Unlock()
		if count >= n {
			return last, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return last, fmt.Errorf("sink: %d of %d messages: %w", count, n, context.Cause(ctx))
		}
	}
}

// codeIn returns the first 8-digit code in a message's body, skipping its
// header, whose Date or Message-ID may hold 8 digits of their own.
func codeIn(data []byte) string {
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if _, body, ok := bytes.Cut(data, []byte(sep)); ok {
			return guestclient.CodeIn(string(body))
		}
	}
	return "" // a message without a body holds no code
}

// sinkSession is one SMTP conversation; go-smtp calls it from one goroutine.
type sinkSession struct {
	sink *sink
	to   []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.sink.record(ss.to, data)
	return nil
}

func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

// discardLogger drops go-smtp's connection errors: a report is printed at
// the end and a closed sink is expected at shutdown.
type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
