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
// code with its own arguments when there is one, its English message
// otherwise.
func (l localizer) Error(err error) string {
	var e *guestpass.Error
	if !errors.As(err, &e) {
		return l.T("err.internal")
	}
	if format, ok := catalog[l.lang]["err."+e.Code]; ok {
		return fmt.Sprintf(format, e.Args...)
	}
	return e.Message
}
