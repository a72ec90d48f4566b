package mail_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports holds the packages to what their doc.go allows: mail adapts
// the domain to SMTP and must not reach into sibling adapters; smtptest
// must stay free of this module so that any package's tests can use it.
func TestImports(t *testing.T) {
	allowed := map[string][]string{
		".":        {"github.com/guestpass/guestpass", "github.com/wneessen/go-mail", "github.com/wneessen/go-mail/smtp", "golang.org/x/text/"},
		"smtptest": {"github.com/emersion/go-smtp", "github.com/emersion/go-sasl"},
	}
	if hasAllowedPrefix("github.com/guestpass/guestpass/web", allowed["."]) {
		t.Fatal("the allow list lets mail import a sibling package")
	}
	for dir, prefixes := range allowed {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, imp := range pkg.Imports {
			if !isStd(imp) && !hasAllowedPrefix(imp, prefixes) {
				t.Errorf("package %s imports %s", pkg.Name, imp)
			}
		}
	}
}

func isStd(path string) bool { return !strings.Contains(strings.Split(path, "/")[0], ".") }

// hasAllowedPrefix matches an entry exactly, or as a tree when it ends in
// "/": the root package is allowed, its subpackages are not.
func hasAllowedPrefix(imp string, allowed []string) bool {
	for _, a := range allowed {
		if imp == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a)) {
			return true
		}
	}
	return false
}
