package guestpass

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	good := map[string]string{
		"jo@example.com":                         "jo@example.com",
		"  Jo.Doe@Example.COM ":                  "jo.doe@example.com",
		"jo+tag@sub.example.co.uk":               "jo+tag@sub.example.co.uk",
		"jo@bücher.example":                      "jo@xn--bcher-kva.example",
		"jo@xn--bcher-kva.example":               "jo@xn--bcher-kva.example",
		"o'brien@example.com":                    "o'brien@example.com",
		"jo@example.com.":                        "jo@example.com",
		strings.Repeat("a", 64) + "@example.com": strings.Repeat("a", 64) + "@example.com",
	}
	for in, want := range good {
		got, err := ParseAddress(in)
		if err != nil || got != want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "jo", "@example.com", "jo@", "jo@localhost", "jo..doe@example.com", ".jo@example.com",
		"jo.@example.com", `"jo"@example.com`, "jo doe@example.com", "jo@exa mple.com",
		"jo@example.com\r\nBcc: x@evil.com", "jö@example.com", "jo@-example.com",
		"jo@[127.0.0.1]", strings.Repeat("a", 65) + "@example.com",
		"jo@" + strings.Repeat("a", 64) + ".com",
		"jo@" + strings.Repeat(strings.Repeat("a", 60)+".", 5) + "com",
	}
	for _, in := range bad {
		_, err := ParseAddress(in)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindInvalid {
			t.Errorf("ParseAddress(%q) error = %v; want invalid", in, err)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	if got := MaskAddress("jo@contoso.com"); got != "j•••@contoso.com" {
		t.Errorf("got %q", got)
	}
	if got := MaskAddress("jo@xn--bcher-kva.example"); got != "j•••@bücher.example" {
		t.Errorf("got %q", got)
	}
}

func TestDomainMatches(t *testing.T) {
	cases := []struct {
		pattern, domain string
		want            bool
	}{
		{"example.com", "example.com", true},
		{"example.com", "sub.example.com", false},
		{"*.example.com", "sub.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "badexample.com", false},
	}
	for _, c := range cases {
		if got := DomainMatches(c.pattern, c.domain); got != c.want {
			t.Errorf("DomainMatches(%q, %q) = %v", c.pattern, c.domain, got)
		}
	}
}

// FuzzParseAddress checks that whatever is accepted is canonical and safe to
// put in a mail header.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"jo@example.com", "Jo@Bücher.example", "a@b", "\"x\"@y.z", "a@b.c\r\n", "@@", "0@\xc0.0", "jo@xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, err := ParseAddress(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(addr, "\r\n\x00 <>,;\"") || len(addr) > maxAddress {
			t.Fatalf("unsafe canonical address %q from %q", addr, s)
		}
		again, err := ParseAddress(addr)
		if err != nil || again != addr {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, addr, again, err)
		}
	})
}

// FuzzParseHostPattern: a canonical host pattern parses to itself, and a
// concrete host finds its own pattern first among its candidates.
func FuzzParseHostPattern(f *testing.F) {
	for _, s := range []string{"wiki.example.com", "*.docs.example.com", "Bücher.example.com:8443", "localhost:8080", "*.com", "a:0", "[::1]:80", "x.y:65535"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseHostPattern(s)
		if err != nil {
			return
		}
		again, err := ParseHostPattern(c)
		if err != nil || again != c {
			t.Fatalf("%q -> %q -> %q, %v", s, c, again, err)
		}
		if !strings.HasPrefix(c, "*.") && HostCandidates(c)[0] != c {
			t.Fatalf("candidates of %q: %q", c, HostCandidates(c))
		}
	})
}
