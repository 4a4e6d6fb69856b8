package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"dagger/fit-images/images/catalog"
)

var workflowFiles = []string{"../.github/workflows/ci.yml", "../.github/workflows/release.yml"}

// TestWorkflowsLint runs actionlint (as a library) on both workflows: syntax, expressions, action
// inputs, job dependencies, and the run scripts through shellcheck when it is installed.
func TestWorkflowsLint(t *testing.T) {
	opts := &actionlint.LinterOptions{}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else {
		t.Log("NOTE: shellcheck is not installed: the workflows' run scripts were not shellchecked")
	}
	l, err := actionlint.NewLinter(io.Discard, opts)
	require.NoError(t, err)
	errs, err := l.LintFiles(workflowFiles, nil)
	require.NoError(t, err)
	for _, e := range errs {
		t.Errorf("actionlint: %s", e.Error())
	}
	assert.Empty(t, errs)
}

type workflow struct {
	On          map[string]any            `yaml:"on"`
	Permissions map[string]string         `yaml:"permissions"`
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

func matrixOS(t *testing.T, job map[string]any) []string {
	t.Helper()
	strategy, _ := job["strategy"].(map[string]any)
	require.NotNil(t, strategy, "job has a strategy")
	assert.Equal(t, false, strategy["fail-fast"], "fail-fast: false")
	matrix, _ := strategy["matrix"].(map[string]any)
	var oses []string
	for _, o := range matrix["os"].([]any) {
		oses = append(oses, o.(string))
	}
	return oses
}

func TestWorkflowsShape(t *testing.T) {
	goMod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*dagger\.io/dagger v(\S+)`).FindSubmatch(goMod)
	require.NotNil(t, m, "go.mod requires dagger.io/dagger")
	sdkVersion := string(m[1])

	for _, path := range workflowFiles {
		w, text := loadWorkflow(t, path)
		name := filepath.Base(path)
		assert.Equal(t, map[string]string{"contents": "read"}, w.Permissions, "%s: least privilege", name)
		assert.Equal(t, sdkVersion, w.Env["DAGGER_CLI_VERSION"], "%s: the CLI is pinned to the SDK version of go.mod", name)
		for _, use := range regexp.MustCompile(`uses:\s*(\S+)`).FindAllStringSubmatch(text, -1) {
			assert.Regexp(t, `^[\w.-]+/[\w.-]+@v\d+$`, use[1], "%s: actions pinned by major version tag", name)
		}
		assert.Contains(t, text, "go-version-file: go.mod")
		assert.NotContains(t, text, "--password ", "%s: passwords only through --password-env", name)
	}

	ci, text := loadWorkflow(t, workflowFiles[0])
	assert.Contains(t, ci.On, "pull_request")
	assert.Equal(t, map[string]any{"branches": []any{"main"}}, ci.On["push"])
	require.Contains(t, ci.Jobs, "lint-test")
	require.Contains(t, ci.Jobs, "e2e")
	assert.Equal(t, "lint-test", ci.Jobs["e2e"]["needs"])
	assert.Equal(t, catalog.Names(), matrixOS(t, ci.Jobs["e2e"]), "every OS of the catalog gets an e2e")
	assert.Contains(t, text, "go vet ./...")
	assert.Contains(t, text, "go test ./images/... ./ci/...")
	assert.Contains(t, text, "go run ./ci e2e --os ${{ matrix.os }} --version 3.6.0")

	rel, text := loadWorkflow(t, workflowFiles[1])
	assert.Equal(t, map[string]any{"types": []any{"published"}}, rel.On["release"])
	assert.Equal(t, "${{ vars.REGISTRY_PREFIX || 'modelengine/' }}", rel.Env["REGISTRY_PREFIX"])
	require.Contains(t, rel.Jobs, "release-check")
	require.Contains(t, rel.Jobs, "publish")
	assert.Equal(t, "release-check", rel.Jobs["publish"]["needs"])
	assert.Equal(t, catalog.Names(), matrixOS(t, rel.Jobs["publish"]))
	assert.Contains(t, text, `echo "version=${GITHUB_REF_NAME#v}" >> "$GITHUB_OUTPUT"`)
	for _, s := range []string{"secrets.REGISTRY_USERNAME", "secrets.REGISTRY_PASSWORD", "--password-env REGISTRY_PASSWORD"} {
		assert.Contains(t, text, s)
	}

	// publish pushes what release-check tested: the images travel as an artifact, nothing is rebuilt
	check := jobSteps(t, rel.Jobs["release-check"])
	checkRun := stepRunning(t, check, "go run ./ci release-check")
	assert.Contains(t, check[checkRun]["run"], "--export-dir images-out")
	upload := stepUsing(t, check, "actions/upload-artifact@v4")
	assert.Greater(t, upload, checkRun, "the upload follows the check")
	assert.Nil(t, check[upload]["if"], "only a passed check uploads its images")
	with := check[upload]["with"].(map[string]any)
	assert.Equal(t, "release-images", with["name"])
	assert.Equal(t, "images-out/", with["path"])
	assert.Equal(t, 1, with["retention-days"])
	assert.Equal(t, "error", with["if-no-files-found"])

	pub := jobSteps(t, rel.Jobs["publish"])
	download := stepUsing(t, pub, "actions/download-artifact@v4")
	pubRun := stepRunning(t, pub, "go run ./ci publish")
	assert.Less(t, download, pubRun, "the images are there before publish runs")
	with = pub[download]["with"].(map[string]any)
	assert.Equal(t, "release-images", with["name"])
	assert.Equal(t, "images-out", with["path"])
	publishRun := pub[pubRun]["run"].(string)
	assert.Contains(t, publishRun, "--image-tar images-out/${{ matrix.os }}.tar")
	for _, f := range buildOnlyFlags {
		assert.NotContains(t, publishRun, "--"+f+" ", "publish builds nothing: no --%s", f)
	}
	assert.GreaterOrEqual(t, stepRunning(t, pub, "install.sh"), 0, "publish still pushes through a Dagger engine")
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

// stepUsing is the index of the step that uses an action; stepRunning of the step whose run has s.
func stepUsing(t *testing.T, steps []map[string]any, uses string) int {
	t.Helper()
	for i, s := range steps {
		if s["uses"] == uses {
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

// TestWorkflowCommandsParse feeds every `go run ./ci …` of the workflows, with sample values for
// the expressions and variables, to the driver's own flag parsing: a renamed flag breaks here,
// not on the next release.
func TestWorkflowCommandsParse(t *testing.T) {
	t.Setenv("REGISTRY_PASSWORD", "sample-password")
	// the publish job's --image-tar images-out/OS.tar: as the downloaded artifact would have it
	images := t.TempDir()
	for _, o := range catalog.Names() {
		require.NoError(t, os.WriteFile(filepath.Join(images, o+".tar"), []byte("tar"), 0o644))
	}
	sample := strings.NewReplacer(`${{ matrix.os }}`, "debian", `"$VERSION"`, "3.6.0", `"$REGISTRY_PREFIX"`, "modelengine/",
		`"$REGISTRY_USERNAME"`, "ci", "--image-tar images-out/", "--image-tar "+images+"/")
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
				args := strings.Fields(sample.Replace(strings.TrimPrefix(strings.TrimSpace(run), "go run ./ci ")))
				assert.NotContains(t, strings.Join(args, " "), "$", "%s/%s: unexpected variable in %q", path, id, run)
				rep := newPlain(&bytes.Buffer{})
				var err error
				switch args[0] {
				case "e2e":
					_, err = parseE2E(args[1:], io.Discard)
				case "build-all":
					_, err = parseBuildAll(args[1:], os.Getenv, rep, io.Discard)
				case "publish":
					_, err = parsePublish(args[1:], os.Getenv, rep, io.Discard)
				case "release-check":
					_, err = parseReleaseCheck(args[1:], io.Discard)
				default:
					t.Errorf("%s/%s runs an unknown job %q", path, id, args[0])
				}
				assert.NoError(t, err, "%s/%s: %s", path, id, run)
			}
		}
	}
	assert.Equal(t, 3, found, "e2e in ci.yml; release-check and publish in release.yml")
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
}
