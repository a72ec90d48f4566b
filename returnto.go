package guestpass

import (
	"context"
	"net/url"
	"strings"
)

// CleanReturnTo validates a post-sign-in destination. Only GuestPass itself
// qualifies (CleanTenantReturnTo adds proxied apps; OIDC apps are reached
// only through the provider, with a code): an open redirect on an identity
// provider is a phishing kit.
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

// CleanTenantReturnTo is CleanReturnTo widened by the tenant's proxied
// apps: an absolute URL on a host of one of tenantID's proxy applications
// (https, or http while GuestPass itself is on http: development) is a
// destination too. That is where forward auth sends a guest back after
// sign-in.
func (s *Service) CleanTenantReturnTo(ctx context.Context, tenantID, raw string) (string, bool) {
	if rt, ok := s.CleanReturnTo(raw); ok || raw == "" {
		return rt, ok
	}
	if len(raw) > 2048 || strings.ContainsAny(raw, "\\\r\n\t\x00") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" || u.Host == "" {
		return "", false
	}
	if u.Scheme != "https" && (u.Scheme != "http" || s.base.Scheme != "http") {
		return "", false
	}
	t, err := s.ProxyTarget(ctx, u.Host)
	if err != nil || t.App.TenantID != tenantID {
		return "", false
	}
	return u.String(), true
}
