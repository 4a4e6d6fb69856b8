package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The release workflow passes --created as git prints it (the committer's offset); one parser,
// options.Labels, turns it into the one UTC label on every path that writes labels (its own test
// shows any offset gives the same label). Here, read from the module's sources: every function
// that takes --created hands it to its recipe, which parseRecipe, the recipe's one parser, gives
// to options.Labels; promote takes none (it copies the staged images by digest), and nothing else
// parses a time.
func TestCreatedHasOneParser(t *testing.T) {
	files, err := filepath.Glob("../*.go")
	require.NoError(t, err)
	funcs := map[string]*ast.FuncDecl{}
	for _, f := range files {
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				funcs[n.Name.Name] = n
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "time" && (n.Sel.Name == "Parse" || n.Sel.Name == "ParseInLocation") {
					t.Errorf("%s parses a time itself (time.%s): --created goes through options.Labels", filepath.Base(f), n.Sel.Name)
				}
			}
			return true
		})
	}
	calls := func(fn *ast.FuncDecl, pkg, name string, args ...string) bool {
		found := false
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || found {
				return !found
			}
			callee := exprName(c.Fun)
			if callee != name && callee != pkg+"."+name {
				return true
			}
			if len(args) == 0 {
				found = true
				return false
			}
			if len(c.Args) == len(args) {
				found = true
				for i, a := range c.Args {
					found = found && exprName(a) == args[i]
				}
			}
			return !found
		})
		return found
	}
	// the created a function takes is the one its recipe gets: recipeArgs{…, created: created}
	passesCreated := func(fn *ast.FuncDecl) bool {
		found := false
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if kv, ok := n.(*ast.KeyValueExpr); ok && exprName(kv.Key) == "created" && exprName(kv.Value) == "created" {
				found = true
			}
			return !found
		})
		return found
	}
	var takes []string
	for name, fn := range funcs {
		if fn.Recv == nil || !fn.Name.IsExported() || !hasParam(fn, "created") {
			continue
		}
		takes = append(takes, kebab(name))
		assert.True(t, passesCreated(fn), "%s: --created goes into its recipeArgs", kebab(name))
		assert.True(t, calls(fn, "", "parseRecipe") || calls(fn, "", "resolve") || calls(fn, "", "parseReleaseCheck"), "%s: its recipe is parsed by parseRecipe", kebab(name))
	}
	assert.Subset(t, takes, []string{"build", "build-all", "publish", "release-check"})
	for _, f := range []string{"resolve", "parseReleaseCheck"} {
		require.Contains(t, funcs, f)
		assert.True(t, calls(funcs[f], "", "parseRecipe"), "%s hands the recipe to parseRecipe", f)
	}
	require.Contains(t, funcs, "parseRecipe")
	assert.True(t, calls(funcs["parseRecipe"], "options", "Labels", "a.revision", "a.created"), "parseRecipe: --created goes through options.Labels")
	require.Contains(t, funcs, "Promote")
	assert.False(t, hasParam(funcs["Promote"], "created"), "promote copies the staged images by digest: it writes no label")
}

func hasParam(fn *ast.FuncDecl, name string) bool {
	for _, p := range fn.Type.Params.List {
		for _, n := range p.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// exprName renders an identifier or a selector chain (options.Labels, a.created); "" for anything else.
func exprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := exprName(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}
