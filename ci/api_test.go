package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"dagger/fit-images/images/options"
)

// moduleArgs are the arguments every module function declares (the constructor New under ""),
// each with its help: the comment above it, pragmas (+optional, +default) left out.
func moduleArgs(t *testing.T) map[string][]arg {
	t.Helper()
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]arg{}
	for _, path := range files {
		if filepath.Base(path) == "dagger.gen.go" {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		// a parameter's help is the comment group that ends on the line above it
		helpAbove := map[int]string{}
		for _, g := range f.Comments {
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(g.Text()), "\n") {
				if !strings.HasPrefix(l, "+") {
					lines = append(lines, l)
				}
			}
			helpAbove[fset.Position(g.End()).Line+1] = strings.Join(lines, " ")
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !isModuleFunc(fd) {
				continue
			}
			name := kebab(fd.Name.Name)
			if fd.Recv == nil {
				name = ""
			}
			out[name] = []arg{}
			for _, p := range fd.Type.Params.List {
				if sel, ok := p.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Context" {
					continue
				}
				for _, n := range p.Names {
					out[name] = append(out[name], arg{kebab(n.Name), helpAbove[fset.Position(n.Pos()).Line]})
				}
			}
		}
	}
	if len(out) < 2 {
		t.Fatalf("no module functions found: %v", out)
	}
	return out
}

type arg struct{ name, help string }

// sharedSettings are the settings that are no function's own (issue #20): each is declared once,
// on the constructor, and by at most one more function.
var sharedSettings = []string{
	"registry", "username", "password", "registry-service",
	"staging", "staging-username", "staging-password", "staging-service",
	"java", "apt-mirror", "apk-mirror",
	"artifact", "url", "checksum", "checksums-file",
	"api-url", "token", "api-service",
	"signing-key", "signing-password",
}

// The module's API stays small: its functions declare 8 arguments or fewer on average (the
// constructor counted as one), each shared setting is declared in at most two places, an argument
// has one help wherever it appears, and the CI driver knows exactly the constructor's flags.
func TestModuleArguments(t *testing.T) {
	args := moduleArgs(t)
	total, names := 0, []string{}
	declared := map[string][]string{}
	help := map[string]map[string][]string{}
	for fn, list := range args {
		names = append(names, fn)
		total += len(list)
		for _, a := range list {
			declared[a.name] = append(declared[a.name], fn)
			if help[a.name] == nil {
				help[a.name] = map[string][]string{}
			}
			help[a.name][a.help] = append(help[a.name][a.help], fn)
		}
	}
	sort.Strings(names)
	for _, fn := range names {
		t.Logf("%-17q %2d arguments", fn, len(args[fn]))
	}
	avg := float64(total) / float64(len(args))
	t.Logf("%d arguments over %d functions (the constructor included): %.1f on average", total, len(args), avg)
	if avg > 8 {
		t.Errorf("the functions declare %.1f arguments on average: keep it at 8 or fewer (shared settings go on the constructor)", avg)
	}

	for _, s := range sharedSettings {
		if n := len(declared[s]); n == 0 || n > 2 {
			t.Errorf("--%s is declared in %d places %q: declare a shared setting on the constructor, and at most once more", s, n, declared[s])
		}
	}

	for name, texts := range help {
		if len(texts) > 1 {
			t.Errorf("--%s has %d helps, one wording wanted: %q", name, len(texts), texts)
		}
		for text, fns := range texts {
			if text == "" {
				t.Errorf("--%s has no help in %q", name, fns)
			}
		}
	}

	var ctor []string
	for _, a := range args[""] {
		ctor = append(ctor, a.name)
	}
	if strings.Join(ctor, " ") != strings.Join(options.ModuleFlags, " ") {
		t.Errorf("options.ModuleFlags (what the driver moves before the function name) = %q, the constructor takes %q", options.ModuleFlags, ctor)
	}
}

// Every shared setting is parsed by one parser: the module object's fields are read only by New,
// which sets them, and settings, which parses them; functions use what settings answers.
func TestSettingsHaveOneParser(t *testing.T) {
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	type use struct{ fn, field string }
	var uses []use
	for _, path := range files {
		if filepath.Base(path) == "dagger.gen.go" {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name == "FitImages" {
						for _, fl := range ts.Type.(*ast.StructType).Fields.List {
							for _, n := range fl.Names {
								fields[n.Name] = true
							}
						}
					}
				}
			case *ast.FuncDecl:
				ast.Inspect(d.Body, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == "m" {
							uses = append(uses, use{d.Name.Name, sel.Sel.Name})
						}
					}
					return true
				})
			}
		}
	}
	if len(fields) == 0 {
		t.Fatal("FitImages has no fields: where did the shared settings go?")
	}
	for _, u := range uses {
		if fields[u.field] && u.fn != "settings" && u.fn != "New" {
			t.Errorf("%s reads m.%s itself: read the setting from m.settings(), its one parser", u.fn, u.field)
		}
	}
}
