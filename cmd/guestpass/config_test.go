package main

import "testing"

func TestConfigCookieDomain(t *testing.T) {
	for _, tc := range []struct {
		base, domain, want string
		ok                 bool
	}{
		{"https://login.example.com", "", "", true},
		{"https://login.example.com", "example.com", "example.com", true},
		{"https://login.example.com", ".Example.COM", "example.com", true},
		{"https://example.com", "example.com", "example.com", true},
		{"http://login.gp.localhost:8080", "gp.localhost", "gp.localhost", true},
		{"https://login.example.com", "other.com", "", false},
		{"https://login.example.com", "ample.com", "", false},
		{"https://login.example.com", "com", "", false},
		{"https://login.example.com", "exa mple.com", "", false},
		{"http://login.example.com", "example.com", "", false},
	} {
		c := DefaultConfig()
		c.BaseURL, c.CookieDomain = tc.base, tc.domain
		err := c.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("base %s, cookie domain %q: err %v, want ok %v", tc.base, tc.domain, err, tc.ok)
			continue
		}
		if tc.ok && c.CookieDomain != tc.want {
			t.Errorf("cookie domain %q became %q, want %q", tc.domain, c.CookieDomain, tc.want)
		}
	}
}
