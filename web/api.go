package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/guestpass/guestpass"
)

// apiHandler is the admin API of DESIGN §4. Authentication wraps the whole
// mux, so an anonymous caller learns nothing about which routes exist.
func (s *Server) apiHandler() http.Handler {
	mux := http.NewServeMux()
	const t = "/api/v1/tenants/{tid}"
	mux.HandleFunc("POST /api/v1/tenants", s.apiCreateTenant)
	mux.HandleFunc("GET /api/v1/tenants", s.apiListTenants)
	mux.HandleFunc("GET "+t, s.apiGetTenant)
	mux.HandleFunc("PATCH "+t, s.apiPatchTenant)
	mux.HandleFunc("POST "+t+"/invitations", s.apiInvite)
	mux.HandleFunc("GET "+t+"/invitations", s.apiListInvitations)
	mux.HandleFunc("GET "+t+"/invitations/{id}", s.apiGetInvitation)
	mux.HandleFunc("GET "+t+"/guests", s.apiListGuests)
	mux.HandleFunc("GET "+t+"/guests/{id}", s.apiGetGuest)
	mux.HandleFunc("PATCH "+t+"/guests/{id}", s.apiPatchGuest)
	mux.HandleFunc("DELETE "+t+"/guests/{id}", s.apiDeleteGuest)
	mux.HandleFunc("POST "+t+"/guests/{id}/revokeSignInSessions", s.apiRevokeSessions)
	mux.HandleFunc("GET "+t+"/guests/{id}/authenticationMethods", s.apiListMFAMethods)
	mux.HandleFunc("POST "+t+"/guests/{id}/resetAuthenticationMethods", s.apiResetMFA)
	mux.HandleFunc("GET "+t+"/auditLogs", s.apiListAudit)
	mux.HandleFunc("POST "+t+"/applications", s.apiCreateApp)
	mux.HandleFunc("GET "+t+"/applications", s.apiListApps)
	mux.HandleFunc("GET "+t+"/applications/{id}", s.apiGetApp)
	mux.HandleFunc("PATCH "+t+"/applications/{id}", s.apiPatchApp)
	mux.HandleFunc("DELETE "+t+"/applications/{id}", s.apiDeleteApp)
	mux.HandleFunc("POST "+t+"/applications/{id}/rotateSecret", s.apiRotateAppSecret)
	mux.HandleFunc("POST "+t+"/identityProviders", s.apiCreateIDP)
	mux.HandleFunc("GET "+t+"/identityProviders", s.apiListIDPs)
	mux.HandleFunc("GET "+t+"/identityProviders/{id}", s.apiGetIDP)
	mux.HandleFunc("PATCH "+t+"/identityProviders/{id}", s.apiPatchIDP)
	mux.HandleFunc("DELETE "+t+"/identityProviders/{id}", s.apiDeleteIDP)
	mux.HandleFunc("POST "+t+"/tokens", s.apiCreateToken)
	return apiHeaders(s.apiAuth(s.apiFallback(mux)))
}

// apiHeaders sets the defaults every API answer carries, errors included:
// nothing is cached, and a browser never sniffs JSON into something active.
func apiHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

type adminKey struct{}

// apiAuth resolves the bearer token (RFC 6750) and puts it in the context.
// Cookies are never consulted: a browser's ambient credentials cannot reach
// the API, so it needs no CSRF defence.
func (s *Server) apiAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", "Bearer")
			s.apiError(w, r, guestpass.Errorf(guestpass.KindUnauthorized, "invalid_token", "an Authorization: Bearer token is required"))
			return
		}
		admin, err := s.svc.Authenticate(r.Context(), token)
		if err != nil {
			if statusOf(err) == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			}
			s.apiError(w, r, err)
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), adminKey{}, admin)))
	})
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// adminOf is the token apiAuth admitted.
func adminOf(r *http.Request) *guestpass.AdminToken {
	a, _ := r.Context().Value(adminKey{}).(*guestpass.AdminToken)
	return a
}

// apiFallback answers unknown routes (404) and wrong methods (405) in JSON;
// ServeMux would answer them in plain text.
func (s *Server) apiFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &discardRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			s.apiError(w, r, &statusError{http.StatusMethodNotAllowed, "method_not_allowed", r.Method + " is not allowed on " + r.URL.Path})
			return
		}
		s.apiError(w, r, &statusError{http.StatusNotFound, "not_found", "no such API route"})
	})
}

// discardRecorder captures what ServeMux's built-in 404/405 handlers decide
// (the status and the Allow header) without their text body.
type discardRecorder struct {
	header http.Header
	status int
}

func (d *discardRecorder) Header() http.Header         { return d.header }
func (d *discardRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardRecorder) WriteHeader(status int)      { d.status = status }

// statusError is a transport-level failure without a guestpass kind (413,
// 415, 405): the request never reached policy.
type statusError struct {
	status int
	code   string
	msg    string
}

func (e *statusError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

// apiError writes any error in the API's JSON shape.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	var se *statusError
	if errors.As(err, &se) {
		writeJSON(w, se.status, map[string]any{"error": map[string]string{"code": se.code, "message": se.msg}})
		return
	}
	s.writeJSONError(w, r, err)
}

// list is the Graph collection shape.
type list[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"nextLink,omitempty"`
}

const (
	defaultTop   = 100
	maxTop       = 1000
	maxSkipToken = 1024
)

// apiPage reads $top and $skiptoken and refuses any query parameter not in
// filters, so a typo ("$fliter") is an error rather than a silent full list.
func apiPage(r *http.Request, filters ...string) (guestpass.Page, error) {
	q := r.URL.Query()
	for k := range q {
		if k != "$top" && k != "$skiptoken" && !contains(filters, k) {
			return guestpass.Page{}, guestpass.Errorf(guestpass.KindInvalid, "invalid_query", "unsupported query parameter %q", clip(k))
		}
	}
	p := guestpass.Page{Limit: defaultTop, After: q.Get("$skiptoken")}
	if v, ok := q["$top"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > maxTop {
			return guestpass.Page{}, guestpass.Errorf(guestpass.KindInvalid, "invalid_query", "$top must be an integer from 1 to %d", maxTop)
		}
		p.Limit = n
	}
	if len(p.After) > maxSkipToken {
		return guestpass.Page{}, guestpass.Errorf(guestpass.KindInvalid, "invalid_query", "$skiptoken is not one this server issued")
	}
	return p, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// nextLink is the absolute URL of the page after this one: the same path and
// filters, with the store's cursor as $skiptoken. Empty on the last page.
func (s *Server) nextLink(r *http.Request, cursor string) string {
	if cursor == "" {
		return ""
	}
	q := r.URL.Query()
	q.Set("$skiptoken", cursor)
	return s.absURL(r.URL.Path, q)
}

// absURL puts path (and query) under the public base URL, which may itself
// carry a path prefix stripped by a reverse proxy.
func (s *Server) absURL(path string, q url.Values) string {
	u := s.svc.BaseURL()
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawPath = ""
	// "$" is legal in a query (RFC 3986 sub-delims); Graph clients expect
	// "$skiptoken=", not "%24skiptoken=".
	u.RawQuery = strings.ReplaceAll(q.Encode(), "%24", "$")
	return u.String()
}

// clip bounds caller input echoed in an error message.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}
