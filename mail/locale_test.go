package mail

import (
	"reflect"
	"testing"

	"github.com/guestpass/guestpass/internal/fmtargs"
)

// TestCatalogsComplete catches a translation that is missing or that takes
// different arguments than English (which would print %!s(MISSING) or
// %!(EXTRA ...)): the same count, each argument with the same verbs.
func TestCatalogsComplete(t *testing.T) {
	en := reflect.ValueOf(english)
	for _, tag := range supported[1:] {
		cat, got := catalogFor(tag.String())
		if got != tag || cat == &english {
			t.Errorf("%s is supported but catalogFor gives it %s", tag, got)
			continue
		}
		name := tag.String()
		v := reflect.ValueOf(*cat)
		for i := range v.NumField() {
			field := v.Type().Field(i).Name
			got, want := v.Field(i).String(), en.Field(i).String()
			if got == "" || want == "" {
				t.Errorf("%s or english leaves %s empty", name, field)
			}
			if field == "DateLayout" {
				continue
			}
			wantArgs, err := fmtargs.Args(want)
			if err != nil {
				t.Errorf("english.%s: %v", field, err)
				continue
			}
			gotArgs, err := fmtargs.Args(got)
			if err != nil {
				t.Errorf("%s.%s: %v", name, field, err)
				continue
			}
			if d := fmtargs.Diff(wantArgs, gotArgs); d != "" {
				t.Errorf("%s.%s %s", name, field, d)
			}
		}
	}
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
