package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/guestpass/guestpass"
	"golang.org/x/text/language"
)

// The page languages. English is the fallback and must hold every key.
var (
	supported = []language.Tag{language.English, language.German}
	matcher   = language.NewMatcher(supported)
)

// localeOf picks the page language from Accept-Language.
func localeOf(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, idx, _ := matcher.Match(tags...)
	base, _ := supported[idx].Base()
	return base.String()
}

// addStrings adds the strings of some pages to the catalog of lang. A key
// is defined once: of two definitions one would be lost unnoticed, so a
// second one stops the program at start-up (and every test with it).
func addStrings(lang string, m map[string]string) {
	for k, v := range m {
		if _, dup := catalog[lang][k]; dup {
			panic("web: catalog key " + lang + " " + k + " is defined twice")
		}
		catalog[lang][k] = v
	}
}

// localizer translates page strings and service errors for one language.
type localizer struct {
	lang string
}

// T formats the message key in the page language, falling back to English.
func (l localizer) T(key string, args ...any) string {
	format, ok := catalog[l.lang][key]
	if !ok {
		format, ok = catalog["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Error shows a service error in the page language: a translation of its
// code with its own arguments when there is one (catalog_test.go holds each
// to the arguments of every English message of the code), its English
// message otherwise (the admin API's messages, which no page shows).
func (l localizer) Error(err error) string {
	var e *guestpass.Error
	if !errors.As(err, &e) {
		return l.T("err.internal")
	}
	if format, ok := catalog[l.lang]["err."+e.Code]; ok {
		if genericErrors[e.Code] {
			return format
		}
		return fmt.Sprintf(format, e.Args...)
	}
	return e.Message
}

// genericErrors are the codes whose translations say in general what to do
// ("enter a valid email address") instead of translating the English
// message, whose detail (why the address is not one) varies: they are
// shown as they are, without the English message's arguments.
var genericErrors = map[string]bool{"invalid_email": true, "invalid_domain": true}
