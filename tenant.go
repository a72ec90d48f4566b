package guestpass

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// Defaults and bounds of the tenant settings (DESIGN §1).
const (
	DefaultCodeLifetime          = 30 * time.Minute
	DefaultSessionLifetime       = 24 * time.Hour
	DefaultInvitationLifetime    = 30 * 24 * time.Hour
	DefaultInvitationQuotaPerDay = 500

	MinCodeLifetime       = 5 * time.Minute
	MaxCodeLifetime       = 60 * time.Minute
	MinSessionLifetime    = time.Hour
	MaxSessionLifetime    = 7 * 24 * time.Hour
	MinInvitationLifetime = 24 * time.Hour
	MaxInvitationLifetime = 365 * 24 * time.Hour
	MaxInvitationQuota    = 100_000
	maxDomainsPerList     = 1000
)

// TenantPatch is a partial update; nil fields are left alone.
type TenantPatch struct {
	DisplayName           *string
	VerifiedDomains       *[]string
	EmailOTP              *EmailOTPSetting
	CodeLifetime          *time.Duration
	SessionLifetime       *time.Duration
	InvitationLifetime    *time.Duration
	InvitationQuotaPerDay *int
	RequireMFAForGuests   *bool
	MFAMethods            *[]MFAKind
	AllowedDomains        *[]string
	BlockedDomains        *[]string
}

// Apply copies the set fields onto t. Validate afterwards.
func (p *TenantPatch) Apply(t *Tenant) {
	set(&t.DisplayName, p.DisplayName)
	set(&t.VerifiedDomains, p.VerifiedDomains)
	s := &t.Settings
	set(&s.EmailOTP, p.EmailOTP)
	set(&s.CodeLifetime, p.CodeLifetime)
	set(&s.SessionLifetime, p.SessionLifetime)
	set(&s.InvitationLifetime, p.InvitationLifetime)
	set(&s.InvitationQuotaPerDay, p.InvitationQuotaPerDay)
	set(&s.RequireMFAForGuests, p.RequireMFAForGuests)
	set(&s.MFAMethods, p.MFAMethods)
	set(&s.AllowedDomains, p.AllowedDomains)
	set(&s.BlockedDomains, p.BlockedDomains)
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// EmailOTPAllowed reports whether guests of this tenant may sign in with an
// emailed code ("default" means on).
func (t *Tenant) EmailOTPAllowed() bool { return t.Settings.EmailOTP != EmailOTPDisabled }

// Normalize fills defaults and canonicalizes domains, then validates. It is
// the one gate every tenant passes before it is stored.
func (t *Tenant) Normalize() error {
	t.DisplayName = strings.TrimSpace(t.DisplayName)
	if err := validDisplayName(t.DisplayName, "displayName"); err != nil {
		return err
	}
	if t.DisplayName == "" {
		return Errorf(KindInvalid, "invalid_tenant", "displayName is required")
	}
	var err error
	if t.VerifiedDomains, err = domainList(t.VerifiedDomains, "verifiedDomains", false); err != nil {
		return err
	}
	return t.Settings.normalize()
}

func (s *TenantSettings) normalize() error {
	switch s.EmailOTP {
	case "":
		s.EmailOTP = EmailOTPDefault
	case EmailOTPDefault, EmailOTPEnabled, EmailOTPDisabled:
	default:
		return Errorf(KindInvalid, "invalid_setting", "emailOtp must be default, enabled or disabled")
	}
	checks := []struct {
		v        *time.Duration
		def      time.Duration
		min, max time.Duration
		name     string
	}{
		{&s.CodeLifetime, DefaultCodeLifetime, MinCodeLifetime, MaxCodeLifetime, "codeLifetime"},
		{&s.SessionLifetime, DefaultSessionLifetime, MinSessionLifetime, MaxSessionLifetime, "sessionLifetime"},
		{&s.InvitationLifetime, DefaultInvitationLifetime, MinInvitationLifetime, MaxInvitationLifetime, "invitationLifetime"},
	}
	for _, c := range checks {
		if *c.v == 0 {
			*c.v = c.def
		}
		if *c.v < c.min || *c.v > c.max {
			return Errorf(KindInvalid, "invalid_setting", "%s must be between %s and %s", c.name, FormatDuration(c.min), FormatDuration(c.max))
		}
	}
	if s.InvitationQuotaPerDay == 0 {
		s.InvitationQuotaPerDay = DefaultInvitationQuotaPerDay
	}
	if s.InvitationQuotaPerDay < 1 || s.InvitationQuotaPerDay > MaxInvitationQuota {
		return Errorf(KindInvalid, "invalid_setting", "invitationQuotaPerDay must be between 1 and %d", MaxInvitationQuota)
	}
	var err error
	if s.MFAMethods, err = mfaKinds(s.MFAMethods); err != nil {
		return err
	}
	if s.AllowedDomains, err = domainList(s.AllowedDomains, "allowedDomains", true); err != nil {
		return err
	}
	if s.BlockedDomains, err = domainList(s.BlockedDomains, "blockedDomains", true); err != nil {
		return err
	}
	if len(s.AllowedDomains) > 0 && len(s.BlockedDomains) > 0 {
		return Errorf(KindInvalid, "invalid_setting", "set allowedDomains or blockedDomains, not both")
	}
	return nil
}

// mfaKinds checks a tenant's mfaMethods: nil (absent, or reset by null) is
// every kind; an empty list would lock every guest out of a tenant that
// requires a second factor, so it is refused. Duplicates go; the order is
// AllMFAKinds', so equal policies read the same.
func mfaKinds(in []MFAKind) ([]MFAKind, error) {
	if in == nil {
		return AllMFAKinds(), nil
	}
	if len(in) == 0 {
		return nil, Errorf(KindInvalid, "invalid_setting", "mfaMethods must name at least one of totp, passkey and sms")
	}
	if len(in) > 100 || slices.ContainsFunc(in, func(k MFAKind) bool { return !slices.Contains(AllMFAKinds(), k) }) {
		return nil, Errorf(KindInvalid, "invalid_setting", "mfaMethods may hold only totp, passkey and sms")
	}
	return slices.DeleteFunc(AllMFAKinds(), func(k MFAKind) bool { return !slices.Contains(in, k) }), nil
}

// MFAAllowed reports whether the tenant lets guests use kind as a second
// factor (its mfaMethods).
func (t *Tenant) MFAAllowed(kind MFAKind) bool { return slices.Contains(t.Settings.MFAMethods, kind) }

func domainList(in []string, field string, wildcards bool) ([]string, error) {
	if len(in) > maxDomainsPerList {
		return nil, Errorf(KindInvalid, "invalid_domain", "%s holds more than %d entries", field, maxDomainsPerList)
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, d := range in {
		parse := ParseDomain
		if wildcards {
			parse = ParseDomainPattern
		}
		c, err := parse(d)
		if err != nil {
			return nil, Errorf(KindInvalid, "invalid_domain", "%s: %s", field, err.(*Error).Message)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// validDisplayName refuses control characters (they would end up in mail
// headers and pages) and absurd lengths.
func validDisplayName(s, field string) error {
	if len(s) > 256 {
		return Errorf(KindInvalid, "invalid_"+field, "%s is longer than 256 bytes", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return Errorf(KindInvalid, "invalid_"+field, "%s contains control characters", field)
		}
	}
	return nil
}

// CheckInvitee applies the tenant's collaboration restrictions to a canonical
// address; it returns nil when the address may be invited.
func (t *Tenant) CheckInvitee(addr string) error {
	d := AddressDomain(addr)
	for _, v := range t.VerifiedDomains {
		if d == v || strings.HasSuffix(d, "."+v) {
			return Errorf(KindInvalid, "own_domain", "%s is a verified domain of this organization: its members are not guests", d)
		}
	}
	for _, b := range t.Settings.BlockedDomains {
		if DomainMatches(b, d) {
			return Errorf(KindForbidden, "domain_blocked", "invitations to %s are blocked by this organization's collaboration settings", d)
		}
	}
	if len(t.Settings.AllowedDomains) == 0 {
		return nil
	}
	for _, a := range t.Settings.AllowedDomains {
		if DomainMatches(a, d) {
			return nil
		}
	}
	return Errorf(KindForbidden, "domain_not_allowed", "%s is not in this organization's allowed domains", d)
}
