package guestpass

import (
	"net/url"
	"strings"
)

// CleanReturnTo validates a post-sign-in destination. Only GuestPass itself
// qualifies for now (application redirect URIs join when applications
// exist): an open redirect on an identity provider is a phishing kit.
// It returns the absolute URL to use; ok is false for anything refused.
func (s *Service) CleanReturnTo(raw string) (string, bool) {
	if raw == "" {
		return "", true
	}
	if len(raw) > 2048 || strings.ContainsAny(raw, "\\\r\n\t\x00") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" {
		return "", false
	}
	if !u.IsAbs() {
		// A path on this host: "/x" but never "//host" (scheme-relative).
		// Judge the raw text: "%2F0" decodes to "/0" but is no path.
		if u.Host != "" || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") {
			return "", false
		}
		return s.base.Scheme + "://" + s.base.Host + u.RequestURI(), true
	}
	if u.Scheme != s.base.Scheme || !strings.EqualFold(u.Host, s.base.Host) {
		return "", false
	}
	return u.String(), true
}
