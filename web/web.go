package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options wire a Server.
type Options struct {
	Service *guestpass.Service
	Logger  *slog.Logger
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// CookieDomain is the parent domain of the proxied apps
	// (--cookie-domain). When set, sign-in also sets the forward-auth
	// cookie there and forward auth reads only that cookie; when empty,
	// forward auth reads the guest session cookie (one host).
	CookieDomain string
	// Registry receives the HTTP metrics; nil means a private registry.
	Registry *prometheus.Registry
}

// Server serves every HTTP surface of GuestPass.
type Server struct {
	svc     *guestpass.Service
	log     *slog.Logger
	trusted []netip.Prefix
	reg     *prometheus.Registry
	metrics *metrics
	pages   *pages

	cookieDomain  string
	authzMetrics  *authzMetrics
	untrustedOnce sync.Once // the untrusted X-Forwarded-* warning
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.Service == nil {
		return nil, errors.New("web: Service is required")
	}
	s := &Server{svc: o.Service, log: o.Logger, trusted: o.TrustedProxies, reg: o.Registry,
		cookieDomain: strings.TrimPrefix(strings.ToLower(o.CookieDomain), ".")}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(s.reg)
	s.authzMetrics = s.metrics.authz()
	p, err := newPages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	return s, nil
}

// Handler returns the root handler: the surfaces are separate muxes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", s.metrics.wrap("api", s.apiHandler()))
	mux.Handle("/t/", s.metrics.wrap("pages", s.pageHandler()))
	// Any method: the proxy may ask with the original one; nothing changes.
	mux.Handle("/api/authz/forward-auth", s.authz(modeForwardAuth))
	mux.Handle("/api/authz/auth-request", s.authz(modeAuthRequest))
	mux.Handle("GET /{$}", http.RedirectHandler("/healthz", http.StatusFound))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeText(w, http.StatusOK, "ok\n") })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return mux
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Store().Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		writeText(w, http.StatusServiceUnavailable, "database unavailable\n")
		return
	}
	writeText(w, http.StatusOK, "ok\n")
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// statusOf maps an error kind to its HTTP status, in one place.
func statusOf(err error) int {
	switch guestpass.KindOf(err) {
	case guestpass.KindInvalid:
		return http.StatusBadRequest
	case guestpass.KindNotFound:
		return http.StatusNotFound
	case guestpass.KindConflict:
		return http.StatusConflict
	case guestpass.KindUnauthorized:
		return http.StatusUnauthorized
	case guestpass.KindForbidden:
		return http.StatusForbidden
	case guestpass.KindRateLimited:
		return http.StatusTooManyRequests
	case guestpass.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// publicError returns the caller-safe code and message of err, logging the
// detail of internal errors only.
func (s *Server) publicError(r *http.Request, err error) (status int, code, msg string) {
	status = statusOf(err)
	var e *guestpass.Error
	if errors.As(err, &e) && status != http.StatusInternalServerError {
		return status, e.Code, e.Message
	}
	if status == http.StatusServiceUnavailable {
		return status, "unavailable", "The service is temporarily unavailable. Try again shortly."
	}
	s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "internal", "Something went wrong on our side. Try again later."
}

// writeJSONError writes the API error shape {"error":{"code","message"}}.
func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := s.publicError(r, err)
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// ClientIP is clientIP for the handlers mounted beside this server.
func (s *Server) ClientIP(r *http.Request) string { return s.clientIP(r) }

// clientIP is the peer address, or the nearest untrusted hop of
// X-Forwarded-For when the peer is a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || !s.isTrusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.isTrusted(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func (s *Server) isTrusted(a netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Server) client(r *http.Request) guestpass.Client {
	return guestpass.Client{IP: s.clientIP(r), UserAgent: r.UserAgent(), Locale: localeOf(r)}
}
