package guestpass_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The package rules of STYLE.md ("Shape of the house", "Docs and size"),
// checked on `go list` so a violation fails CI the day it is written.

const module = "github.com/guestpass/guestpass"

// packageRules is the policy. The lead adjusts it here: an exception goes in
// one of the allow-lists with the reason it is fine, never by weakening a
// check.
type packageRules struct {
	// rootAllowed are import-path prefixes, beyond the standard library, that
	// the root package may depend on.
	rootAllowed []string
	// rootForbidden are standard packages (with their subpackages) the
	// domain must not depend on, even indirectly.
	rootForbidden []string
	// adapters are the module-relative paths of the adapter packages, which
	// depend inward on the root and never on each other.
	adapters []string
	// allowedEdges are adapter-to-adapter dependencies that are accepted
	// anyway, as "from -> to" (module-relative) mapped to why.
	allowedEdges map[string]string
	// docExempt are module-relative package paths that need no doc.go,
	// mapped to why.
	docExempt map[string]string
}

func guestpassRules() packageRules {
	return packageRules{
		rootAllowed:   []string{"golang.org/x/"},
		rootForbidden: []string{"net/http", "database/sql"},
		adapters:      []string{"sqlite", "postgres", "mail", "web", "oidc", "otp", "sms", "upstream", "passkey"},
		allowedEdges:  map[string]string{},
		docExempt:     map[string]string{},
	}
}

// listedPackage is the part of `go list -json` output the rules read.
type listedPackage struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	Deps       []string // transitive, without test-only imports
}

func TestPackageRules(t *testing.T) {
	pkgs := goList(t)
	rules := guestpassRules()
	if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == module }) {
		t.Fatalf("go list did not report the root package %s", module)
	}
	t.Run("EveryPackageHasDocGo", func(t *testing.T) {
		reportAll(t, docViolations(pkgs, rules))
	})
	t.Run("RootImportsOnlyStdAndX", func(t *testing.T) {
		reportAll(t, rootViolations(pkgs, rules))
	})
	t.Run("AdaptersDoNotImportEachOther", func(t *testing.T) {
		reportAll(t, adapterViolations(pkgs, rules))
	})
	t.Logf("checked %d packages", len(pkgs))
}

func reportAll(tb testing.TB, violations []string) {
	tb.Helper()
	for _, v := range violations {
		tb.Error(v)
	}
}

func goList(tb testing.TB) []listedPackage {
	tb.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs, err := decodePackages(bytes.NewReader(out))
	if err != nil {
		tb.Fatal(err)
	}
	return pkgs
}

// decodePackages reads the stream of JSON objects that `go list -json` prints.
func decodePackages(r io.Reader) ([]listedPackage, error) {
	var pkgs []listedPackage
	dec := json.NewDecoder(r)
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

// rel returns the module-relative path of an import path ("" for the root),
// and whether it is in the module at all.
func rel(importPath string) (string, bool) {
	if importPath == module {
		return "", true
	}
	return strings.CutPrefix(importPath, module+"/")
}

// isStd reports whether path is a standard-library package: cmd/go's own
// rule, that their first element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// hasPathPrefix reports whether path is prefix or a package below it.
func hasPathPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func docViolations(pkgs []listedPackage, rules packageRules) []string {
	var out []string
	for _, p := range pkgs {
		r, _ := rel(p.ImportPath)
		if p.Name == "main" || len(p.GoFiles) == 0 { // commands, test-only
			continue
		}
		if _, ok := rules.docExempt[r]; ok {
			continue
		}
		if err := checkDocGo(filepath.Join(p.Dir, "doc.go")); err != nil {
			out = append(out, fmt.Sprintf("%s: %v", p.ImportPath, err))
		}
	}
	return out
}

// checkDocGo reports a doc.go that is missing or whose package comment does
// not say what the package may import.
func checkDocGo(path string) error {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
	if errors.Is(err, os.ErrNotExist) {
		return errors.New("no doc.go: add one whose package comment says what the package is for and what it may import")
	}
	if err != nil {
		return err
	}
	if f.Doc == nil || strings.TrimSpace(f.Doc.Text()) == "" {
		return errors.New("doc.go has no package comment (a blank line between comment and package clause?)")
	}
	if !strings.Contains(f.Doc.Text(), "import") {
		return errors.New("doc.go package comment does not say what the package may import")
	}
	return nil
}

func rootViolations(pkgs []listedPackage, rules packageRules) []string {
	var out []string
	for _, p := range pkgs {
		if p.ImportPath != module {
			continue
		}
		for _, dep := range p.Deps {
			if why := rootDepProblem(dep, rules); why != "" {
				out = append(out, fmt.Sprintf("root package depends on %s: %s", dep, why))
			}
		}
	}
	return out
}

func rootDepProblem(dep string, rules packageRules) string {
	if _, in := rel(dep); in {
		return "the domain must not depend on its adapters or helpers"
	}
	if isStd(dep) {
		for _, f := range rules.rootForbidden {
			if hasPathPrefix(dep, f) {
				return "the domain stays free of HTTP and SQL; an adapter does that"
			}
		}
		return ""
	}
	for _, a := range rules.rootAllowed {
		if strings.HasPrefix(dep, a) {
			return ""
		}
	}
	return fmt.Sprintf("only the standard library and %v are allowed", rules.rootAllowed)
}

func adapterViolations(pkgs []listedPackage, rules packageRules) []string {
	var out []string
	for _, p := range pkgs {
		from := adapterOf(p.ImportPath, rules.adapters)
		if from == "" {
			continue
		}
		for _, dep := range p.Deps {
			to := adapterOf(dep, rules.adapters)
			if to == "" || to == from {
				continue
			}
			if _, ok := rules.allowedEdges[from+" -> "+to]; ok {
				continue
			}
			out = append(out, fmt.Sprintf("adapter %s (%s) depends on adapter %s (%s): adapters meet only in cmd/ and through the root's interfaces",
				from, p.ImportPath, to, dep))
		}
	}
	return out
}

// adapterOf returns which adapter importPath belongs to (its subpackages
// included), or "".
func adapterOf(importPath string, adapters []string) string {
	r, ok := rel(importPath)
	if !ok {
		return ""
	}
	for _, a := range adapters {
		if hasPathPrefix(r, a) {
			return a
		}
	}
	return ""
}

// The checks must fail on a tree that breaks the rules, not only pass on
// today's: these trees are made up, one violation each.
func TestPackageRulesCatchViolations(t *testing.T) {
	rules := guestpassRules()
	rules.allowedEdges["web -> otp"] = "made-up exception for this test"
	rules.docExempt["gen"] = "made-up exemption for this test"
	tests := []struct {
		name  string
		check func([]listedPackage, packageRules) []string
		pkg   listedPackage
		want  string // substring of the one violation; "" for none
	}{
		{"RootOnNetHTTP", rootViolations,
			listedPackage{ImportPath: module, Deps: []string{"fmt", "net/http"}}, "net/http"},
		{"RootOnSQLDriverPackage", rootViolations,
			listedPackage{ImportPath: module, Deps: []string{"database/sql/driver"}}, "database/sql/driver"},
		{"RootOnSubpackage", rootViolations,
			listedPackage{ImportPath: module, Deps: []string{module + "/internal/x"}}, "internal/x"},
		{"RootOnThirdParty", rootViolations,
			listedPackage{ImportPath: module, Deps: []string{"github.com/google/uuid"}}, "uuid"},
		{"RootOnXNetAllowed", rootViolations,
			listedPackage{ImportPath: module, Deps: []string{"golang.org/x/net/idna", "net/url"}}, ""},
		{"AdapterOnAdapter", adapterViolations,
			listedPackage{ImportPath: module + "/web", Deps: []string{module, module + "/sqlite"}}, "web"},
		{"AdapterSubpackageOnAdapter", adapterViolations,
			listedPackage{ImportPath: module + "/mail/templates", Deps: []string{module + "/postgres/migrations"}}, "postgres"},
		{"AdapterOnQueueAndInternal", adapterViolations,
			listedPackage{ImportPath: module + "/sqlite", Deps: []string{module + "/queue", module + "/internal/x"}}, ""},
		{"AllowedEdge", adapterViolations,
			listedPackage{ImportPath: module + "/web", Deps: []string{module + "/otp"}}, ""},
		{"CommandWiresAdapters", adapterViolations,
			listedPackage{ImportPath: module + "/cmd/guestpass", Deps: []string{module + "/web", module + "/sqlite"}}, ""},
		{"NoDocGo", docViolations, docPackage(t, "nodoc", ""), "no doc.go"},
		{"DocGoWithoutComment", docViolations, docPackage(t, "bare", "package bare\n"), "no package comment"},
		{"DocSilentOnImports", docViolations, docPackage(t, "quiet", "// Package quiet does things.\npackage quiet\n"), "may import"},
		{"DocGoUnparsable", docViolations, docPackage(t, "broken", "// Package broken may import fmt.\npackage\n"), "doc.go"},
		{"DocGoComplete", docViolations, docPackage(t, "good", "// Package good may import only fmt.\npackage good\n"), ""},
		{"MainNeedsNoDoc", docViolations, listedPackage{ImportPath: module + "/cmd/x", Name: "main", GoFiles: []string{"main.go"}}, ""},
		{"TestOnlyNeedsNoDoc", docViolations, listedPackage{ImportPath: module + "/bench", Name: "bench"}, ""},
		{"ExemptNeedsNoDoc", docViolations, listedPackage{ImportPath: module + "/gen", Name: "gen", GoFiles: []string{"gen.go"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.check([]listedPackage{tt.pkg}, rules)
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("violations = %q, want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("violations = %q, want one naming %q", got, tt.want)
			}
		})
	}
}

// docPackage makes a package directory whose doc.go holds doc ("" for no
// doc.go), as go list would describe it.
func docPackage(tb testing.TB, name, doc string) listedPackage {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if doc != "" {
		if err := os.WriteFile(filepath.Join(dir, "doc.go"), []byte(doc), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return listedPackage{ImportPath: module + "/" + name, Name: name, Dir: dir, GoFiles: []string{"x.go"}}
}

func TestDecodePackages(t *testing.T) {
	t.Run("Stream", func(t *testing.T) {
		got, err := decodePackages(strings.NewReader(`{"ImportPath":"a","Deps":["fmt"]}
{"ImportPath":"b"}`))
		if err != nil || len(got) != 2 || got[1].ImportPath != "b" || got[0].Deps[0] != "fmt" {
			t.Errorf("decodePackages = %+v, %v", got, err)
		}
	})
	t.Run("GarbageRefused", func(t *testing.T) {
		if _, err := decodePackages(strings.NewReader(`{"ImportPath":`)); err == nil {
			t.Error("truncated output accepted")
		}
	})
}
