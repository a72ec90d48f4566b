package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"

	"github.com/guestpass/guestpass"
)

// Rendered is one message ready for a transport. Lang is the BCP 47 tag of
// the language actually used (after fallback), for Content-Language.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	Lang    string
}

//go:embed templates
var templateFS embed.FS

// kindTemplates pairs the two bodies of one mail kind. Each kind is parsed
// with its own copy of the layout because every kind defines "content".
type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates is parsed once at init and only read afterwards; a template
// error is a build defect, which render_test.go catches.
var templates = mustParseTemplates()

func mustParseTemplates() map[guestpass.MailKind]kindTemplates {
	out := make(map[guestpass.MailKind]kindTemplates)
	for _, k := range []guestpass.MailKind{guestpass.MailInvitation, guestpass.MailCode, guestpass.MailLockNotice, guestpass.MailSecurityNotice} {
		name := string(k)
		out[k] = kindTemplates{
			text: texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/layout.txt", "templates/"+name+".txt")),
			html: htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")),
		}
	}
	return out
}

// view is what the templates see. Everything in it is plain text: the HTML
// template escapes it, so untrusted fields (Body, names) cannot inject markup.
type view struct {
	T       *catalog
	Lang    string
	Subject string
	ToName  string
	Tenant  string
	Inviter string
	Body    []string // the inviter's message, one entry per line
	Link    string
	Code    string
	Expires string // formatted in UTC; empty when unknown
	Change  string // MailSecurityNotice: the catalog's sentence for it
	NotYou  string // MailSecurityNotice: what to do if it was not the guest
}

// Render builds the subject and both bodies of m in m.Locale (English when
// the locale is unknown). It fails on a message that would render
// meaningless mail: no tenant, an unknown kind, a code that is not 8
// digits, an invitation without an http(s) link.
func Render(m *guestpass.Message) (*Rendered, error) {
	if err := validate(m); err != nil {
		return nil, fmt.Errorf("render %s mail: %w", kindName(m), err)
	}
	cat, tag := catalogFor(m.Locale)
	v := &view{
		T: cat, Lang: tag.String(), ToName: strings.TrimSpace(m.ToName),
		Tenant: m.TenantName, Inviter: strings.TrimSpace(m.InviterName),
		Body: bodyLines(m.Body), Link: m.Link, Code: m.Code,
		Expires: cat.formatDate(m.ExpiresAt),
		Change:  changeSentence(cat, m.Change),
		NotYou:  cat.SecurityNotYou,
	}
	if m.Change == guestpass.SecurityMethodRegistered {
		v.NotYou = cat.SecurityRegisteredNotYou
	}
	v.Subject = subject(v, m.Kind)
	t := templates[m.Kind]
	var text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&text, "layout.txt", v); err != nil {
		return nil, fmt.Errorf("render %s text: %w", m.Kind, err)
	}
	if err := t.html.ExecuteTemplate(&html, "layout.html", v); err != nil {
		return nil, fmt.Errorf("render %s html: %w", m.Kind, err)
	}
	return &Rendered{Subject: v.Subject, Text: text.String(), HTML: html.String(), Lang: v.Lang}, nil
}

func kindName(m *guestpass.Message) string {
	if m == nil {
		return "nil"
	}
	return string(m.Kind)
}

func validate(m *guestpass.Message) error {
	switch {
	case m == nil:
		return errors.New("no message")
	case strings.TrimSpace(m.TenantName) == "":
		return errors.New("no tenant name")
	}
	switch m.Kind {
	case guestpass.MailInvitation:
		return validLink(m.Link)
	case guestpass.MailCode:
		return validCode(m.Code)
	case guestpass.MailLockNotice:
		return nil
	case guestpass.MailSecurityNotice:
		if changeSentence(&english, m.Change) == "" {
			return fmt.Errorf("unknown security change %q", m.Change)
		}
		return validLink(m.Link)
	default:
		return fmt.Errorf("unknown mail kind %q", m.Kind)
	}
}

// validLink wants an absolute http(s) URL: html/template would defuse
// anything else in href, leaving a dead button in a mail we still send.
func validLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("invitation link is not an absolute http(s) URL")
	}
	return nil
}

// validCode insists on exactly 8 ASCII digits, the form mail clients and
// guests recognise (DESIGN §3).
func validCode(code string) error {
	if len(code) != 8 || strings.Trim(code, "0123456789") != "" {
		return errors.New("code is not 8 digits")
	}
	return nil
}

func subject(v *view, kind guestpass.MailKind) string {
	switch kind {
	case guestpass.MailInvitation:
		if v.Inviter != "" {
			return fmt.Sprintf(v.T.InviteSubject, v.Inviter, v.Tenant)
		}
		return fmt.Sprintf(v.T.InviteSubjectNoInviter, v.Tenant)
	case guestpass.MailCode:
		return fmt.Sprintf(v.T.CodeSubject, v.Tenant)
	case guestpass.MailSecurityNotice:
		return fmt.Sprintf(v.T.SecuritySubject, v.Tenant)
	default:
		return fmt.Sprintf(v.T.LockSubject, v.Tenant)
	}
}

// bodyLines splits the inviter's message into lines so that both templates
// can keep its line breaks without trusting it as markup. Blank edges are
// dropped; a message of only whitespace is no message.
func bodyLines(body string) []string {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if body == "" {
		return nil
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return lines
}

// changeSentence is the unformatted sentence for a security change, empty
// for an unknown one.
func changeSentence(cat *catalog, c guestpass.SecurityChange) string {
	switch c {
	case guestpass.SecurityMethodAdded:
		return cat.SecurityMethodAdded
	case guestpass.SecurityMethodRemoved:
		return cat.SecurityMethodRemoved
	case guestpass.SecurityRecoveryCodes:
		return cat.SecurityRecoveryCodes
	case guestpass.SecurityMethodRegistered:
		return cat.SecurityMethodRegistered
	}
	return ""
}
