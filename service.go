package guestpass

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Limit is a token bucket: Burst events at once, refilled at Burst per Per.
type Limit struct {
	Burst int
	Per   time.Duration
}

func (l Limit) interval() time.Duration { return l.Per / time.Duration(l.Burst) }

// Limits are the numbers of DESIGN §3. They are enforced through the Store,
// so they hold across every node sharing a database.
type Limits struct {
	CodeAttempts   int           // wrong guesses per code
	GuestFailures  Limit         // failed proofs per guest (tenant+address)
	LockFor        time.Duration // code sign-in lock after GuestFailures is spent
	SendPerFlow    Limit
	SendPerAddress Limit // per address per tenant
	SendPerIP      Limit
	VerifyPerIP    Limit
}

// DefaultLimits are the published numbers (docs/security.md).
func DefaultLimits() Limits {
	return Limits{
		CodeAttempts:   5,
		GuestFailures:  Limit{Burst: 20, Per: time.Hour},
		LockFor:        time.Hour,
		SendPerFlow:    Limit{Burst: 1, Per: 30 * time.Second},
		SendPerAddress: Limit{Burst: 10, Per: time.Hour},
		SendPerIP:      Limit{Burst: 60, Per: time.Hour},
		VerifyPerIP:    Limit{Burst: 300, Per: time.Hour},
	}
}

// Config wires a Service. Store, Keys and BaseURL are required.
type Config struct {
	Store   Store
	Keys    *Keys
	BaseURL string
	Clock   Clock     // default SystemClock
	Rand    io.Reader // default crypto/rand
	Logger  *slog.Logger
	Mailer  Mailer // delivers queued mail; nil: jobs stay queued
	// TextSender delivers SMS codes; nil: none configured, and SMS is not
	// offered as a second factor.
	TextSender TextSender
	// Passkeys runs WebAuthn ceremonies; nil: passkeys are not offered.
	Passkeys Passkeys
	// Upstream talks to the tenants' identity providers; nil: none can be
	// saved and every guest gets the email code (or the refusal page).
	Upstream Upstream
	Limits   *Limits
	// FlowLifetime bounds a sign-in flow beyond its code's lifetime.
	FlowLifetime time.Duration
	// FeedPoll is how often the change feed is read (default 250 ms): the
	// bound on how long another node's revocation takes to reach this one
	// where the store cannot notify.
	FeedPoll time.Duration
	// SessionViewSize bounds the in-memory session view (default 100,000).
	SessionViewSize int
}

// Service is GuestPass's policy: every guest and admin operation goes
// through it, and it is the only caller of the Store.
type Service struct {
	store    Store
	keys     *Keys
	clock    Clock
	rand     io.Reader
	base     *url.URL
	log      *slog.Logger
	mailer   Mailer
	texts    TextSender
	passkeys Passkeys
	upstream Upstream
	limits   Limits
	flowTTL  time.Duration

	view      *sessionView
	sent      sentJobs
	proxies   *proxyIndex
	tenants   *tenantCache
	signing   keyCache
	listeners []func(Change)
	feedPoll  time.Duration
	feedStop  context.CancelFunc
	feedDone  chan struct{}
}

// NewService checks cfg and returns a Service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Keys == nil {
		return nil, errors.New("guestpass: Store and Keys are required")
	}
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	s := &Service{store: cfg.Store, keys: cfg.Keys, clock: cfg.Clock, rand: cfg.Rand, base: base,
		log: cfg.Logger, mailer: cfg.Mailer, texts: cfg.TextSender, passkeys: cfg.Passkeys, upstream: cfg.Upstream, limits: DefaultLimits(), flowTTL: cfg.FlowLifetime}
	if s.clock == nil {
		s.clock = SystemClock{}
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Limits != nil {
		s.limits = *cfg.Limits
	}
	if s.flowTTL == 0 {
		s.flowTTL = 15 * time.Minute
	}
	s.feedPoll = cmp.Or(cfg.FeedPoll, 250*time.Millisecond)
	// An entry is served only while the feed was read within four polls
	// (and never longer than a second): a node that cannot read the feed
	// stops trusting its memory before a revocation could be missed for
	// more than that.
	s.proxies = &proxyIndex{}
	s.tenants = newTenantCache()
	s.view = newSessionView(cmp.Or(cfg.SessionViewSize, 100_000), min(4*s.feedPoll, time.Second))
	s.sent.keep = 24 * time.Hour
	return s, nil
}

// ParseBaseURL validates the public base URL: absolute http(s), no query.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("base URL %q must be an absolute http(s) URL without query", raw)
	}
	return u, nil
}

// Now is the service's clock, for adapters that must agree with policy.
func (s *Service) Now() time.Time { return s.clock.Now() }

// BaseURL is the public base URL, without a trailing slash.
func (s *Service) BaseURL() *url.URL { u := *s.base; return &u }

// Keys is the secret key material (the OpenID provider's token key).
func (s *Service) Keys() *Keys { return s.keys }

// Limits returns the limits in force.
func (s *Service) Limits() Limits { return s.limits }

// Store exposes the store for adapters that need reads the service does not
// wrap (readiness).
func (s *Service) Store() Store { return s.store }

// TextSender is the configured SMS sender, or nil (no SMS second factor).
func (s *Service) TextSender() TextSender { return s.texts }

// TenantURL is {base}/t/{tid}{path}.
func (s *Service) TenantURL(tenantID, path string) string {
	return s.base.String() + "/t/" + url.PathEscape(tenantID) + path
}

func (s *Service) newID() (string, error) { return NewID(s.rand) }

// Client describes who is asking, for limits and the audit log.
type Client struct {
	IP        string
	UserAgent string
	Locale    string
}

func (s *Service) audit(ctx context.Context, q Queries, e AuditEvent) error {
	id, err := s.newID()
	if err != nil {
		return err
	}
	e.ID = id
	e.Time = s.clock.Now()
	if len(e.UserAgent) > 512 {
		e.UserAgent = e.UserAgent[:512]
	}
	if err := q.AppendAudit(ctx, &e); err != nil {
		return internal("audit", err)
	}
	return nil
}

// take consumes one token of limit l on key.
func (s *Service) take(ctx context.Context, q Queries, key string, l Limit) (bool, int, error) {
	ok, remaining, err := q.TakeToken(ctx, key, s.clock.Now(), l.interval(), l.Burst)
	if err != nil {
		return false, 0, internal("limit "+strings.SplitN(key, ":", 2)[0], err)
	}
	return ok, remaining, nil
}

// sealMessage turns a message into a queued job.
func (s *Service) sealMessage(m *Message, tenantID, invitationID string, notAfter time.Time, discard bool) (MailJob, error) {
	id, err := s.newID()
	if err != nil {
		return MailJob{}, err
	}
	plain, err := encodeMessage(m)
	if err != nil {
		return MailJob{}, internal("encode mail", err)
	}
	sealed, err := s.keys.Seal(plain, []byte(id))
	if err != nil {
		return MailJob{}, internal("seal mail", err)
	}
	return MailJob{ID: id, TenantID: tenantID, Type: m.Kind, InvitationID: invitationID, NotAfter: notAfter, Discard: discard, Sealed: sealed}, nil
}
