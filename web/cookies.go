package web

import (
	"net/http"
	"time"

	"github.com/guestpass/guestpass"
)

// Cookie names carry the tenant id: one browser may be a guest of several
// tenants at once, each with its own flow and session.
func flowCookie(tenantID string) string    { return "__Host-gp-flow-" + tenantID }
func sessionCookie(tenantID string) string { return guestpass.SessionCookieName(tenantID) }

// setHostCookie sets a __Host- cookie: Secure, Path=/, no Domain, HttpOnly,
// SameSite=Lax, living exactly until `until`. Browsers accept Secure on
// http://localhost, so development needs no exception.
func setHostCookie(w http.ResponseWriter, name, value string, until, now time.Time) {
	maxAge := int(until.Sub(now).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}
