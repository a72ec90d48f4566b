package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"time"

	"github.com/guestpass/guestpass"
	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTP delivers mail to one SMTP server. It keeps up to maxIdleSessions
// sessions open between messages, so that under load a message costs MAIL,
// RCPT, DATA and RSET instead of a TCP (and TLS) setup, EHLO, AUTH and QUIT
// as well: on loopback BenchmarkSend measured about 0.9 ms per mail with a
// new connection each, against 0.5 ms on a reused session
// (mail_bench_test.go). A session idle for longer than maxIdleTime is
// closed rather than reused, well inside the five minutes RFC 5321 lets a
// server wait; one the server dropped anyway fails at MAIL, before any of
// the message is sent, and the message goes out on a new session.
// It is safe for concurrent use.
type SMTP struct {
	cfg   *smtpConfig
	from  *netmail.Address
	tls   *tls.Config
	clock guestpass.Clock
	idle  chan *smtpSession
}

// maxIdleSessions matches the queue's default workers (queue.DefaultWorkers):
// each can keep one.
const maxIdleSessions = 16

// maxIdleTime is how long an unused session is kept.
const maxIdleTime = 30 * time.Second

var _ guestpass.Mailer = (*SMTP)(nil)

// Option adjusts an SMTP mailer.
type Option func(*SMTP)

// WithClock sets the clock for the Date header (default: the wall clock).
func WithClock(c guestpass.Clock) Option { return func(s *SMTP) { s.clock = c } }

// NewSMTP parses the server URL (see docs/smtp.md) and the sender: from is
// an RFC 5322 address, optionally with a display name ("GuestPass
// <no-reply@example.com>"). It does not connect: a server that is down at
// start is the queue's business, not a reason to refuse to start.
func NewSMTP(rawURL, from string, opts ...Option) (*SMTP, error) {
	cfg, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	addr, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	s := &SMTP{
		cfg: cfg, from: addr, clock: guestpass.SystemClock{}, idle: make(chan *smtpSession, maxIdleSessions),
		tls: &tls.Config{ServerName: cfg.host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.skipVerify},
	}
	for _, o := range opts {
		o(s)
	}
	if _, err := s.newClient(nil); err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return s, nil
}

func parseFrom(from string) (*netmail.Address, error) {
	if err := headerSafe("mail-from", from); err != nil {
		return nil, err
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail-from %q: %w", from, err)
	}
	return addr, nil
}

// Send renders m and delivers it. Errors wrap guestpass.ErrMailPermanent
// when retrying cannot help (see the package doc); ctx bounds the whole
// exchange, not only the dial.
func (s *SMTP) Send(ctx context.Context, m *guestpass.Message) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	for {
		ss, reused, err := s.session(ctx)
		if err != nil {
			return deliveryError(ctx, "connect", err)
		}
		ss.conn.watch(ctx)
		err = ss.client.SendWithSMTPClient(ss.smtp, msg)
		ss.conn.unwatch()
		switch {
		case err == nil:
			s.keep(ss)
			return nil
		case msg.IsDelivered():
			// The server took the message at the end of DATA and only the
			// RSET after it failed: the queue must not send it twice.
			ss.close()
			return nil
		}
		ss.close()
		if reused && sessionDropped(err) && ctx.Err() == nil {
			continue // a kept session the server dropped: nothing was sent
		}
		return deliveryError(ctx, "send", err)
	}
}

// sessionDropped reports whether err says the session was gone before the
// server took anything: MAIL, the first command of a message, got no reply
// at all. A reply (even 421) comes from a live server and is the queue's
// to retry.
func sessionDropped(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrSMTPMailFrom && se.ErrorCode() == 0
}

// Close ends the kept sessions.
func (s *SMTP) Close() error {
	for {
		select {
		case ss := <-s.idle:
			ss.quit()
		default:
			return nil
		}
	}
}

// smtpSession is one open SMTP connection with its go-mail client, used by
// one Send at a time.
type smtpSession struct {
	client   *gomail.Client
	smtp     *smtp.Client
	conn     *sendConn
	lastUsed time.Time
}

// session returns a kept session that is fresh enough (reused), or a new
// one.
func (s *SMTP) session(ctx context.Context) (ss *smtpSession, reused bool, err error) {
	if ss := s.kept(); ss != nil {
		return ss, true, nil
	}
	sc := &sendConn{}
	client, err := s.newClient(s.dialer(ctx, sc))
	if err != nil {
		return nil, false, err
	}
	session, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		sc.close()
		return nil, false, err
	}
	return &smtpSession{client: client, smtp: session, conn: sc}, false, nil
}

// kept takes a kept session idle for less than maxIdleTime, ending the
// staler ones it finds first; nil when there is none.
func (s *SMTP) kept() *smtpSession {
	for {
		select {
		case ss := <-s.idle:
			if time.Since(ss.lastUsed) < maxIdleTime {
				return ss
			}
			ss.quit()
		default:
			return nil
		}
	}
}

// keep offers ss for the next Send, or ends it when enough are kept.
func (s *SMTP) keep(ss *smtpSession) {
	ss.lastUsed = time.Now()
	select {
	case s.idle <- ss:
	default:
		ss.quit()
	}
}

// quit ends a healthy session politely.
func (ss *smtpSession) quit() {
	_ = ss.client.CloseWithSMTPClient(ss.smtp)
	ss.close()
}

func (ss *smtpSession) close() { ss.conn.close() }

// message builds the MIME message: From, To with display name, Subject,
// text and HTML as multipart/alternative.
func (s *SMTP) message(m *guestpass.Message) (*gomail.Msg, error) {
	r, to, err := prepare(m)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.AddToMailAddress(to)
	msg.Subject(r.Subject)
	msg.SetDateWithValue(s.clock.Now())
	msg.SetMessageID()
	msg.SetGenHeader(gomail.HeaderContentLang, r.Lang)
	// RFC 3834: out-of-office robots must not answer a sign-in code.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	return msg, nil
}

// newClient configures a go-mail client for one Send. The client is cheap
// (no I/O) and not shared, which sidesteps go-mail's shared mutable state
// (its opportunistic AUTH fallback writes to the client).
func (s *SMTP) newClient(dial gomail.DialContextFunc) (*gomail.Client, error) {
	policy := gomail.TLSOpportunistic
	if s.cfg.requireSTARTTLS {
		policy = gomail.TLSMandatory
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.port),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(s.tls),
		// No NOOP before each message: a kept session the server dropped
		// fails at MAIL, before any of the message is sent (see Send), so
		// the probe would cost a round trip per message for nothing.
		gomail.WithoutNoop(),
	}
	if s.cfg.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if dial != nil {
		opts = append(opts, gomail.WithDialContextFunc(dial))
	}
	if s.cfg.user != "" {
		// PLAIN and LOGIN refuse to send the password over plain text
		// except to localhost; SCRAM never reveals it.
		opts = append(opts, gomail.WithUsername(s.cfg.user), gomail.WithPassword(s.cfg.pass),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
	}
	return gomail.NewClient(s.cfg.host, opts...)
}

// dialer connects (with TLS first for smtps://). go-mail honours ctx only
// while dialing and uses its own per-command timeout afterwards, so each
// Send ties the connection to its own ctx (sendConn.watch): closing the
// connection is what makes a cancelled or expired ctx stop a stuck
// exchange.
func (s *SMTP) dialer(ctx context.Context, sc *sendConn) gomail.DialContextFunc {
	return func(dctx context.Context, network, _ string) (net.Conn, error) {
		nd := &net.Dialer{}
		var conn net.Conn
		var err error
		if s.cfg.implicitTLS {
			conn, err = (&tls.Dialer{NetDialer: nd, Config: s.tls}).DialContext(dctx, network, s.cfg.addr())
		} else {
			conn, err = nd.DialContext(dctx, network, s.cfg.addr())
		}
		if err != nil {
			return nil, err
		}
		sc.close()
		sc.conn = conn
		sc.watch(ctx) // the dial's Send: setup is bounded by its ctx too
		return conn, nil
	}
}

// sendConn owns a session's connection. go-mail leaves the connection open
// when the session setup fails after dialing, so a failed setup closes it.
type sendConn struct {
	conn net.Conn
	stop func() bool // ends the current watch; nil when none
}

// watch closes the connection when ctx ends, until unwatch.
func (sc *sendConn) watch(ctx context.Context) {
	sc.unwatch()
	if conn := sc.conn; conn != nil {
		sc.stop = context.AfterFunc(ctx, func() { _ = conn.Close() })
	}
}

func (sc *sendConn) unwatch() {
	if sc.stop != nil {
		sc.stop()
		sc.stop = nil
	}
}

func (sc *sendConn) close() {
	sc.unwatch()
	if sc.conn != nil {
		_ = sc.conn.Close()
		sc.conn = nil
	}
}

// deliveryError wraps err for the queue. Only a 5xx reply inside the mail
// transaction (MAIL, RCPT, DATA) is permanent: a 5xx during session setup
// (greeting, EHLO, STARTTLS, AUTH) is a server or configuration fault that
// an operator can fix, so those are retried like 4xx and network errors.
func deliveryError(ctx context.Context, stage string, err error) error {
	var se *gomail.SendError
	if stage == "send" && errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() <= 599 {
		return fmt.Errorf("smtp %s: %w: %w", stage, guestpass.ErrMailPermanent, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("smtp %s: %w: %w", stage, context.Cause(ctx), err)
	}
	return fmt.Errorf("smtp %s: %w", stage, err)
}
