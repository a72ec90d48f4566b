package web

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/fmtargs"
)

// apiOnly are messages of the admin API (English only, in JSON) that
// share their code with a message of the guest pages whose translation
// takes other arguments, keyed by format, with why no page shows them.
var apiOnly = map[string]string{
	"this guest is disabled; enable it before inviting again": "guest_disabled of the invitations API; the pages' guest_disabled names the organization",
}

// pageMessage reports an English message written for the guest pages: a
// sentence, with a capital letter. Admin API messages begin in lower case
// (as Go errors do) and fall back to English on a page, by design: no page
// shows them.
func pageMessage(format string) bool {
	r, _ := utf8.DecodeRuneInString(format)
	return unicode.IsUpper(r)
}

// TestCatalogTranslations holds every page string of every language to its
// English original, and every translated error code to every English
// message of that code (from the source): the same arguments, each with
// the same verbs, where a mismatch prints %!(EXTRA ...) or %!d(MISSING).
// Every English page string, and every error written for the pages, has a
// translation in every language.
func TestCatalogTranslations(t *testing.T) {
	messages := checkedServiceMessages(t)
	args := map[string]map[string][]string{}
	for lang, strs := range catalog {
		args[lang] = map[string][]string{}
		for key, format := range strs {
			a, err := fmtargs.Args(format)
			if err != nil {
				t.Errorf("%s %s: %v", lang, key, err)
			}
			args[lang][key] = a
		}
	}
	for lang, strs := range args {
		for key, a := range strs {
			en, inEnglish := args["en"][key]
			if d := fmtargs.Diff(en, a); lang != "en" && inEnglish && d != "" {
				t.Errorf("%s %s %s", lang, key, d)
			}
			code, isErr := strings.CutPrefix(key, "err.")
			if !isErr {
				if !inEnglish {
					t.Errorf("%s %s has no English original", lang, key)
				}
				continue
			}
			if len(messages[code]) == 0 && !inEnglish {
				t.Errorf("%s %s translates a code that no error has", lang, key)
			}
			checkErrorTranslation(t, lang, key, a, messages[code])
		}
		if lang == "en" {
			continue
		}
		for key := range args["en"] {
			if _, ok := strs[key]; !ok {
				t.Errorf("%s lacks %s (English: %q)", lang, key, catalog["en"][key])
			}
		}
		for code, ms := range messages {
			if _, ok := strs["err."+code]; ok {
				continue
			}
			for _, m := range ms {
				if pageMessage(m.format) {
					t.Errorf("%s lacks err.%s, a message for the pages: %q (%s)", lang, code, m.format, m.pos)
					break
				}
			}
		}
	}
	for format := range apiOnly {
		if !slices.ContainsFunc(slices.Collect(maps.Values(messages)), func(ms []serviceMessage) bool {
			return slices.ContainsFunc(ms, func(m serviceMessage) bool { return m.format == format })
		}) {
			t.Errorf("apiOnly lists %q, which no error has any more", format)
		}
	}
}

// checkErrorTranslation compares the translation of an error code with
// each English message of the code. A generic translation (genericErrors)
// takes no arguments, whatever the messages take.
func checkErrorTranslation(t *testing.T, lang, key string, args []string, ms []serviceMessage) {
	t.Helper()
	code := strings.TrimPrefix(key, "err.")
	if genericErrors[code] {
		if len(args) > 0 {
			t.Errorf("%s %s is generic (genericErrors) but takes %q", lang, key, args)
		}
		return
	}
	for _, m := range ms {
		if _, ok := apiOnly[m.format]; ok {
			continue
		}
		if d := fmtargs.Diff(m.args, args); d != "" {
			t.Errorf("%s %s %s: %q (%s)", lang, key, d, m.format, m.pos)
		}
	}
}

// checkedServiceMessages is serviceMessages, failing on what the scan could
// not read and on a scan that misses the kinds of message it must find.
func checkedServiceMessages(t *testing.T) map[string][]serviceMessage {
	t.Helper()
	messages, unresolved := serviceMessages(t)
	for _, u := range unresolved {
		t.Errorf("%s: an error whose code or message is not a constant; no translation can be checked against it", u)
	}
	for code, want := range map[string]string{
		"tenant_not_found":       "no organization with id %s",                                                 // Errorf
		"oidc_request_expired":   "This sign-in link has expired. Go back to the application and start again.", // guestpass.Errorf in oidc
		"not_invited":            "%s has not invited %s as a guest. Ask them for an invitation.",              // refuse(code, format, ...)
		"invalid_issuer":         "%s does not support PKCE with S256 (code_challenge_methods_supported)",      // invalidIssuer(format, ...)
		"invalid_name":           "%s contains control characters",                                             // "invalid_"+field
		"passkey_refused":        "The passkey could not be verified.",                                         // &Error{...}
		"identity_provider_gone": "This sign-in is no longer offered by %s. Start again.",                      // refuse(constant, ...)
	} {
		if !slices.ContainsFunc(messages[code], func(m serviceMessage) bool { return m.format == want }) {
			t.Errorf("the scan of the source did not find %s %q", code, want)
		}
	}
	return messages
}

// TestErrorTranslationsFormat shows every English message of every
// translated code through localizer.Error, with arguments of the kinds
// the message takes: no translation prints one of fmt's complaints.
func TestErrorTranslationsFormat(t *testing.T) {
	messages, _ := serviceMessages(t)
	for lang := range catalog {
		l := localizer{lang: lang}
		for code, ms := range messages {
			if _, ok := catalog[lang]["err."+code]; !ok {
				continue
			}
			for _, m := range ms {
				if _, ok := apiOnly[m.format]; ok {
					continue
				}
				var a []any
				for _, v := range m.args {
					if v == "d" {
						a = append(a, 3)
					} else {
						a = append(a, "x")
					}
				}
				err := guestpass.Errorf(guestpass.KindInvalid, code, m.format, a...)
				if got := l.Error(err); strings.Contains(got, "%!") {
					t.Errorf("%s %s for %q (%s): %s", lang, code, m.format, m.pos, got)
				}
			}
		}
	}
}
