package mail

import (
	"reflect"
	"regexp"
	"slices"
	"testing"
)

var verb = regexp.MustCompile(`%(\[\d\])?[a-z]`)

// TestCatalogsComplete catches a translation that is missing or that takes
// different arguments than English (which would print %!s(MISSING)).
func TestCatalogsComplete(t *testing.T) {
	en := reflect.ValueOf(english)
	for name, cat := range map[string]catalog{"german": german} {
		v := reflect.ValueOf(cat)
		for i := range v.NumField() {
			field := v.Type().Field(i).Name
			got, want := v.Field(i).String(), en.Field(i).String()
			if got == "" || want == "" {
				t.Errorf("%s or english leaves %s empty", name, field)
			}
			if field == "DateLayout" {
				continue
			}
			if gv, wv := verbs(got), verbs(want); !slices.Equal(gv, wv) {
				t.Errorf("%s.%s takes %v, english takes %v", name, field, gv, wv)
			}
		}
	}
}

// verbs lists a format's arguments by position, so "%[2]s … %[1]s" equals
// "%[1]s … %[2]s".
func verbs(format string) []string {
	vs := verb.FindAllString(format, -1)
	for i, v := range vs {
		if v == "%s" {
			vs[i] = "%[1]s"
		}
	}
	slices.Sort(vs)
	return slices.Compact(vs)
}

func TestCatalogFor(t *testing.T) {
	cases := map[string]string{"en": "en", "en-GB": "en", "de": "de", "de-CH": "de", "de-AT": "de",
		"fr": "en", "": "en", "xx-!!": "en", "DE": "de"}
	for locale, want := range cases {
		if _, tag := catalogFor(locale); tag.String() != want {
			t.Errorf("catalogFor(%q) = %s, want %s", locale, tag, want)
		}
	}
}
