package guestpass

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// RFC 5321 §4.5.3.1 size limits.
const (
	maxLocalPart = 64
	maxDomain    = 253
	maxAddress   = 254
	maxLabel     = 63
)

var domainProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(true), idna.Transitional(false))

// ParseAddress validates an email address and returns its canonical form:
// lower-case, with an internationalized domain converted to punycode, so that
// "Jo@Bücher.example" and "jo@xn--bcher-kva.example" are one guest. Quoted
// local parts, comments, IP-literal domains and non-ASCII local parts are
// refused: no partner mailbox needs them and each widens the attack surface.
func ParseAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) (string, error) {
		return "", Errorf(KindInvalid, "invalid_email", "%s", why)
	}
	if !utf8.ValidString(s) {
		return bad("the email address is not valid text")
	}
	if s == "" {
		return bad("an email address is required")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return bad("the email address must look like name@example.com")
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > maxLocalPart {
		return bad("the part before @ is longer than 64 characters")
	}
	if !validLocalPart(local) {
		return bad("the part before @ contains characters that are not allowed")
	}
	ascii, err := ParseDomain(domain)
	if err != nil {
		return "", err
	}
	addr := strings.ToLower(local) + "@" + ascii
	if len(addr) > maxAddress {
		return bad("the email address is longer than 254 characters")
	}
	return addr, nil
}

// validLocalPart accepts an RFC 5322 dot-atom of ASCII atext.
func validLocalPart(local string) bool {
	if local == "" || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		if !isAtext(local[i]) && local[i] != '.' {
			return false
		}
	}
	return true
}

func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// ParseDomain returns the lower-case ASCII (punycode) form of a DNS domain
// with at least two labels.
func ParseDomain(domain string) (string, error) {
	bad := func(why string) (string, error) {
		return "", Errorf(KindInvalid, "invalid_domain", "%s", why)
	}
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if domain == "" {
		return bad("a domain is required")
	}
	if !utf8.ValidString(domain) {
		return bad("the domain is not valid text")
	}
	ascii, err := domainProfile.ToASCII(domain)
	if err == nil {
		// The canonical form must parse back to itself: a name that only
		// converts one way would split one guest into two.
		_, err = domainProfile.ToUnicode(ascii)
	}
	if err != nil {
		return bad("the domain " + quoteSafe(domain) + " is not a valid domain name")
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > maxDomain {
		return bad("the domain is longer than 253 characters")
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return bad("the domain " + quoteSafe(domain) + " needs a dot, like example.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return bad("the domain " + quoteSafe(domain) + " is not a valid domain name")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return bad("the domain " + quoteSafe(domain) + " is not a valid domain name")
			}
		}
	}
	return ascii, nil
}

// quoteSafe bounds and quotes user input echoed in an error message.
func quoteSafe(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strings.ToValidUTF8(`"`+s+`"`, "?")
}

// AddressDomain returns the domain of a canonical address.
func AddressDomain(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

// MaskAddress shows enough of an address for its owner to recognize it:
// "j•••@contoso.com".
func MaskAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "•••"
	}
	domain, _ := idna.ToUnicode(addr[at+1:])
	return addr[:1] + "•••@" + domain
}

// DomainMatches reports whether domain equals pattern or, for a pattern
// "*.example.com", is a subdomain of example.com.
func DomainMatches(pattern, domain string) bool {
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(domain, "."+rest)
	}
	return domain == pattern
}

// ParseDomainPattern canonicalizes a domain list entry: a domain or a
// one-level wildcard "*.example.com".
func ParseDomainPattern(p string) (string, error) {
	p = strings.TrimSpace(p)
	if rest, ok := strings.CutPrefix(p, "*."); ok {
		d, err := ParseDomain(rest)
		if err != nil {
			return "", err
		}
		return "*." + d, nil
	}
	return ParseDomain(p)
}
