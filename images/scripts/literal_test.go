package scripts

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every shell script the module runs is a constant: the text after `sh -c` or `bash -c` is a string
// literal or a named constant, never a value built at run time. So no argument of any function
// (version, OS, registry, mirror, labels, URLs, tags …) can become shell text: values reach a
// script only as its positional arguments or environment variables. This walks every Go file of
// the module but tests and generated code.
func TestShellScriptsAreConstants(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := map[string][]*ast.File{} // by import path
	consts := map[string]map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel == "internal" || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || d.Name() == "dagger.gen.go" {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		pkg := "dagger/fit-images"
		if dir := filepath.ToSlash(filepath.Dir(rel)); dir != "." {
			pkg += "/" + dir
		}
		files[pkg] = append(files[pkg], f)
		if consts[pkg] == nil {
			consts[pkg] = map[string]bool{}
		}
		for _, decl := range f.Decls {
			if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, spec := range g.Specs {
					for _, n := range spec.(*ast.ValueSpec).Names {
						consts[pkg][n.Name] = true
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	scripts := 0
	for pkg, fs := range files {
		for _, f := range fs {
			imports := map[string]string{}
			for _, im := range f.Imports {
				path, _ := strconv.Unquote(im.Path.Value)
				name := path[strings.LastIndex(path, "/")+1:]
				if im.Name != nil {
					name = im.Name.Name
				}
				imports[name] = path
			}
			constant := func(e ast.Expr) bool {
				switch x := e.(type) {
				case *ast.BasicLit:
					return x.Kind == token.STRING
				case *ast.Ident:
					if x.Obj != nil { // declared in this file, a function's own const included
						return x.Obj.Kind == ast.Con
					}
					return consts[pkg][x.Name]
				case *ast.SelectorExpr:
					id, ok := x.X.(*ast.Ident)
					return ok && consts[imports[id.Name]][x.Sel.Name]
				}
				return false
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok || len(lit.Elts) < 3 {
					return true
				}
				shell, ok := lit.Elts[0].(*ast.BasicLit)
				flag, ok2 := lit.Elts[1].(*ast.BasicLit)
				if !ok || !ok2 {
					return true
				}
				sh, _ := strconv.Unquote(shell.Value)
				fl, _ := strconv.Unquote(flag.Value)
				if (sh != "sh" && sh != "bash" && !strings.HasSuffix(sh, "/sh") && !strings.HasSuffix(sh, "/bash")) || !strings.HasPrefix(fl, "-") || !strings.HasSuffix(fl, "c") {
					return true
				}
				scripts++
				if !constant(lit.Elts[2]) {
					t.Errorf("%s: the script of %s %s is built at run time: make it a constant and pass values as arguments or environment variables",
						fset.Position(lit.Elts[2].Pos()), sh, fl)
				}
				return true
			})
		}
	}
	// the walk must have seen the module's scripts, or it proves nothing
	if scripts < 10 {
		t.Errorf("found %d shell scripts in the module's Go code; expected at least 10 (is the walk looking at the right folder?)", scripts)
	}
}
