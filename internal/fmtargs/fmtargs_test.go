package fmtargs

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestArgs(t *testing.T) {
	cases := map[string][]string{
		"":                              {},
		"no verbs, 100%% sure":          {},
		"%s invited you to %s":          {"s", "s"},
		"%[2]s hat Sie zu %[1]s":        {"s", "s"},
		"%s … %d":                       {"s", "d"},
		"%[1]s and again %[1]q":         {"qs"},
		"%[2]d only":                    {"", "d"},
		"%-8.3f|%+d|%#x|% d|%05d":       {"f", "d", "x", "d", "d"},
		"%*d":                           {"*", "d"},
		"%.*f":                          {"*", "f"},
		"%[3]*.[2]*[1]f":                {"f", "*", "*"},
		"%[2]s %s":                      {"", "s", "s"},
		"%v%T%%%q":                      {"v", "T", "q"},
		"ends in a dot %.":              nil, // '.' at the end is no precision: no verb
		"%":                             nil,
		"trailing %-":                   nil,
		"%z":                            nil,
		"%[0]s":                         nil,
		"%[x]s":                         nil,
		"%[1s":                          nil,
		"%[3]2d":                        nil,
		"%[3].2d":                       nil,
		"%!(EXTRA string=x)":            nil,
		"%w":                            nil,
		"%[100]s":                       nil,
		"%100000000d":                   nil, // fmt gives up past a million
		"wrong %d tries left, until %s": {"d", "s"},
	}
	for format, want := range cases {
		got, err := Args(format)
		if want == nil {
			if err == nil {
				t.Errorf("Args(%q) = %q, want an error", format, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Args(%q) = %q, %v; want %q", format, got, err, want)
		}
	}
}

func TestDiff(t *testing.T) {
	if d := Diff([]string{"s", "d"}, []string{"s", "d"}); d != "" {
		t.Errorf("equal lists differ: %s", d)
	}
	want := "takes [1: %s], the original takes [1: %s, 2: %d]"
	if d := Diff([]string{"s", "d"}, []string{"s"}); d != want {
		t.Errorf("Diff = %q, want %q", d, want)
	}
	if d := Diff(nil, []string{"", "qs"}); d != "takes [1: unused, 2: %q %s], the original takes no arguments" {
		t.Errorf("Diff = %q", d)
	}
}

// FuzzArgs holds Args to fmt: arguments of the kinds Args lists format
// without any of fmt's complaints, and one argument more is reported as
// extra unless the format picks its arguments by index.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"%s invited you to %s", "%[2]s %[1]d", "%*.*f", "%-8.3f|%+d|%#x", "100%% %v", "%[3]*.[2]*[1]f", "%.[2]3d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		got, err := Args(format)
		if err != nil || strings.Contains(format, "%%") {
			return // "%%!" prints "%!", which would look like a complaint
		}
		args := make([]any, len(got))
		for i, v := range got {
			var ok bool
			if args[i], ok = value(v); !ok {
				return
			}
		}
		out := fmt.Sprintf(format, args...)
		if strings.Contains(out, "%!") && !strings.Contains(format, "%!") {
			t.Fatalf("Args(%q) = %q, but fmt prints %q", format, got, out)
		}
		if !strings.Contains(format, "[") && !strings.Contains(format, "%!") {
			if extra := fmt.Sprintf(format, append(args, "x")...); !strings.Contains(extra, "%!(EXTRA") {
				t.Fatalf("Args(%q) = %q, but fmt takes one more: %q", format, got, extra)
			}
		}
	})
}

// value is an argument every verb in v accepts (nil for an unused one),
// or false if there is none: a width ('*') must be an int, which %s
// refuses.
func value(v string) (any, bool) {
	only := func(set string) bool { return strings.Trim(v, set+"vT") == "" }
	switch {
	case v == "":
		return nil, true
	case only("*bcdoUxX"):
		return 3, true
	case strings.Contains(v, "*"):
		return nil, false
	case only("eEfFgGxX"):
		return 1.5, true
	case only("t"):
		return true, true
	case only("pbdoxX"):
		return new(int), true
	case strings.Contains(v, "p"):
		return nil, false // fmt prints %p itself, never through a Formatter
	case only("sqxX"):
		return "str", true
	}
	return mixed{}, true
}

// mixed is a value for an argument shown with verbs of different kinds:
// a Formatter accepts every verb.
type mixed struct{}

func (mixed) Format(f fmt.State, verb rune) { fmt.Fprintf(f, "m") }
