package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/guestpass/guestpass/internal/fmtargs"
)

// serviceMessage is one English message of a guestpass.Error as written
// in the source: a call of guestpass.Errorf (or of a function passing its
// code and format on to it) or an Error literal, whose Args are none.
type serviceMessage struct {
	code, format string
	args         []string
	pos          string
}

// serviceMessages reads every English error message of the module from its
// source, by code. unresolved lists the calls whose code or format is not
// a constant, which no translation can be checked against.
func serviceMessages(t *testing.T) (byCode map[string][]serviceMessage, unresolved []string) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs := map[string][]*ast.File{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	byCode = map[string][]serviceMessage{}
	for _, files := range pkgs {
		s := newErrorScan(fset, files)
		s.scan()
		for _, m := range s.found {
			byCode[m.code] = append(byCode[m.code], m)
		}
		unresolved = append(unresolved, s.unresolved...)
	}
	return byCode, unresolved
}

// errorScan reads the messages of one package.
type errorScan struct {
	fset  *token.FileSet
	files []*ast.File
	root  bool // package guestpass itself: Errorf and Error unqualified
	// consts are the package's string constants (codes such as
	// reasonSticky).
	consts map[string]string
	// wrappers are the package's functions that pass a code or a format
	// parameter on to Errorf, by name, and inWrapper those Errorf calls.
	wrappers   map[string][]wrapper
	inWrapper  map[*ast.CallExpr]bool
	found      []serviceMessage
	unresolved []string
}

// wrapper is one Errorf call in a function like refuse(code, format
// string, args ...any): where the code and the format come from, a
// parameter's position or -1 and a fixed value. A code may be a fixed
// prefix and a parameter ("invalid_"+field).
type wrapper struct {
	codeParam, formatParam int
	codePrefix             string
	code, format           string
}

func newErrorScan(fset *token.FileSet, files []*ast.File) *errorScan {
	s := &errorScan{fset: fset, files: files, root: files[0].Name.Name == "guestpass",
		consts: map[string]string{}, wrappers: map[string][]wrapper{}, inWrapper: map[*ast.CallExpr]bool{}}
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, spec := range g.Specs {
					v := spec.(*ast.ValueSpec)
					for i, name := range v.Names {
						if i < len(v.Values) {
							if lit, ok := stringLit(v.Values[i]); ok {
								s.consts[name.Name] = lit
							}
						}
					}
				}
			}
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				s.findWrapper(fd)
			}
		}
	}
	return s
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}

// isErrorf reports a call of guestpass.Errorf.
func (s *errorScan) isErrorf(call *ast.CallExpr) bool {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return s.root && fn.Name == "Errorf"
	case *ast.SelectorExpr:
		x, ok := fn.X.(*ast.Ident)
		return ok && x.Name == "guestpass" && fn.Sel.Name == "Errorf"
	}
	return false
}

// findWrapper records fd if it calls Errorf with one of its own
// parameters in the code or as the format.
func (s *errorScan) findWrapper(fd *ast.FuncDecl) {
	params := map[string]int{}
	n := 0
	for _, field := range fd.Type.Params.List {
		for _, name := range field.Names {
			params[name.Name] = n
			n++
		}
	}
	param := func(e ast.Expr) int {
		if id, ok := e.(*ast.Ident); ok {
			if i, ok := params[id.Name]; ok {
				return i
			}
		}
		return -1
	}
	ast.Inspect(fd.Body, func(node ast.Node) bool {
		call, ok := node.(*ast.CallExpr)
		if !ok || !s.isErrorf(call) || len(call.Args) < 3 {
			return true
		}
		w := wrapper{codeParam: param(call.Args[1]), formatParam: param(call.Args[2])}
		if b, ok := call.Args[1].(*ast.BinaryExpr); ok && b.Op == token.ADD {
			if prefix, ok := stringLit(b.X); ok && param(b.Y) >= 0 {
				w.codePrefix, w.codeParam = prefix, param(b.Y)
			}
		}
		if w.codeParam < 0 && w.formatParam < 0 {
			return true
		}
		w.code, _ = s.constant(call.Args[1])
		w.format, _ = s.constant(call.Args[2])
		s.wrappers[fd.Name.Name] = append(s.wrappers[fd.Name.Name], w)
		s.inWrapper[call] = true
		return true
	})
}

// constant is the value of a string literal or constant of the package.
func (s *errorScan) constant(e ast.Expr) (string, bool) {
	if v, ok := stringLit(e); ok {
		return v, true
	}
	if id, ok := e.(*ast.Ident); ok {
		v, ok := s.consts[id.Name]
		return v, ok
	}
	return "", false
}

func (s *errorScan) scan() {
	for _, f := range s.files {
		for _, d := range f.Decls {
			// Errorf itself builds the Error it returns.
			errorf := false
			if fd, ok := d.(*ast.FuncDecl); ok {
				errorf = s.root && fd.Recv == nil && fd.Name.Name == "Errorf"
			}
			ast.Inspect(d, func(node ast.Node) bool {
				switch n := node.(type) {
				case *ast.CallExpr:
					s.call(n)
				case *ast.CompositeLit:
					if !errorf {
						s.literal(n)
					}
				}
				return true
			})
		}
	}
}

// call records the messages made by calling Errorf or a wrapper of it.
func (s *errorScan) call(call *ast.CallExpr) {
	pos := s.fset.Position(call.Pos()).String()
	var ws []wrapper
	switch {
	case s.inWrapper[call]:
		return
	case s.isErrorf(call):
		if len(call.Args) < 3 {
			return
		}
		code, okCode := s.constant(call.Args[1])
		format, okFormat := s.constant(call.Args[2])
		s.add(pos, code, format, okCode && okFormat)
		return
	default:
		id, ok := call.Fun.(*ast.Ident)
		if !ok {
			return
		}
		ws = s.wrappers[id.Name]
	}
	for _, w := range ws {
		code, okCode := w.code, w.codeParam < 0
		if w.codeParam >= 0 && w.codeParam < len(call.Args) {
			code, okCode = s.constant(call.Args[w.codeParam])
			code = w.codePrefix + code
		}
		format, okFormat := w.format, w.formatParam < 0
		if w.formatParam >= 0 && w.formatParam < len(call.Args) {
			format, okFormat = s.constant(call.Args[w.formatParam])
		}
		s.add(pos, code, format, okCode && okFormat)
	}
}

func (s *errorScan) add(pos, code, format string, resolved bool) {
	if !resolved {
		s.unresolved = append(s.unresolved, pos)
		return
	}
	args, err := fmtargs.Args(format)
	if err != nil {
		s.unresolved = append(s.unresolved, pos+": "+err.Error())
		return
	}
	s.found = append(s.found, serviceMessage{code: code, format: format, args: args, pos: pos})
}

// literal records an Error{Code: ..., Message: ...}: a message without
// arguments.
func (s *errorScan) literal(lit *ast.CompositeLit) {
	switch typ := lit.Type.(type) {
	case *ast.Ident:
		if !s.root || typ.Name != "Error" {
			return
		}
	case *ast.SelectorExpr:
		if x, ok := typ.X.(*ast.Ident); !ok || x.Name != "guestpass" || typ.Sel.Name != "Error" {
			return
		}
	default:
		return
	}
	pos := s.fset.Position(lit.Pos()).String()
	m := serviceMessage{args: []string{}, pos: pos}
	var code bool
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		switch kv.Key.(*ast.Ident).Name {
		case "Code":
			m.code, code = s.constant(kv.Value)
		case "Message":
			m.format, _ = s.constant(kv.Value)
		case "Args":
			s.unresolved = append(s.unresolved, pos+": an Error literal with Args")
			return
		}
	}
	if !code {
		s.unresolved = append(s.unresolved, pos)
		return
	}
	s.found = append(s.found, m)
}
