package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/prometheus/client_golang/prometheus"
)

// Forward auth: a reverse proxy asks, before every request to an app it
// fronts, whether this browser may see this host. This is the hottest path
// of GuestPass, so it is kept apart from the page and API muxes: no
// templates, no JSON, no per-request database read (the service answers
// from memory), and no allocation that can be avoided.

// authzMode is the protocol of a forward-auth endpoint.
type authzMode int

const (
	// modeForwardAuth is Traefik's forwardAuth and Caddy's forward_auth:
	// X-Forwarded-Method/Proto/Host/Uri; no session answers 302.
	modeForwardAuth authzMode = iota
	// modeAuthRequest is nginx auth_request: X-Original-URL and
	// X-Original-Method; no session answers 401 with the sign-in URL in
	// Location for error_page to use.
	modeAuthRequest
)

// proxyCookie is the forward-auth cookie on the parent domain of the
// proxied apps (--cookie-domain), named per tenant like the session cookie.
func proxyCookie(tenantID string) string { return "__Secure-gp-proxy-" + tenantID }

// proxied is what the proxy says about the request it is deciding on.
type proxied struct {
	method, proto, host, uri string
}

// proxiedRequest reads the original request's method, scheme, host and URI
// from the headers of mode, but only from a trusted proxy: from anyone else
// they are ignored (logged once) and the request itself is judged, which
// is GuestPass's own host and so never an app.
func (s *Server) proxiedRequest(r *http.Request, mode authzMode) proxied {
	p := proxied{method: r.Method, proto: "http", host: r.Host, uri: r.URL.RequestURI()}
	if r.TLS != nil {
		p.proto = "https"
	}
	if !s.isTrusted(peerAddr(r.RemoteAddr)) {
		if r.Header.Get("X-Forwarded-Host") != "" || r.Header.Get("X-Original-URL") != "" {
			s.untrustedOnce.Do(func() {
				s.log.Warn("forward auth: ignoring X-Forwarded-*/X-Original-* headers from a peer outside --trusted-proxies; set it to your reverse proxy's address", "peer", r.RemoteAddr)
			})
		}
		return p
	}
	h := r.Header
	switch mode {
	case modeForwardAuth:
		if v := headerValue(h, "X-Forwarded-Method"); v != "" {
			p.method = v
		}
		if v := headerValue(h, "X-Forwarded-Proto"); v != "" {
			p.proto = cleanProto(v)
		}
		if v := headerValue(h, "X-Forwarded-Host"); v != "" {
			p.host = v
		}
		if v := headerValue(h, "X-Forwarded-Uri"); v != "" {
			p.uri = v
		}
	case modeAuthRequest:
		if v := headerValue(h, "X-Original-Method"); v != "" {
			p.method = v
		}
		if v := headerValue(h, "X-Original-Url"); v != "" {
			proto, host, uri, ok := splitOriginalURL(v)
			if !ok {
				// A URL nginx would never send: judge no host at all.
				proto, host, uri = "https", "", "/"
			}
			p.proto, p.host, p.uri = proto, host, uri
		}
	}
	return p
}

// headerValue is Header.Get for canonical keys without the canonicalizing.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func cleanProto(v string) string {
	if strings.EqualFold(v, "http") {
		return "http"
	}
	return "https"
}

// splitOriginalURL splits an absolute http(s) URL (nginx's
// $scheme://$http_host$request_uri) into scheme, host and request URI
// without allocating. ok is false for anything else.
func splitOriginalURL(raw string) (proto, host, uri string, ok bool) {
	switch {
	case len(raw) > 8 && strings.EqualFold(raw[:8], "https://"):
		proto, raw = "https", raw[8:]
	case len(raw) > 7 && strings.EqualFold(raw[:7], "http://"):
		proto, raw = "http", raw[7:]
	default:
		return "", "", "", false
	}
	end := strings.IndexAny(raw, "/?#")
	if end < 0 {
		host, uri = raw, "/"
	} else {
		host, uri = raw[:end], raw[end:]
		if uri[0] != '/' {
			return "", "", "", false
		}
	}
	// "%": net/url would decode it into another host than the one matched.
	if host == "" || strings.ContainsAny(host, "@%\\ \t\r\n") {
		return "", "", "", false
	}
	return proto, host, uri, true
}

// findCookie returns the value of the first cookie called name in the
// request's Cookie headers, without parsing the others (r.Cookie builds
// every cookie of the header). Values are returned only when they consist
// of cookie-octets (RFC 6265 §4.1.1), quotes stripped.
func findCookie(h http.Header, name string) string { return findCookieOf(h, name, "") }

// findCookieOf is findCookie for the cookie called prefix+id, matched
// without building that name (the hot path then allocates nothing here).
func findCookieOf(h http.Header, prefix, id string) string {
	if prefix == "" && id == "" {
		return "" // a cookie has a name; "=v" names none
	}
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			// Trim as net/http does (textproto.TrimString): a stray CR or
			// LF beside a name must not hide it from us while net/http
			// still sees it.
			part = strings.Trim(part, asciiSpace)
			// A part with no "=" is a cookie with an empty value, as net/http
			// reads it: the first of that name still wins.
			k, v, _ := strings.Cut(part, "=")
			if k = strings.TrimRight(k, asciiSpace); len(k) != len(prefix)+len(id) || k[:len(prefix)] != prefix || k[len(prefix):] != id {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if !cookieOctets(v) {
				return ""
			}
			return v
		}
	}
	return ""
}

// asciiSpace is what textproto.TrimString trims.
const asciiSpace = " \t\r\n"

func cookieOctets(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// authzMetrics are the forward-auth counters, made once per status so the
// hot path does no label lookup.
type authzMetrics struct {
	latency prometheus.Observer
	byCode  map[int]prometheus.Counter
}

func (m *metrics) authz() *authzMetrics {
	a := &authzMetrics{latency: m.latency.WithLabelValues("authz"), byCode: map[int]prometheus.Counter{}}
	for _, code := range []int{200, 302, 303, 401, 403, 500, 503} {
		a.byCode[code] = m.requests.WithLabelValues("authz", strconv.Itoa(code))
	}
	return a
}

func (a *authzMetrics) observe(code int, start time.Time) {
	a.latency.Observe(time.Since(start).Seconds())
	if c := a.byCode[code]; c != nil {
		c.Inc()
	}
}

// authz serves one forward-auth endpoint.
func (s *Server) authz(mode authzMode) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code := s.decide(w, r, mode)
		s.authzMetrics.observe(code, start)
	}
}

// decide answers the proxy and returns the status it wrote.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, mode authzMode) int {
	h := w.Header()
	h["Cache-Control"] = noStore
	p := s.proxiedRequest(r, mode)
	target, err := s.svc.ProxyTarget(r.Context(), p.host)
	if err != nil {
		return s.authzFailed(w, r, err)
	}
	tid := target.App.TenantID
	// sessionCookie("") and proxyCookie("") are the name prefixes; Go
	// returns the constant for a concatenation with "", no allocation.
	token, cred := findCookieOf(r.Header, sessionCookie(""), tid), guestpass.CredentialSession
	if s.cookieDomain != "" {
		token, cred = findCookieOf(r.Header, proxyCookie(""), tid), guestpass.CredentialProxy
	}
	a, err := s.svc.AuthorizeProxy(r.Context(), target, token, cred)
	if err != nil {
		// KindOf allocates (errors.As), so only on the way out.
		if guestpass.KindOf(err) == guestpass.KindUnauthorized {
			return s.toSignIn(w, r, mode, target.App.ID, tid, p)
		}
		return s.authzFailed(w, r, err)
	}
	// One backing array for the identity headers: one allocation, not
	// five. Each slice is capped at its own element, so an append by a
	// later handler copies instead of overwriting its neighbour.
	v := new([5]string)
	v[0], v[1], v[2], v[3] = a.Guest.ID, a.Guest.Mail, headerSafe(a.Guest.DisplayName), tid
	h["Remote-User"], h["Remote-Email"], h["Remote-Name"], h["Remote-Tenant"] = v[0:1:1], v[1:2:2], v[2:3:3], v[3:4:4]
	if amr := a.Session.AMR; len(amr) > 0 {
		v[4] = strings.Join(amr, ",")
		h["Remote-Amr"] = v[4:5:5]
	}
	w.WriteHeader(http.StatusOK)
	return http.StatusOK
}

var noStore = []string{"no-store"}

// toSignIn sends the browser to the tenant's sign-in page with the app and
// the original URL as return_to (validated like any other). Forward auth
// redirects itself; auth-request answers 401 with the same Location for
// nginx's error_page.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request, mode authzMode, appID, tenantID string, p proxied) int {
	// app names the application, so that the sign-in asks for whatever it
	// requires (a second factor).
	q := url.Values{"app": {appID}}
	if rt, ok := s.svc.CleanTenantReturnTo(r.Context(), tenantID, p.proto+"://"+p.host+p.uri); ok && rt != "" {
		q.Set("return_to", rt)
	}
	signIn := s.svc.TenantURL(tenantID, "/signin") + "?" + q.Encode()
	w.Header().Set("Location", signIn)
	status := http.StatusUnauthorized
	if mode == modeForwardAuth {
		// A form POST that finds its session gone must come back with GET.
		status = http.StatusFound
		if p.method != http.MethodGet && p.method != http.MethodHead {
			status = http.StatusSeeOther
		}
	}
	w.WriteHeader(status)
	return status
}

// authzFailed answers unknown hosts and unassigned guests with 403 and
// internal trouble with 5xx: never 200.
func (s *Server) authzFailed(w http.ResponseWriter, r *http.Request, err error) int {
	status, code, _ := s.publicError(r, err)
	if status < 500 {
		status = http.StatusForbidden
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(code + "\n"))
	return status
}

// headerSafe drops control characters from a display name (a header value
// must not carry them); names are validated on input, this is the belt.
func headerSafe(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return -1
				}
				return r
			}, v)
		}
	}
	return v
}

// setProxyCookie sets the forward-auth cookie on the parent domain, for
// the same absolute lifetime as the session.
func (s *Server) setProxyCookie(w http.ResponseWriter, tenantID string, g *guestpass.SessionGrant) {
	if s.cookieDomain == "" || g.ProxyToken == "" {
		return
	}
	maxAge := int(g.Session.ExpiresAt.Sub(s.svc.Now()).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{Name: proxyCookie(tenantID), Value: g.ProxyToken, Domain: s.cookieDomain, Path: "/",
		MaxAge: maxAge, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearProxyCookie(w http.ResponseWriter, tenantID string) {
	if s.cookieDomain == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: proxyCookie(tenantID), Value: "", Domain: s.cookieDomain, Path: "/",
		MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
