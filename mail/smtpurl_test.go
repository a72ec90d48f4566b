package mail

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	cases := map[string]smtpConfig{
		"smtp://mail.example.com":                      {host: "mail.example.com", port: 587},
		"smtp://127.0.0.1:1025":                        {host: "127.0.0.1", port: 1025},
		"smtps://mail.example.com":                     {host: "mail.example.com", port: 465, implicitTLS: true},
		"smtps://mail.example.com:2465":                {host: "mail.example.com", port: 2465, implicitTLS: true},
		"smtp://u%40corp:p%3Ass@mail.example.com:25/":  {host: "mail.example.com", port: 25, user: "u@corp", pass: "p:ss"},
		"smtp://[::1]:2525?starttls=required":          {host: "::1", port: 2525, requireSTARTTLS: true},
		"SMTP://mail.example.com?tls_skip_verify=true": {host: "mail.example.com", port: 587, skipVerify: true},
	}
	for raw, want := range cases {
		t.Run(raw, func(t *testing.T) {
			got, err := parseSMTPURL(raw)
			if err != nil {
				t.Fatal(err)
			}
			if *got != want {
				t.Errorf("got %+v, want %+v", *got, want)
			}
		})
	}
	t.Run("AddrBracketsIPv6", func(t *testing.T) {
		c, _ := parseSMTPURL("smtp://[::1]:2525")
		if c.addr() != "[::1]:2525" {
			t.Errorf("addr = %q", c.addr())
		}
	})
}

// FuzzParseSMTPURL: the parser never panics, never returns a half-valid
// config, and never echoes the password in an error.
func FuzzParseSMTPURL(f *testing.F) {
	for _, seed := range []string{"smtp://localhost", "smtps://u:pw@h:465", "smtp://[::1]:25?starttls=required",
		"smtp://h?tls_skip_verify=true", "smtp://h:99999", "ftp://h", "smtp://u:pw@h:x", "smtp:h", ""} {
		f.Add(seed, "pw")
	}
	f.Fuzz(func(t *testing.T, raw, secret string) {
		c, err := parseSMTPURL(raw)
		if err != nil {
			if len(secret) >= 6 && strings.Contains(raw, ":"+secret+"@") && strings.Contains(err.Error(), secret) {
				t.Errorf("error %q echoes the password", err)
			}
			return
		}
		if c.host == "" || c.port < 1 || c.port > 65535 || (c.user == "") != (c.pass == "") {
			t.Errorf("accepted %q as %+v", raw, *c)
		}
	})
}
