package options

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/upstream"
)

// The string arguments of the module's constructor (its shared settings) and of build, check,
// build-all and end-to-end, each with the parser the module
// runs it through before the engine builds anything. data marks the few that are not parsed into a
// closed set: they go to the engine's HTTP client or registry API as values, and
// TestShellScriptsAreConstants (images/scripts) holds that no value ever becomes script text.
var stringArgs = map[string]struct {
	parse func(string) (string, error) // the value the module goes on with
	data  bool
}{
	"os": {parse: func(s string) (string, error) { o, err := catalog.Lookup(s); return o.Name, err }},
	"skipOs": {parse: func(s string) (string, error) {
		oses, err := OSes("", s)
		names := []string{}
		for _, o := range oses {
			names = append(names, o.Name)
		}
		return strings.Join(names, ","), err
	}},
	"version":   {parse: func(s string) (string, error) { v, err := release.ParseVersion(s); return v.String(), err }},
	"checksum":  {parse: release.ParseChecksum},
	"platform":  {parse: func(s string) (string, error) { p, err := release.ParsePlatforms(s); return fmt.Sprint(p), err }},
	"platforms": {parse: func(s string) (string, error) { p, err := release.ParsePlatforms(s); return fmt.Sprint(p), err }},
	"java":      {parse: func(s string) (string, error) { j, err := catalog.ParseJava(s); return string(j), err }},
	"aptMirror": {parse: func(s string) (string, error) { m, err := Mirrors(s, ""); return m[catalog.Apt], err }},
	"apkMirror": {parse: func(s string) (string, error) { m, err := Mirrors("", s); return m[catalog.Apk], err }},
	"revision":  {parse: func(s string) (string, error) { r, _, err := Labels(s, ""); return r, err }},
	"created":   {parse: func(s string) (string, error) { _, c, err := Labels("", s); return c, err }},
	"registry":  {parse: func(s string) (string, error) { r, err := release.ParseRegistry(s); return string(r), err }},
	"staging":   {parse: func(s string) (string, error) { r, err := release.ParseRegistry(s); return string(r), err }},
	"latest":    {parse: func(s string) (string, error) { l, err := release.ParseLatest(s); return fmt.Sprint(l), err }},
	"timeout":   {parse: func(s string) (string, error) { d, err := Timeout(s); return d.String(), err }},
	"format":    {parse: checklist.ParseFormat},
	// the download URL: an http(s) URL whose {version} is replaced, fetched by the engine
	"url": {parse: func(s string) (string, error) {
		v, _ := release.ParseVersion("3.6.0")
		return release.ArtifactURL(v, s)
	}, data: true},
	// the GitHub API: an http(s) URL the module's HTTP client asks
	"apiUrl": {parse: func(s string) (string, error) {
		u, err := upstream.ParseAPIURL(s)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	}, data: true},
	// the registry logins: sent to the registry's API, as Dagger's registry auth
	"username":        {data: true},
	"stagingUsername": {data: true},
}

// Every hostile value given to every string argument of the building functions is refused by its
// parser, in one line, or what the module goes on with holds none of it (surrounding white space
// is trimmed); for the arguments marked data it is never shell text by construction.
// The list of arguments is read from the module's sources, so a new argument fails here until it is
// classified.
func TestHostileArguments(t *testing.T) {
	seen := moduleStringArgs(t, "New", "Build", "Check", "BuildAll", "EndToEnd")
	for fn, args := range seen {
		for _, a := range args {
			if _, ok := stringArgs[a]; !ok {
				t.Errorf("%s has the string argument %q, which this test does not know: add its parser to stringArgs", fn, a)
			}
		}
	}
	for name, arg := range stringArgs {
		for _, h := range Hostile {
			for _, v := range []string{h, "3.6.0" + h, "debian" + h + "touch /tmp/pwned", "x'" + h + "touch /tmp/pwned;'"} {
				if arg.parse == nil {
					continue
				}
				got, err := arg.parse(v)
				switch {
				case err != nil && strings.Contains(err.Error(), "\n"):
					t.Errorf("--%s %q: the refusal is more than one line: %q", name, v, err)
				case err == nil && !arg.data && strings.ContainsAny(got, "'\"|;&$`\\\n <>*#%{}()"):
					t.Errorf("--%s %q accepted as %q", name, v, got)
				}
			}
		}
	}
}

// moduleStringArgs lists the string parameters of the named functions of the module (its methods in
// ../../main.go, its constructor New in ../../settings.go).
func moduleStringArgs(t *testing.T, names ...string) map[string][]string {
	t.Helper()
	var decls []ast.Decl
	for _, path := range []string{"../../main.go", "../../settings.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		decls = append(decls, f.Decls...)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string][]string{}
	for _, d := range decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !want[fd.Name.Name] {
			continue
		}
		out[fd.Name.Name] = nil // a function with no string argument still counts as found
		for _, p := range fd.Type.Params.List {
			if id, ok := p.Type.(*ast.Ident); ok && id.Name == "string" {
				for _, n := range p.Names {
					out[fd.Name.Name] = append(out[fd.Name.Name], n.Name)
				}
			}
		}
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			t.Errorf("the module has no function %s", n)
		}
	}
	return out
}
