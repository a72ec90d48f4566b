package guestpass

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AppType is what an application is to GuestPass.
type AppType string

const (
	// AppOIDC is an OpenID Connect client of the tenant's issuer.
	AppOIDC AppType = "oidc"
	// AppProxy is a set of hosts behind a reverse proxy that asks GuestPass
	// on every request (forward auth).
	AppProxy AppType = "proxy"
)

// Assignment says which guests may use an application.
type Assignment string

const (
	AssignAll      Assignment = "allGuests"
	AssignAssigned Assignment = "assignedGuests"
)

// Application is one of a tenant's internal resources. For OIDC apps the
// client ID is the application ID.
type Application struct {
	ID          string
	TenantID    string
	DisplayName string
	Type        AppType

	// OIDC clients.
	RedirectURIs []string
	// PostLogoutRedirectURIs are the end-session destinations, matched
	// exactly like RedirectURIs.
	PostLogoutRedirectURIs []string
	Public                 bool
	// SecretHash is SHA-256 of the client secret (256 random bits: a plain
	// hash is enough, no stretching). PrevSecretHash stays valid until
	// PrevSecretExpiresAt so a rotation can roll out without downtime.
	SecretHash          []byte
	PrevSecretHash      []byte
	PrevSecretExpiresAt time.Time

	// Proxy apps: exact hosts or one-level wildcards ("*.docs.example.com"),
	// each with an optional port.
	Hosts []string

	Assignment       Assignment
	AssignedGuestIDs []string
	// RequireMFA asks for a second factor on this app even where the tenant
	// does not: an app can tighten the tenant's rule, never loosen it.
	RequireMFA bool
	// IDTokenAlg is what an OIDC app's ID tokens are signed with
	// (id_token_signed_response_alg): AlgRS256, the default every client
	// supports, or AlgES256. Empty for proxy apps.
	IDTokenAlg string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// ClientID is the OAuth client_id of an OIDC app.
func (a *Application) ClientID() string { return a.ID }

// Allows reports whether the guest may use the app.
func (a *Application) Allows(guestID string) bool {
	return a.Assignment == AssignAll || slices.Contains(a.AssignedGuestIDs, guestID)
}

// CheckSecret compares a presented client secret with the current one and,
// until it expires, the one it replaced; in constant time.
func (a *Application) CheckSecret(secret string, now time.Time) bool {
	if a.Public || secret == "" || len(a.SecretHash) == 0 {
		return false
	}
	h := HashToken(secret)
	ok := subtle.ConstantTimeCompare(h, a.SecretHash) == 1
	if len(a.PrevSecretHash) > 0 && now.Before(a.PrevSecretExpiresAt) {
		ok = subtle.ConstantTimeCompare(h, a.PrevSecretHash) == 1 || ok
	}
	return ok
}

// HasRedirectURI reports an exact match (RFC 9700 §4.1.3: no prefix, no
// wildcard).
func (a *Application) HasRedirectURI(uri string) bool { return slices.Contains(a.RedirectURIs, uri) }

// ApplicationQueries persist applications. The multi-row operations
// (an app with its hosts and assignments) must run inside Store.Update.
type ApplicationQueries interface {
	// CreateApplication returns ErrConflict when a host already belongs to
	// an application (of any tenant).
	CreateApplication(ctx context.Context, a *Application) error
	GetApplication(ctx context.Context, tenantID, id string) (*Application, error)
	// GetApplicationByID finds an app of any tenant (an OIDC client_id).
	GetApplicationByID(ctx context.Context, id string) (*Application, error)
	// UpdateApplication replaces the app's fields, hosts and assignments;
	// ErrConflict as for CreateApplication.
	UpdateApplication(ctx context.Context, a *Application) error
	DeleteApplication(ctx context.Context, tenantID, id string) error
	ListApplications(ctx context.Context, tenantID string, p Page) ([]*Application, string, error)
	// ApplicationByHost returns the proxy app that registered host (exactly
	// as stored: the caller tries the candidates of HostCandidates).
	ApplicationByHost(ctx context.Context, host string) (*Application, error)
	// ProxyApplications lists the proxy apps of every tenant, with hosts
	// and assignments (the forward-auth host index is built from it).
	ProxyApplications(ctx context.Context) ([]*Application, error)
	// ApplicationsForGuest lists the tenant's apps the guest may use.
	ApplicationsForGuest(ctx context.Context, tenantID, guestID string) ([]*Application, error)
}

// Application limits: generous for real use, small enough that one app
// cannot bloat the per-request host table.
const (
	maxRedirectURIs = 20
	maxHosts        = 50
	maxAssigned     = 10000
	// prevSecretGrace is how long a rotated-out client secret keeps working.
	prevSecretGrace = 24 * time.Hour
)

// AppInput creates an application or, with nil fields left alone, patches
// one.
type AppInput struct {
	DisplayName            *string
	Type                   *AppType
	RedirectURIs           *[]string
	PostLogoutRedirectURIs *[]string
	Public                 *bool
	Hosts                  *[]string
	Assignment             *Assignment
	AssignedGuestIDs       *[]string
	RequireMFA             *bool
	IDTokenAlg             *string
}

func (in *AppInput) apply(a *Application) {
	set(&a.DisplayName, in.DisplayName)
	set(&a.RedirectURIs, in.RedirectURIs)
	set(&a.PostLogoutRedirectURIs, in.PostLogoutRedirectURIs)
	set(&a.Public, in.Public)
	set(&a.Hosts, in.Hosts)
	set(&a.Assignment, in.Assignment)
	set(&a.AssignedGuestIDs, in.AssignedGuestIDs)
	set(&a.RequireMFA, in.RequireMFA)
	set(&a.IDTokenAlg, in.IDTokenAlg)
}

// normalize validates an application and puts its lists in canonical form.
func (a *Application) normalize() error {
	if err := validDisplayName(a.DisplayName, "displayName"); err != nil {
		return err
	}
	if a.Assignment == "" {
		a.Assignment = AssignAll
	}
	if a.Assignment != AssignAll && a.Assignment != AssignAssigned {
		return Errorf(KindInvalid, "invalid_assignment", "assignment must be allGuests or assignedGuests")
	}
	if len(a.AssignedGuestIDs) > maxAssigned {
		return Errorf(KindInvalid, "invalid_assignment", "at most %d assignedGuestIds", maxAssigned)
	}
	a.AssignedGuestIDs = dedupe(a.AssignedGuestIDs)
	switch a.Type {
	case AppOIDC:
		if len(a.Hosts) > 0 {
			return Errorf(KindInvalid, "invalid_hosts", "hosts belong to proxy applications")
		}
		switch a.IDTokenAlg {
		case "":
			a.IDTokenAlg = AlgRS256
		case AlgRS256, AlgES256:
		default:
			return Errorf(KindInvalid, "invalid_id_token_alg", "idTokenSignedResponseAlg must be RS256 or ES256")
		}
		var err error
		if a.RedirectURIs, err = redirectURIList(a.RedirectURIs, "redirectUris", true); err != nil {
			return err
		}
		a.PostLogoutRedirectURIs, err = redirectURIList(a.PostLogoutRedirectURIs, "postLogoutRedirectUris", false)
		return err
	case AppProxy:
		if len(a.RedirectURIs) > 0 || len(a.PostLogoutRedirectURIs) > 0 || a.Public || a.IDTokenAlg != "" {
			return Errorf(KindInvalid, "invalid_type", "redirectUris, public and idTokenSignedResponseAlg belong to oidc applications")
		}
		if len(a.Hosts) == 0 || len(a.Hosts) > maxHosts {
			return Errorf(KindInvalid, "invalid_hosts", "hosts must list 1 to %d hosts", maxHosts)
		}
		hosts := make([]string, 0, len(a.Hosts))
		for _, h := range a.Hosts {
			c, err := ParseHostPattern(h)
			if err != nil {
				return err
			}
			hosts = append(hosts, c)
		}
		a.Hosts = dedupe(hosts)
		return nil
	}
	return Errorf(KindInvalid, "invalid_type", "type must be oidc or proxy")
}

func dedupe(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// redirectURIList validates OIDC redirect URIs: absolute, no fragment, no
// credentials, https except on loopback (RFC 8252 §7.3 native apps and
// development).
func redirectURIList(in []string, field string, required bool) ([]string, error) {
	if len(in) > maxRedirectURIs || (required && len(in) == 0) {
		return nil, Errorf(KindInvalid, "invalid_redirect_uri", "%s must list 1 to %d URIs", field, maxRedirectURIs)
	}
	out := make([]string, 0, len(in))
	for _, raw := range in {
		if err := ValidateAppRedirectURI(raw); err != nil {
			return nil, Errorf(KindInvalid, "invalid_redirect_uri", "%s: %s", field, messageOf(err))
		}
		out = append(out, raw)
	}
	return dedupe(out), nil
}

// ValidateAppRedirectURI accepts an absolute https URL, or http on a
// loopback host, without fragment or credentials. The URI is kept exactly
// as given: matching is byte for byte.
func ValidateAppRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || len(raw) > 2048 || u.Host == "" || u.Opaque != "" || strings.ContainsAny(raw, " \\\r\n\t\x00"):
		return Errorf(KindInvalid, "invalid_redirect_uri", "%s is not an absolute URL", quoteSafe(raw))
	case u.User != nil || u.Fragment != "" || strings.Contains(raw, "#"):
		return Errorf(KindInvalid, "invalid_redirect_uri", "%s must carry no credentials or fragment", quoteSafe(raw))
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return Errorf(KindInvalid, "invalid_redirect_uri", "%s must be https (http only on localhost)", quoteSafe(raw))
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func messageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// ParseHostPattern canonicalizes a proxy app host: a DNS name (IDN to
// punycode, lower case) or "*." plus a name of at least two labels, with an
// optional ":port".
func ParseHostPattern(p string) (string, error) {
	bad := Errorf(KindInvalid, "invalid_hosts", "%s is not a host name, a one-level wildcard (*.example.com) or either with :port", quoteSafe(p))
	p = strings.TrimSpace(p)
	if p == "" || len(p) > 260 {
		return "", bad
	}
	name, port := p, ""
	if i := strings.LastIndexByte(p, ':'); i >= 0 {
		name, port = p[:i], p[i+1:]
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", bad
		}
		port = ":" + port
	}
	wild := ""
	if rest, ok := strings.CutPrefix(name, "*."); ok {
		if !strings.Contains(rest, ".") {
			return "", bad
		}
		name, wild = rest, "*."
	}
	if strings.ContainsAny(name, "*[]") {
		return "", bad
	}
	d, err := ParseDomain(name)
	if err != nil && !(wild == "" && name == "localhost") {
		return "", bad
	}
	if name == "localhost" {
		d = name
	}
	return wild + d + port, nil
}

// HostCandidates lists, most specific first, the stored host patterns that
// could match a request's Host header (already lower-cased): the exact
// host with and without its port, then the one-level wildcards.
func HostCandidates(host string) []string {
	name, port := host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		name, port = host[:i], host[i:]
	}
	out := make([]string, 0, 4)
	out = append(out, host)
	if port != "" {
		out = append(out, name)
	}
	if _, parent, ok := strings.Cut(name, "."); ok && strings.Contains(parent, ".") {
		if port != "" {
			out = append(out, "*."+parent+port)
		}
		out = append(out, "*."+parent)
	}
	return out
}

func (s *Service) getApplication(ctx context.Context, q Queries, tenantID, id string) (*Application, error) {
	a, err := q.GetApplication(ctx, tenantID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(KindNotFound, "application_not_found", "no application with id %s in this organization", quoteSafe(id))
	}
	return a, internal("get application", err)
}

// checkAssigned makes sure every assigned guest is a guest of the tenant.
func (s *Service) checkAssigned(ctx context.Context, q Queries, a *Application) error {
	for _, id := range a.AssignedGuestIDs {
		if _, err := q.GetGuest(ctx, a.TenantID, id); errors.Is(err, ErrNotFound) {
			return Errorf(KindInvalid, "invalid_guest", "assignedGuestIds: no guest with id %s in this organization", quoteSafe(id))
		} else if err != nil {
			return internal("get guest", err)
		}
	}
	return nil
}

func hostConflict(err error) error {
	if errors.Is(err, ErrConflict) {
		return Errorf(KindConflict, "host_conflict", "a host of this application already belongs to another application")
	}
	return internal("save application", err)
}

// CreateApplication registers an app. For a confidential OIDC client it
// returns the client secret: shown this once, stored only as a hash.
func (s *Service) CreateApplication(ctx context.Context, actor *AdminToken, tenantID string, in *AppInput) (*Application, string, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, "", err
	}
	if in.Type == nil || in.DisplayName == nil {
		return nil, "", Errorf(KindInvalid, "missing_field", "displayName and type are required")
	}
	return s.createApplication(ctx, actorID(actor), tenantID, in)
}

// CreateApplicationLocal is CreateApplication for the operator's own tools
// (the demo, the CLI on the database).
func (s *Service) CreateApplicationLocal(ctx context.Context, tenantID string, in *AppInput) (*Application, string, error) {
	return s.createApplication(ctx, "local", tenantID, in)
}

func (s *Service) createApplication(ctx context.Context, actor, tenantID string, in *AppInput) (*Application, string, error) {
	now := s.clock.Now()
	a := &Application{TenantID: tenantID, CreatedAt: now, UpdatedAt: now}
	if in.Type != nil {
		a.Type = *in.Type
	}
	in.apply(a)
	if err := a.normalize(); err != nil {
		return nil, "", err
	}
	id, err := s.newID()
	if err != nil {
		return nil, "", err
	}
	a.ID = id
	var secret string
	if a.Type == AppOIDC && !a.Public {
		if secret, err = NewToken(s.rand); err != nil {
			return nil, "", err
		}
		a.SecretHash = HashToken(secret)
	}
	err = s.update(ctx, func(tx Tx) error {
		if _, err := s.getTenant(ctx, tx, tenantID); err != nil {
			return err
		}
		if err := s.checkAssigned(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateApplication(ctx, a); err != nil {
			return hostConflict(err)
		}
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeApps, TenantID: tenantID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "application.create", Outcome: "success", Actor: actor, Detail: a.ID})
	})
	if err != nil {
		return nil, "", err
	}
	return a, secret, nil
}

// GetApplication returns one app.
func (s *Service) GetApplication(ctx context.Context, actor *AdminToken, tenantID, id string) (*Application, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	return s.getApplication(ctx, s.store, tenantID, id)
}

// ListApplications pages through a tenant's apps.
func (s *Service) ListApplications(ctx context.Context, actor *AdminToken, tenantID string, p Page) ([]*Application, string, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, "", err
	}
	if _, err := s.getTenant(ctx, s.store, tenantID); err != nil {
		return nil, "", err
	}
	as, next, err := s.store.ListApplications(ctx, tenantID, p)
	return as, next, internal("list applications", err)
}

// UpdateApplication patches an app; its type cannot change.
func (s *Service) UpdateApplication(ctx context.Context, actor *AdminToken, tenantID, id string, in *AppInput) (*Application, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	var out *Application
	err := s.update(ctx, func(tx Tx) error {
		a, err := s.getApplication(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if in.Type != nil && *in.Type != a.Type {
			return Errorf(KindInvalid, "invalid_type", "the type of an application cannot change")
		}
		wasPublic := a.Public
		in.apply(a)
		if err := a.normalize(); err != nil {
			return err
		}
		if a.Type == AppOIDC && wasPublic != a.Public {
			return Errorf(KindInvalid, "invalid_public", "public cannot change: create a new application")
		}
		if err := s.checkAssigned(ctx, tx, a); err != nil {
			return err
		}
		a.UpdatedAt = s.clock.Now()
		if err := tx.UpdateApplication(ctx, a); err != nil {
			return hostConflict(err)
		}
		out = a
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeApps, TenantID: tenantID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "application.update", Outcome: "success", Actor: actorID(actor), Detail: a.ID})
	})
	return out, err
}

// DeleteApplication removes an app; its hosts are free again at once.
func (s *Service) DeleteApplication(ctx context.Context, actor *AdminToken, tenantID, id string) error {
	if err := authorize(actor, tenantID); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		if _, err := s.getApplication(ctx, tx, tenantID, id); err != nil {
			return err
		}
		if err := tx.DeleteApplication(ctx, tenantID, id); err != nil {
			return internal("delete application", err)
		}
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeApps, TenantID: tenantID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "application.delete", Outcome: "success", Actor: actorID(actor), Detail: id})
	})
}

// RotateApplicationSecret issues a new client secret. The previous one
// keeps working for 24 hours so the app can be redeployed without an
// outage; a second rotation ends that grace at once.
func (s *Service) RotateApplicationSecret(ctx context.Context, actor *AdminToken, tenantID, id string) (*Application, string, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, "", err
	}
	secret, err := NewToken(s.rand)
	if err != nil {
		return nil, "", err
	}
	var out *Application
	err = s.update(ctx, func(tx Tx) error {
		a, err := s.getApplication(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if a.Type != AppOIDC || a.Public {
			return Errorf(KindInvalid, "no_secret", "only confidential oidc applications have a client secret")
		}
		now := s.clock.Now()
		a.PrevSecretHash, a.PrevSecretExpiresAt = a.SecretHash, now.Add(prevSecretGrace)
		a.SecretHash, a.UpdatedAt = HashToken(secret), now
		if err := tx.UpdateApplication(ctx, a); err != nil {
			return internal("update application", err)
		}
		out = a
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeApps, TenantID: tenantID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "application.rotateSecret", Outcome: "success", Actor: actorID(actor), Detail: a.ID})
	})
	if err != nil {
		return nil, "", err
	}
	return out, secret, nil
}

// ApplicationForHost finds the proxy app serving a request host, trying
// exact names before wildcards. ErrNotFound when none does.
func (s *Service) ApplicationForHost(ctx context.Context, host string) (*Application, error) {
	for _, c := range HostCandidates(strings.ToLower(host)) {
		a, err := s.store.ApplicationByHost(ctx, c)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		return a, internal("application by host", err)
	}
	return nil, ErrNotFound
}

// GuestApplications lists what a signed-in guest may open (the app page).
func (s *Service) GuestApplications(ctx context.Context, tenantID, guestID string) ([]*Application, error) {
	as, err := s.store.ApplicationsForGuest(ctx, tenantID, guestID)
	return as, internal("list guest applications", err)
}

// HomeURL is where the app list page links: the origin of an OIDC app's
// first redirect URI, or the first concrete host of a proxy app (with
// scheme, the base URL's, since proxied apps share its TLS setup). Empty
// when the app has no linkable address (only wildcard hosts).
func (a *Application) HomeURL(scheme string) string {
	switch a.Type {
	case AppOIDC:
		for _, r := range a.RedirectURIs {
			if u, err := url.Parse(r); err == nil {
				return u.Scheme + "://" + u.Host + "/"
			}
		}
	case AppProxy:
		for _, h := range a.Hosts {
			if !strings.HasPrefix(h, "*.") {
				return scheme + "://" + h + "/"
			}
		}
	}
	return ""
}
