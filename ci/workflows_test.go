package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/missing"
)

var workflowFiles = []string{"../.github/workflows/ci.yml", "../.github/workflows/release.yml", "../.github/workflows/catch-up.yml"}

// TestWorkflowsLint runs actionlint (as a library) on every workflow: syntax, expressions, action
// inputs, job dependencies, and the run scripts through shellcheck, which must be installed (the
// test bed installs it): a lint that skipped the scripts would pass without having read them.
func TestWorkflowsLint(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	require.NoError(t, err, "shellcheck is needed to lint the workflows' run scripts: apt-get install shellcheck (hack/testbed up installs it)")
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{Shellcheck: sc})
	require.NoError(t, err)
	errs, err := l.LintFiles(workflowFiles, nil)
	require.NoError(t, err)
	for _, e := range errs {
		t.Errorf("actionlint: %s", e.Error())
	}
	assert.Empty(t, errs)
}

type workflow struct {
	RunName     string                    `yaml:"run-name"`
	On          map[string]any            `yaml:"on"`
	Permissions map[string]string         `yaml:"permissions"`
	Concurrency map[string]any            `yaml:"concurrency"`
	Env         map[string]string         `yaml:"env"`
	Jobs        map[string]map[string]any `yaml:"jobs"`
}

func loadWorkflow(t *testing.T, path string) (workflow, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(b, &w))
	return w, string(b)
}

func matrixOS(t *testing.T, job map[string]any) any {
	t.Helper()
	strategy, _ := job["strategy"].(map[string]any)
	require.NotNil(t, strategy, "job has a strategy")
	assert.Equal(t, false, strategy["fail-fast"], "fail-fast: false")
	matrix, _ := strategy["matrix"].(map[string]any)
	if list, ok := matrix["os"].([]any); ok {
		var oses []string
		for _, o := range list {
			oses = append(oses, o.(string))
		}
		return oses
	}
	return matrix["os"]
}

func textOf(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// writeScopes are the only jobs that may write anything, and what: least privilege.
var writeScopes = map[string]map[string]string{
	"catch-up.yml/release": {"actions": "write"},
	// the staging push of the tested images to GitHub's registry, with the job's own token
	"release.yml/release-check": {"packages": "write"},
}

// jobSecrets are the only jobs that see secrets, and which: the registry login only where it is
// pushed with, the signing key only where the staged images are signed.
var jobSecrets = map[string][]string{
	"release.yml/publish":       {"REGISTRY_PASSWORD", "REGISTRY_USERNAME"},
	"release.yml/release-check": {"COSIGN_KEY", "COSIGN_PASSWORD"},
}

// Supply-chain hygiene of every workflow: no default token permissions, each job asks for what it
// needs, third-party actions pinned by full commit SHA with the version in a comment, the Dagger
// CLI installed by its official action at the SDK version of go.mod, credentials only where they
// are pushed with, and no input pasted into a script.
func TestWorkflowsHygiene(t *testing.T) {
	goMod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*dagger\.io/dagger v(\S+)`).FindSubmatch(goMod)
	require.NotNil(t, m, "go.mod requires dagger.io/dagger")
	sdkVersion := string(m[1])

	for _, path := range workflowFiles {
		w, text := loadWorkflow(t, path)
		name := filepath.Base(path)
		assert.Empty(t, w.Permissions, "%s: no permissions by default, each job asks for its own", name)
		assert.Contains(t, text, "\npermissions: {}\n", "%s: permissions: {} at the top", name)
		assert.Equal(t, sdkVersion, w.Env["DAGGER_CLI_VERSION"], "%s: the CLI is pinned to the SDK version of go.mod", name)
		for _, line := range regexp.MustCompile(`(?m)^.*\buses:.*$`).FindAllString(text, -1) {
			assert.Regexp(t, `uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`, line, "%s: actions pinned by full commit SHA, version in a comment", name)
		}
		assert.NotContains(t, text, "install.sh", "%s: the Dagger CLI comes from dagger/dagger-for-github", name)
		assert.NotContains(t, text, "curl ", name)
		for _, m := range regexp.MustCompile(`--(?:staging-|signing-)?(?:password|key)\s+(\S+)`).FindAllStringSubmatch(text, -1) {
			assert.Regexp(t, `^env:[A-Z_]+$`, m[1], "%s: passwords only as Dagger secrets from the environment (env:NAME), never a value", name)
		}
		for id, job := range w.Jobs {
			key := name + "/" + id
			perms, ok := job["permissions"].(map[string]any)
			require.True(t, ok, "%s: the job sets its permissions", key)
			for scope, level := range perms {
				if level != "read" {
					assert.Equal(t, writeScopes[key][scope], level, "%s: %s: %v is more than it needs", key, scope, level)
				}
			}
			jobText := textOf(t, job)
			seen := map[string]bool{}
			for _, m := range regexp.MustCompile(`secrets\.(\w+)`).FindAllStringSubmatch(jobText, -1) {
				seen[m[1]] = true
			}
			var secrets []string
			for n := range seen {
				secrets = append(secrets, n)
			}
			sort.Strings(secrets)
			assert.Equal(t, jobSecrets[key], secrets, "%s: registry credentials only in the job that pushes, the signing key only in the job that signs", key)
			for _, st := range jobSteps(t, job) {
				if u, _ := st["uses"].(string); strings.HasPrefix(u, "dagger/dagger-for-github@") {
					assert.Equal(t, map[string]any{"version": "${{ env.DAGGER_CLI_VERSION }}"}, st["with"], "%s: installs the pinned CLI, runs nothing itself", key)
				}
				if u, _ := st["uses"].(string); strings.HasPrefix(u, "actions/checkout@") {
					assert.Equal(t, false, st["with"].(map[string]any)["persist-credentials"], "%s: the token does not stay in .git/config", key)
				}
				run, _ := st["run"].(string)
				for _, ctx := range []string{"${{ inputs.", "${{ github.event", "${{ needs.", "${{ steps.", "${{ secrets.", "${{ vars."} {
					assert.NotContains(t, run, ctx, "%s: values reach scripts through env, never pasted in", key)
				}
			}
		}
	}
}

// The module functions and flags the workflows call exist, each in its place: the module's own
// (constructor) flags before the function name, the function's after it. Parsed from the module's
// sources, so a renamed argument breaks here, not on the next release.
func TestWorkflowDaggerCallsExist(t *testing.T) {
	fns := moduleFunctions(t)
	calls, extensions := 0, 0
	for _, path := range workflowFiles {
		_, text := loadWorkflow(t, path)
		c, e, problems := daggerCallProblems(text, fns)
		calls, extensions = calls+c, extensions+e
		for _, p := range problems {
			t.Errorf("%s: %s", path, p)
		}
	}
	assert.GreaterOrEqual(t, calls, 2, "release.yml and catch-up.yml call missing-releases")
	assert.GreaterOrEqual(t, extensions, 1, "release.yml's args+=(--rebuild) is checked too")

	// and the check is not vacuous: an unknown flag is reported, under the function it was passed to,
	// also when an args+=(…) line adds it, and so is a flag on the wrong side of the function name
	text := "args=(missing-releases --os x)\nargs+=(--rebuild --nope)\ndagger call tags --nada \\\n  --version 1\n" +
		"dagger call nothing\ndagger call --nix list\ndagger call tags --registry r/\ndagger call --registry r/ tags --os debian\n" +
		"dagger call --registry r/ \"${args[@]}\"\nargs=(promote --staging s/)\n"
	_, _, problems := daggerCallProblems(text, fns)
	assert.Equal(t, []string{
		"missing-releases has no --nope: args+=(--rebuild --nope)",
		"tags has no --nada: dagger call tags --nada \\\n  --version 1",
		"unknown function nothing: dagger call nothing",
		"the module has no --nix (dagger call --help): dagger call --nix list",
		"tags: --registry is the module's: put it before the function name: dagger call tags --registry r/",
		"promote: --staging is the module's: put it before the function name: args=(promote --staging s/)",
	}, problems)
}

// daggerCallRe finds `dagger call …` with its \ continuation lines (a line's text is read a
// character or an escaped pair at a time, so its closing \ stays for the continuation), the
// args=(FN …) arrays of release.yml and the args+=(…) lines that extend such an array.
var daggerCallRe = regexp.MustCompile(`(?:dagger call |args=\(|args\+=\()(?:[^\\\n]|\\.)*(?:\\\n(?:[^\\\n]|\\.)*)*`)

// daggerCallProblems checks every function and flag that text passes to `dagger call` against
// fns (moduleFunctions): the module's flags before the function name, the function's after it;
// the flags of an args+=(…) line belong to the array's function, the FN of the args=(FN …)
// before it, and a `dagger call … "${args[@]}"` passes that array. It answers how many calls and
// extensions it checked.
func daggerCallProblems(text string, fns map[string]map[string]bool) (calls, extensions int, problems []string) {
	fn := ""
	for _, m := range daggerCallRe.FindAllString(text, -1) {
		words := strings.Fields(strings.NewReplacer("\\\n", " ", ")", " ").Replace(m))
		switch {
		case strings.HasPrefix(m, "args+=("):
			extensions++
			words = words[1:]
		case strings.HasPrefix(m, "args=("):
			words[0] = strings.TrimPrefix(words[0], "args=(")
		default: // dagger call: the module's flags, each with its value, then the function
			words = words[2:]
			for len(words) > 0 && strings.HasPrefix(words[0], "--") {
				name, _, inline := strings.Cut(strings.TrimPrefix(words[0], "--"), "=")
				if !fns[""][name] {
					problems = append(problems, fmt.Sprintf("the module has no --%s (dagger call --help): %s", name, m))
				}
				words = words[1:]
				if !inline && len(words) > 0 {
					words = words[1:]
				}
			}
			if len(words) > 0 && strings.HasPrefix(words[0], `"${`) {
				continue // the array's call: its function and flags were checked where it was built
			}
		}
		if !strings.HasPrefix(m, "args+=(") {
			if len(words) == 0 {
				continue
			}
			calls++
			fn, words = words[0], words[1:]
		}
		flags, ok := fns[fn]
		if !ok || fn == "" {
			problems = append(problems, fmt.Sprintf("unknown function %s: %s", fn, m))
			continue
		}
		for _, w := range words {
			name, _, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
			switch {
			case !strings.HasPrefix(w, "--") || flags[name]:
			case fns[""][name]:
				problems = append(problems, fmt.Sprintf("%s: --%s is the module's: put it before the function name: %s", fn, name, m))
			default:
				problems = append(problems, fmt.Sprintf("%s has no --%s: %s", fn, name, m))
			}
		}
	}
	return calls, extensions, problems
}

// moduleFunctions reads the module's sources: function name (kebab case) → its flags; "" → the
// flags of the constructor (New), which `dagger call` takes before the function name.
func moduleFunctions(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	for _, fd := range moduleFuncDecls(t) {
		flags := map[string]bool{}
		for _, p := range fd.Type.Params.List {
			for _, n := range p.Names {
				flags[kebab(n.Name)] = true
			}
		}
		name := kebab(fd.Name.Name)
		if fd.Recv == nil {
			name = ""
		}
		out[name] = flags
	}
	return out
}

// moduleFuncDecls are the module's functions as parsed from its sources (dagger.gen.go aside): the
// exported methods of FitImages and the constructor New, whose parameters' comments are kept.
func moduleFuncDecls(t *testing.T) []*ast.FuncDecl {
	t.Helper()
	files, err := filepath.Glob("../*.go")
	require.NoError(t, err)
	var out []*ast.FuncDecl
	for _, path := range files {
		if filepath.Base(path) == "dagger.gen.go" {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && isModuleFunc(fd) {
				out = append(out, fd)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// isModuleFunc: an exported method of FitImages (a function of the module) or its constructor New.
func isModuleFunc(fd *ast.FuncDecl) bool {
	if fd.Recv == nil {
		return fd.Name.Name == "New"
	}
	star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "FitImages" && fd.Name.IsExported()
}

func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestWorkflowsShape(t *testing.T) {
	ci, text := loadWorkflow(t, workflowFiles[0])
	assert.Contains(t, ci.On, "pull_request")
	assert.Equal(t, map[string]any{"branches": []any{"main"}}, ci.On["push"])
	require.Contains(t, ci.Jobs, "lint-test")
	require.Contains(t, ci.Jobs, "e2e")
	assert.Equal(t, "lint-test", ci.Jobs["e2e"]["needs"])
	assert.Equal(t, catalog.Names(), matrixOS(t, ci.Jobs["e2e"]), "every OS of the catalog gets an e2e")
	assert.Contains(t, text, "go-version-file: go.mod")
	assert.Contains(t, text, "go vet ./...")
	assert.Contains(t, text, "go test ./images/... ./ci/...")
	assert.Contains(t, text, "go run ./ci e2e --os ${{ matrix.os }} --version 3.6.0")
}

// release.yml starts from a dispatch (by hand or from the FIT repository), never from a release
// of this repository, whose versions are the pipeline's, not FIT's.
func TestReleaseWorkflow(t *testing.T) {
	rel, text := loadWorkflow(t, workflowFiles[1])
	assert.NotContains(t, rel.On, "release")
	assert.Equal(t, map[string]any{"types": []any{"fit-release"}}, rel.On["repository_dispatch"])
	inputs := rel.On["workflow_dispatch"].(map[string]any)["inputs"].(map[string]any)
	input := func(n string) map[string]any { return inputs[n].(map[string]any) }
	assert.Equal(t, true, input("version")["required"])
	assert.Equal(t, "all", input("os")["default"])
	assert.Equal(t, "linux/amd64,linux/arm64", input("platforms")["default"])
	assert.Equal(t, "choice", input("latest")["type"])
	assert.Equal(t, []any{"auto", "always", "never"}, input("latest")["options"])
	assert.Equal(t, "auto", input("latest")["default"])
	for _, b := range []string{"dry-run", "rebuild"} {
		assert.Equal(t, "boolean", input(b)["type"])
		assert.Equal(t, false, input(b)["default"], "%s only when asked", b)
	}
	const version = "${{ inputs.version || github.event.client_payload.version }}"
	assert.Equal(t, "release-"+version, rel.Concurrency["group"], "one release per version at a time")
	assert.Equal(t, false, rel.Concurrency["cancel-in-progress"])
	assert.Equal(t, "release FIT "+version, rel.RunName, "catch-up.yml finds running releases by this name")
	assert.Equal(t, "${{ vars.REGISTRY_PREFIX || 'modelengine/' }}", rel.Env["REGISTRY_PREFIX"])

	plan := jobSteps(t, rel.Jobs["plan"])
	planRun := plan[stepRunning(t, plan, "missing-releases")]
	assert.Contains(t, planRun["run"], `--version "$VERSION"`)
	assert.Contains(t, planRun["run"], "args+=(--rebuild)")
	assert.Equal(t, version, planRun["env"].(map[string]any)["VERSION"])

	assert.Equal(t, "plan", rel.Jobs["release-check"]["needs"])
	check := jobSteps(t, rel.Jobs["release-check"])
	checkRun := check[stepRunning(t, check, "go run ./ci release-check")]["run"].(string)
	for _, f := range []string{`--platforms "$PLATFORMS"`, `--staging "$STAGING_PREFIX"`, "--staging-password env:GITHUB_TOKEN", `--revision "$REVISION"`, `--created "$CREATED"`} {
		assert.Contains(t, checkRun, f)
	}
	for _, f := range []string{"--sign ", "--signing-key env:COSIGN_KEY", "--signing-password env:COSIGN_PASSWORD", `--latest "$LATEST"`} {
		assert.Contains(t, checkRun, f, "the release is signed, its provenance records the --latest rule")
	}
	assert.Less(t, stepRunning(t, check, `[ -z "$COSIGN_KEY" ]`), stepRunning(t, check, "go run ./ci release-check"), "a missing key stops the job before anything is built")
	assert.NotContains(t, checkRun, "--registry", "no production login outside the pushing job")
	assert.NotContains(t, checkRun, "--readme", "the README documents the pipeline, not one FIT version")
	assert.Greater(t, stepRunning(t, check, "go run ./ci release-check"), stepUsingPrefix(t, check, "docker/setup-qemu-action@"), "arm64 is emulated")
	assert.Contains(t, text, "git show -s --format=%cI HEAD", "created is the commit's time")
	assert.Equal(t, "${{ steps.check.outputs.images }}", rel.Jobs["release-check"]["outputs"].(map[string]any)["images"])

	// publish promotes what release-check tested, by digest, in one job after it
	pubJob := rel.Jobs["publish"]
	assert.Equal(t, []any{"plan", "release-check"}, pubJob["needs"])
	assert.Equal(t, "${{ !inputs.dry-run }}", pubJob["if"])
	assert.Nil(t, pubJob["strategy"], "one job: floating tags move once, after every immutable one")
	pub := jobSteps(t, pubJob)
	promoteRun := pub[stepRunning(t, pub, "go run ./ci promote")]["run"].(string)
	for _, f := range []string{`--images "$IMAGES"`, `--latest "$LATEST"`, "--password env:REGISTRY_PASSWORD"} {
		assert.Contains(t, promoteRun, f)
	}
	assert.NotContains(t, promoteRun, "--signing-", "promote copies the signatures, it never signs")
	for _, s := range []string{"secrets.REGISTRY_USERNAME", "secrets.REGISTRY_PASSWORD", "IMAGES: ${{ needs.release-check.outputs.images }}", "LATEST: ${{ inputs.latest || 'auto' }}"} {
		assert.Contains(t, text, s)
	}
}

// catch-up.yml: daily, the module answers what is missing, each becomes a run of release.yml.
func TestCatchUpWorkflow(t *testing.T) {
	cu, text := loadWorkflow(t, workflowFiles[2])
	require.Contains(t, cu.On, "schedule")
	assert.Regexp(t, `^\d+ \d+ \* \* \*$`, cu.On["schedule"].([]any)[0].(map[string]any)["cron"], "daily")
	assert.Contains(t, cu.On, "workflow_dispatch")
	find := jobSteps(t, cu.Jobs["find"])
	run := find[stepRunning(t, find, "missing-releases")]
	assert.Equal(t, "${{ vars.RELEASE_FLOOR || '"+missing.DefaultFloor+"' }}", run["env"].(map[string]any)["FLOOR"])
	for _, s := range []string{`--since "$FLOOR"`, "--limit 3", `--skip-version "$RUNNING"`, "--token env:GITHUB_TOKEN", "--format json"} {
		assert.Contains(t, run["run"], s)
	}
	assert.Contains(t, text, `select(startswith("release FIT "))`, "running releases are found by release.yml's run-name")
	rel := cu.Jobs["release"]
	strategy := rel["strategy"].(map[string]any)
	assert.Equal(t, 1, strategy["max-parallel"], "oldest first")
	assert.Equal(t, "${{ fromJSON(needs.find.outputs.matrix) }}", strategy["matrix"].(map[string]any)["include"])
	steps := jobSteps(t, rel)
	assert.Contains(t, steps[stepRunning(t, steps, "gh workflow run release.yml")]["run"], `-f version="$VERSION" -f os="$OS"`)
}

func jobSteps(t *testing.T, job map[string]any) []map[string]any {
	t.Helper()
	raw, _ := job["steps"].([]any)
	steps := make([]map[string]any, len(raw))
	for i, s := range raw {
		steps[i], _ = s.(map[string]any)
	}
	return steps
}

// stepUsingPrefix is the index of the step that uses an action (owner/name@); stepRunning of the
// step whose run has s.
func stepUsingPrefix(t *testing.T, steps []map[string]any, uses string) int {
	t.Helper()
	for i, s := range steps {
		if u, _ := s["uses"].(string); strings.HasPrefix(u, uses) {
			return i
		}
	}
	t.Fatalf("no step uses %s", uses)
	return -1
}

func stepRunning(t *testing.T, steps []map[string]any, s string) int {
	t.Helper()
	for i, st := range steps {
		if run, _ := st["run"].(string); strings.Contains(run, s) {
			return i
		}
	}
	t.Fatalf("no step runs %q", s)
	return -1
}

// TestWorkflowCommandsParse checks every `go run ./ci …` of the workflows against the module: the
// job exists and each flag is one of its function's or the module's (the module validates the values).
func TestWorkflowCommandsParse(t *testing.T) {
	fns := moduleFunctions(t)
	found := 0
	for _, path := range workflowFiles {
		w, _ := loadWorkflow(t, path)
		for id, job := range w.Jobs {
			steps, _ := job["steps"].([]any)
			for _, s := range steps {
				run, _ := s.(map[string]any)["run"].(string)
				if !strings.HasPrefix(strings.TrimSpace(run), "go run ./ci ") {
					continue
				}
				found++
				args := strings.Fields(strings.TrimPrefix(strings.TrimSpace(run), "go run ./ci "))
				fn := ""
				for _, j := range jobs {
					if j.name == args[0] {
						fn = j.function
					}
				}
				require.NotEmpty(t, fn, "%s/%s runs an unknown job %q", path, id, args[0])
				for _, a := range args[1:] {
					if strings.HasPrefix(a, "--") {
						// the driver moves the module's flags before the function name (options.CallArgs)
						f := strings.TrimPrefix(a, "--")
						assert.True(t, fns[fn][f] || fns[""][f], "%s/%s: neither the module nor %s has the flag %s", path, id, fn, a)
						assert.NotEqual(t, "--format", a, "the driver passes --format json itself")
					}
				}
			}
		}
	}
	assert.Equal(t, 3, found, "e2e in ci.yml; release-check and promote in release.yml")
}

// The lint above is not vacuous: a broken workflow does report errors.
func TestWorkflowsLintCatchesMistakes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yml")
	require.NoError(t, os.WriteFile(bad, []byte("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n    steps:\n      - run: echo ${{ matrix.nope }}\n"), 0o644))
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	require.NoError(t, err)
	errs, err := l.LintFiles([]string{bad}, nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(errs), 2, "%v", errs)

	// and the run scripts do go through shellcheck: an unquoted variable is reported
	sc, err := exec.LookPath("shellcheck")
	require.NoError(t, err, "apt-get install shellcheck")
	script := filepath.Join(t.TempDir(), "script.yml")
	require.NoError(t, os.WriteFile(script, []byte("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: rm -rf $DIR/*\n"), 0o644))
	l, err = actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{Shellcheck: sc})
	require.NoError(t, err)
	errs, err = l.LintFiles([]string{script}, nil)
	require.NoError(t, err)
	require.NotEmpty(t, errs)
	for _, e := range errs {
		assert.Equal(t, "shellcheck", e.Kind, "%v", e)
	}
}
