package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/mail"
)

func mustRender(tb testing.TB, m *guestpass.Message) *mail.Rendered {
	tb.Helper()
	r, err := mail.Render(m)
	if err != nil {
		tb.Fatalf("Render(%s): %v", m.Kind, err)
	}
	return r
}

// checkContains fails for each want missing from got.
func checkContains(tb testing.TB, part, got string, wants ...string) {
	tb.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			tb.Errorf("%s lacks %q:\n%s", part, w, got)
		}
	}
}

func TestRenderCode(t *testing.T) {
	cases := []struct {
		locale, lang, subject, expires string
	}{
		{"en", "en", "Your sign-in code for Contoso", "17 May 2030, 09:30 UTC"},
		{"de", "de", "Ihr Anmeldecode für Contoso", "17.05.2030, 09:30 UTC"},
		{"de-CH", "de", "Ihr Anmeldecode für Contoso", "17.05.2030, 09:30 UTC"},
		{"fr", "en", "Your sign-in code for Contoso", "17 May 2030, 09:30 UTC"},
		{"", "en", "Your sign-in code for Contoso", "17 May 2030, 09:30 UTC"},
		{"not a tag!", "en", "Your sign-in code for Contoso", "17 May 2030, 09:30 UTC"},
	}
	for _, c := range cases {
		t.Run("Locale "+c.locale, func(t *testing.T) {
			m := codeMessage("jane@example.com")
			m.Locale = c.locale
			r := mustRender(t, m)
			if r.Subject != c.subject || r.Lang != c.lang {
				t.Errorf("subject %q in %q, want %q in %q", r.Subject, r.Lang, c.subject, c.lang)
			}
			checkCode(t, r.Text, m.Code)
			checkCode(t, r.HTML, m.Code)
			checkContains(t, "text", r.Text, "Jane Roe", "Contoso", c.expires)
			checkContains(t, "html", r.HTML, `lang="`+c.lang+`"`, c.expires)
		})
	}
	t.Run("SubjectNeverHoldsTheCode", func(t *testing.T) {
		for _, loc := range []string{"en", "de"} {
			m := codeMessage("jane@example.com")
			m.Locale = loc
			if r := mustRender(t, m); strings.Contains(r.Subject, m.Code) || eightDigits.MatchString(r.Subject) {
				t.Errorf("%s subject %q shows the code", loc, r.Subject)
			}
		}
	})
	t.Run("SaysToIgnoreIfNotAsked", func(t *testing.T) {
		checkContains(t, "en text", mustRender(t, codeMessage("a@example.com")).Text, "did not ask for this code")
		m := codeMessage("a@example.com")
		m.Locale = "de"
		checkContains(t, "de text", mustRender(t, m).Text, "nicht angefordert")
	})
}

func TestRenderInvitation(t *testing.T) {
	link := "https://guestpass.test/t/7d1c/redeem?ticket=abc&x=1"
	t.Run("EscapesUntrustedBodyInHTML", func(t *testing.T) {
		m := invitationMessage("j@example.com")
		m.Locale, m.Link = "en", link
		m.Body = "Hello!\n<script>alert('x')</script>\n<a href=\"https://evil.test\">click</a>"
		r := mustRender(t, m)
		for _, bad := range []string{"<script", "evil.test\">"} {
			if strings.Contains(r.HTML, bad) {
				t.Errorf("HTML contains %q from the body unescaped:\n%s", bad, r.HTML)
			}
		}
		checkContains(t, "html", r.HTML, "&lt;script&gt;", "Hello!<br>")
		checkContains(t, "text", r.Text, "> <script>alert('x')</script>")
	})
	t.Run("ShowsLinkInviterTenantAndExpiry", func(t *testing.T) {
		m := invitationMessage("j@example.com")
		m.Locale, m.Link = "en", link
		r := mustRender(t, m)
		if r.Subject != "Alice Admin invited you to Contoso" {
			t.Errorf("subject = %q", r.Subject)
		}
		checkContains(t, "text", r.Text, link, "Alice Admin", "Contoso", "1 June 2030", "Willkommen!")
		checkContains(t, "html", r.HTML, `href="https://guestpass.test/t/7d1c/redeem?ticket=abc&amp;x=1"`,
			"Accept invitation", "1 June 2030")
	})
	t.Run("German", func(t *testing.T) {
		r := mustRender(t, invitationMessage("j@example.com"))
		checkContains(t, "text", r.Text, "Guten Tag Jürgen Groß,", "Einladung annehmen", "01.06.2030")
	})
	t.Run("WithoutInviterOrBodyOrExpiry", func(t *testing.T) {
		m := invitationMessage("j@example.com")
		m.Locale, m.InviterName, m.Body, m.ExpiresAt = "en", " ", "  \n ", time.Time{}
		r := mustRender(t, m)
		if r.Subject != "You are invited to Contoso" {
			t.Errorf("subject = %q", r.Subject)
		}
		for _, absent := range []string{"Message from", "expires"} {
			if strings.Contains(r.Text, absent) || strings.Contains(r.HTML, absent) {
				t.Errorf("mail mentions %q though there is none", absent)
			}
		}
	})
	t.Run("EscapesNamesInHTML", func(t *testing.T) {
		m := invitationMessage("j@example.com")
		m.TenantName, m.InviterName, m.ToName = "<b>Contoso</b>", "<i>Alice</i>", "<u>Jane</u>"
		r := mustRender(t, m)
		for _, bad := range []string{"<b>", "<i>", "<u>"} {
			if strings.Contains(r.HTML, bad) {
				t.Errorf("HTML contains %q unescaped", bad)
			}
		}
	})
}

func TestRenderLockNotice(t *testing.T) {
	m := &guestpass.Message{Kind: guestpass.MailLockNotice, To: "j@example.com", TenantName: "Contoso",
		ExpiresAt: time.Date(2030, 5, 17, 10, 0, 0, 0, time.UTC)}
	t.Run("English", func(t *testing.T) {
		r := mustRender(t, m)
		checkContains(t, "subject", r.Subject, "Contoso", "1 hour")
		checkContains(t, "text", r.Text, "locked for 1 hour", "17 May 2030, 10:00 UTC", "If this was not you")
		checkContains(t, "html", r.HTML, "locked for 1 hour", "If this was not you")
	})
	t.Run("German", func(t *testing.T) {
		de := *m
		de.Locale = "de-AT"
		r := mustRender(t, &de)
		checkContains(t, "subject", r.Subject, "Contoso", "1 Stunde")
		checkContains(t, "text", r.Text, "1 Stunde gesperrt", "Wenn Sie das nicht waren")
	})
}

func TestRenderSecurityNotice(t *testing.T) {
	m := &guestpass.Message{Kind: guestpass.MailSecurityNotice, To: "j@example.com", TenantName: "Contoso",
		Change: guestpass.SecurityMethodRemoved, Link: "https://gp.example/t/x/security"}
	r := mustRender(t, m)
	checkContains(t, "subject", r.Subject, "Contoso", "changed")
	checkContains(t, "text", r.Text, "second factor was removed", "https://gp.example/t/x/security", "If this was not you")
	checkContains(t, "html", r.HTML, "second factor was removed", `href="https://gp.example/t/x/security"`)
	de := *m
	de.Locale, de.Change = "de", guestpass.SecurityRecoveryCodes
	checkContains(t, "german", mustRender(t, &de).Text, "Wiederherstellungscodes")
	reg := *m
	reg.Change = guestpass.SecurityMethodRegistered
	r = mustRender(t, &reg)
	checkContains(t, "registered text", r.Text, "new sign-in method", "while signing in", "Contoso",
		"If this was not you, someone has access to your mailbox", "reset your sign-in methods", "https://gp.example/t/x/security")
	checkContains(t, "registered html", r.HTML, "new sign-in method", "reset your sign-in methods")
	if strings.Contains(r.Text, "sign in and review") {
		t.Error("a registration notice tells the guest to sign in, which a stranger's factor now blocks")
	}
	reg.Locale = "de"
	checkContains(t, "registered german", mustRender(t, &reg).Text, "bei der Anmeldung", "zurückzusetzen")
	for _, bad := range []guestpass.Message{
		{Kind: guestpass.MailSecurityNotice, TenantName: "C", Change: "bogus", Link: m.Link},
		{Kind: guestpass.MailSecurityNotice, TenantName: "C", Change: guestpass.SecurityMethodAdded, Link: "javascript:x"},
	} {
		if _, err := mail.Render(&bad); err == nil {
			t.Errorf("rendered %+v", bad)
		}
	}
}

func TestRenderHTMLIsSelfContained(t *testing.T) {
	msgs := []*guestpass.Message{codeMessage("a@example.com"), invitationMessage("a@example.com"),
		{Kind: guestpass.MailLockNotice, TenantName: "Contoso"}}
	for _, m := range msgs {
		r := mustRender(t, m)
		for _, external := range []string{"<img", "src=", "url(", "<link", "<script"} {
			if strings.Contains(r.HTML, external) {
				t.Errorf("%s HTML loads something (%q)", m.Kind, external)
			}
		}
		checkContains(t, string(m.Kind)+" html", r.HTML, "<!DOCTYPE html>", "<title>", `role="presentation"`)
	}
}

func TestRenderRefuses(t *testing.T) {
	cases := map[string]*guestpass.Message{
		"NilMessage":            nil,
		"NoTenant":              {Kind: guestpass.MailLockNotice, TenantName: "  "},
		"UnknownKind":           {Kind: "newsletter", TenantName: "Contoso"},
		"ShortCode":             {Kind: guestpass.MailCode, TenantName: "Contoso", Code: "1234567"},
		"NonDigitCode":          {Kind: guestpass.MailCode, TenantName: "Contoso", Code: "1234567a"},
		"SpacedCode":            {Kind: guestpass.MailCode, TenantName: "Contoso", Code: "1234 5678"},
		"InvitationWithoutLink": {Kind: guestpass.MailInvitation, TenantName: "Contoso"},
		"JavascriptLink":        {Kind: guestpass.MailInvitation, TenantName: "Contoso", Link: "javascript:alert(1)"},
		"RelativeLink":          {Kind: guestpass.MailInvitation, TenantName: "Contoso", Link: "/t/1/redeem"},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			if r, err := mail.Render(m); err == nil {
				t.Fatalf("rendered %q", r.Subject)
			}
		})
	}
}
