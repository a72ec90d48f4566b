package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/mail"
	"github.com/guestpass/guestpass/oidc"
	"github.com/guestpass/guestpass/passkey"
	"github.com/guestpass/guestpass/postgres"
	"github.com/guestpass/guestpass/queue"
	"github.com/guestpass/guestpass/sms"
	"github.com/guestpass/guestpass/sqlite"
	"github.com/guestpass/guestpass/upstream"
	"github.com/guestpass/guestpass/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Main is the running service, wired by hand. Tests set Clock or Mailer
// before Run and use Addr ":0"-style listen addresses.
type Main struct {
	Config Config
	Clock  guestpass.Clock
	Mailer guestpass.Mailer // nil: SMTP from the config, or the console
	// TextSender nil: the SMS provider from the config, the console with
	// --demo, or none (SMS is then not offered as a second factor).
	TextSender guestpass.TextSender
	Limits     *guestpass.Limits
	// Listener, when set, is served instead of listening on Config.Addr
	// (tests open it first to learn the port for the base URL).
	Listener net.Listener
	Stdout   io.Writer
	Stderr   io.Writer

	Logger  *slog.Logger
	Store   guestpass.Store
	Service *guestpass.Service

	ln     net.Listener
	http   *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
	smtp   *mail.SMTP // the mailer serve made (not an injected one), closed last
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Stdout: os.Stdout, Stderr: os.Stderr}
}

// Run opens everything and starts serving; it returns once listening.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	m.Logger = newLogger(m.Stderr, m.Config.LogLevel)
	if err := m.openService(ctx); err != nil {
		return err
	}
	if err := m.Service.Start(ctx); err != nil {
		return fmt.Errorf("start mail queue: %w", err)
	}
	if err := m.listen(); err != nil {
		return err
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	m.wg.Add(1)
	go m.purgeLoop(bg)
	m.Logger.Info("guestpass listening", "addr", m.ln.Addr().String(), "base_url", m.Config.BaseURL)
	if m.Config.Demo {
		return m.demo(ctx)
	}
	return nil
}

// openService opens the store and builds the service on it.
func (m *Main) openService(ctx context.Context) error {
	keys, err := loadKeys(&m.Config, m.Logger)
	if err != nil {
		return err
	}
	st, err := m.openStore(ctx)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.Store = st
	mailer, err := m.mailer()
	if err != nil {
		return err
	}
	pk, err := m.passkeys()
	if err != nil {
		return err
	}
	m.Service, err = guestpass.NewService(guestpass.Config{Store: st, Keys: keys, BaseURL: m.Config.BaseURL,
		Clock: m.Clock, Rand: rand.Reader, Logger: m.Logger, Mailer: mailer, TextSender: m.textSender(), Passkeys: pk,
		Limits: m.Limits, Upstream: upstream.New(upstream.Options{})})
	return err
}

// textSender is the configured SMS provider (checked by Validate); with
// --demo and none configured, the console. Otherwise nil: unlike mail, a
// server without a provider does not offer SMS at all, so guests are never
// offered codes that only reach the server's console.
func (m *Main) textSender() guestpass.TextSender {
	if m.TextSender != nil {
		return m.TextSender
	}
	if t, _ := m.Config.twilio(); t != nil {
		return t
	}
	if m.Config.Demo {
		m.Logger.Warn("NO SMS PROVIDER CONFIGURED: --demo prints text messages (with codes) to the console")
		return sms.NewConsole(m.Stdout)
	}
	m.Logger.Info("no SMS provider configured (--sms-account-sid): SMS is not offered as a second factor")
	return nil
}

// passkeys is the WebAuthn relying party of the base URL, or nil (with a
// notice) when its host is an IP address, which cannot be an RP ID.
func (m *Main) passkeys() (guestpass.Passkeys, error) {
	rp, err := passkey.New(m.Config.BaseURL)
	if errors.Is(err, passkey.ErrNoRPID) {
		m.Logger.Info("passkeys are not offered: the base URL's host is an IP address; use a host name (localhost for development)")
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return rp, nil
}

// openStore opens the database --database names.
func (m *Main) openStore(ctx context.Context) (guestpass.Store, error) {
	kind, loc, _ := m.Config.databaseKind()
	qc := queue.Config{Logger: m.Logger}
	switch kind {
	case "sqlite":
		return sqlite.Open(ctx, loc, sqlite.Options{Queue: qc})
	case "postgres":
		return postgres.Open(ctx, loc, postgres.Options{Queue: qc})
	}
	return nil, fmt.Errorf("unknown database kind %q", kind)
}

func (m *Main) mailer() (guestpass.Mailer, error) {
	if m.Mailer != nil {
		return m.Mailer, nil
	}
	if m.Config.SMTPURL == "" {
		m.Logger.Warn("NO SMTP CONFIGURED: emails (with codes and links) are printed to the console. Development only: set --smtp-url for real use.")
		return mail.NewConsole(m.Stdout), nil
	}
	s, err := mail.NewSMTP(m.Config.SMTPURL, m.Config.MailFrom)
	if err != nil {
		return nil, err
	}
	m.smtp = s
	return s, nil
}

func (m *Main) listen() error {
	ln := m.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
		}
	}
	m.ln = ln
	proxies, _ := m.Config.proxies()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pg, ok := m.Store.(*postgres.Store); ok {
		reg.MustRegister(storeCollector{pg.Stats})
	}
	srv, err := web.New(web.Options{Service: m.Service, Logger: m.Logger, TrustedProxies: proxies,
		CookieDomain: m.Config.CookieDomain, Registry: reg})
	if err != nil {
		return err
	}
	prov, err := oidc.New(oidc.Options{Service: m.Service, Logger: m.Logger,
		SessionCookie: guestpass.SessionCookieName, ClientIP: srv.ClientIP, Pages: srv})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	prov.Mount(mux) // the OpenID provider's paths under /t/{tid}/ are more specific
	m.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the address actually listened on (useful with port 0).
func (m *Main) Addr() string { return m.ln.Addr().String() }

// purgeLoop removes dead flows, sessions and limiter rows now and then.
func (m *Main) purgeLoop(ctx context.Context) {
	defer m.wg.Done()
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := m.Service.Purge(ctx); err != nil {
				m.Logger.Warn("purge failed", "err", err)
			} else if n > 0 {
				m.Logger.Debug("purged expired rows", "rows", n)
			}
		}
	}
}

// Close shuts down in reverse order: HTTP (letting requests finish), the
// mail queue (letting deliveries finish), then the database.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var errs []error
	if m.http != nil {
		errs = append(errs, m.http.Shutdown(ctx))
	}
	if m.cancel != nil {
		m.cancel()
		m.wg.Wait()
	}
	if m.Service != nil {
		errs = append(errs, m.Service.Stop(ctx))
	}
	if m.smtp != nil { // after the queue: no delivery uses a session now
		errs = append(errs, m.smtp.Close())
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
