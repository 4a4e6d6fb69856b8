package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/tests/fixture"
)

// releaseNS is this run's namespace in the test bed registry: the release tests push there only.
var releaseNS = fmt.Sprintf("release%d", time.Now().UnixNano())

// headDigest is the manifest digest the test bed registry serves for ref, read from the host.
func headDigest(t *testing.T, ref string) (string, error) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	require.NoError(t, err)
	d, err := remote.Head(r)
	if err != nil {
		return "", err
	}
	return d.Digest.String(), nil
}

// The release checklist as a module function: with a checksum, a registry (handed over as a
// service) and a staging prefix, every item passes, the tested image is staged by digest and the
// e2e ran that very digest.
func TestCallReleaseCheck(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	reg := needTestbedRegistry(t)
	a := zips[fixture.Healthy]
	prefix := reg + "/" + releaseNS + "/"
	out, err := call(t, "--artifact", a.Path, "--checksum", "sha256:"+a.SHA256, "--registry", prefix, "--registry-service", "tcp://"+reg, "--staging", prefix+"staging/",
		"release-check", "--version", version, "--os", "debian", "--format", "json", "--created", "2026-12-02T05:04:05-05:00") // as release.yml passes it: git's %cI, the committer's offset
	require.NoError(t, err)
	r, err := checklist.Parse(out)
	require.NoError(t, err)
	t.Log(r.Text())
	assert.True(t, r.OK(), r.Text())
	assert.Equal(t, checklist.Counts{Passed: 9, Skipped: 2, Total: 11}, r.Count(), "only the login and the README are not asked for")
	want := map[string]checklist.Status{
		"version well-formed": checklist.Passed, "not yet published": checklist.Passed, "registry credentials ready": checklist.Skipped,
		"artifact reachable": checklist.Passed, "artifact checksum": checklist.Passed, "debian: builds": checklist.Passed,
		"debian: structure checks": checklist.Passed, "debian: compressed size < 1.5 GB": checklist.Passed, "debian: staged": checklist.Passed,
		"debian: e2e (registry push/pull, healthcheck, plugins)": checklist.Passed, "README version references": checklist.Skipped,
	}
	got := map[string]checklist.Item{}
	for _, it := range r.Items {
		got[it.Name] = it
	}
	for n, s := range want {
		assert.Equal(t, s, got[n].Status, n)
	}
	assert.Equal(t, "verified sha256:"+a.SHA256+" (from --checksum)", got["artifact checksum"].Detail)

	staged := r.Staged["debian"]
	require.Regexp(t, `^`+prefix+`staging/fit-framework@sha256:[0-9a-f]{64}$`, staged)
	digest := staged[strings.Index(staged, "@")+1:]
	assert.Contains(t, got["debian: e2e (registry push/pull, healthcheck, plugins)"].Detail, staged, "the e2e ran the staged digest")
	served, err := headDigest(t, prefix+"staging/fit-framework:"+version+"-debian")
	require.NoError(t, err)
	assert.Equal(t, digest, served, "the staging tag is the tested digest")

	// promote copies that digest, byte for byte: every release tag serves the tested manifest
	target := prefix + "release/"
	out, err = call(t, "--registry", target, "--registry-service", "tcp://"+reg, "promote", "--version", version, "--images", "debian="+staged)
	require.NoError(t, err)
	t.Log(out)
	assert.Regexp(t, `(?m)^PASSED: 4 of 4 items passed$`, out)
	stagedRaw := rawManifest(t, staged)
	for _, tag := range []string{"3.6.0-debian", "3.6-debian", "debian", "latest-debian"} {
		d, err := headDigest(t, target+"fit-framework:"+tag)
		require.NoError(t, err, tag)
		assert.Equal(t, digest, d, "%s serves the tested digest", tag)
		assert.Equal(t, stagedRaw, rawManifest(t, target+"fit-framework:"+tag), tag)
	}
	assert.Equal(t, createdUTC, createdLabel(t, target+"fit-framework:3.6.0-debian"), "the commit time, in UTC, as build-all writes it")

	// a failed immutable push after the first OS (alpine, then debian in the catalog's order) moves
	// no floating tag, and the report names what moved (the staged debian image stands in for alpine)
	broken := prefix + "broken/"
	missing := prefix + "staging/fit-framework@sha256:" + strings.Repeat("0", 64)
	_, err = call(t, "--registry", broken, "--registry-service", "tcp://"+reg,
		"promote", "--version", version, "--images", "alpine="+staged+",debian="+missing, "--format", "json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"verdict": "FAILED: 1 of 8 items failed, 6 skipped"`)
	assert.Contains(t, err.Error(), `"name": "debian: 3.6.0-debian",
      "status": "failed"`)
	assert.Contains(t, err.Error(), `"name": "alpine: 3.6.0-alpine",
      "status": "passed"`)
	d, err := headDigest(t, broken+"fit-framework:3.6.0-alpine")
	require.NoError(t, err, "the immutable reference of alpine moved")
	assert.Equal(t, digest, d)
	for _, tag := range []string{"3.6-debian", "debian", "latest-debian", "3.6-alpine", "alpine", "latest-alpine"} {
		_, err := headDigest(t, broken+"fit-framework:"+tag)
		assert.Error(t, err, "%s must not have moved", tag)
	}
}

func rawManifest(t *testing.T, ref string) []byte {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	require.NoError(t, err)
	d, err := remote.Get(r)
	require.NoError(t, err, ref)
	return d.Manifest
}

// The form a laptop runs, text report: it passes with the fixture zip and its sum.
func TestCallReleaseCheckText(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	reg := needTestbedRegistry(t)
	a := zips[fixture.Healthy]
	out, err := call(t, "--artifact", a.Path, "--checksum", a.SHA256, "--registry", reg+"/"+releaseNS+"-x/", "--registry-service", "tcp://"+reg,
		"release-check", "--version", version, "--os", "debian")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "Release checklist: FIT 3.6.0\n"), out)
	assert.Regexp(t, `(?m)^PASSED: 8 of 10 items passed, 2 skipped$`, out)
	assert.Contains(t, out, "debian: e2e (registry push/pull, healthcheck, plugins)")
	assert.Contains(t, out, "built from the same definition; not staged")
}

// A wrong sum fails the checklist before anything is built, and the error carries the report.
func TestCallReleaseCheckWrongSum(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	needEngine(t)
	_, err := call(t, "--artifact", zips[fixture.Healthy].Path, "--checksum", "sha256:"+strings.Repeat("0", 64), "release-check", "--version", version, "--os", "debian")
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "release-check of FIT 3.6.0: FAILED: 1 of 10 items failed, 7 skipped")
	assert.Regexp(t, `❌ artifact checksum\s+checksum mismatch for the FIT 3.6.0 zip given with --artifact: expected sha256:0{64} \(from --checksum\), got sha256:`+zips[fixture.Healthy].SHA256, msg)
	assert.Regexp(t, `➖ debian: builds\s+not run: the artifact is unusable`, msg)
}

// The release path needs a sum: with none of the three sources the checklist fails naming them,
// a wrong pinned sum fails before building, and the sum GitHub's API serves is enough to pass.
func TestCallReleaseCheckSumSources(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	needEngine(t)
	a := zips[fixture.Healthy]
	port := fakeReleaseByTag(t, a.SHA256)
	check := func(repo, pins string) (string, error) {
		p := filepath.Join(t.TempDir(), "checksums.txt")
		require.NoError(t, os.WriteFile(p, []byte(pins), 0o644))
		return call(t, "--artifact", a.Path, "--checksums-file", p, "--api-url", fmt.Sprintf("http://localhost:%d/repos/%s/fit-framework/releases", port, repo), "--api-service", fmt.Sprintf("tcp://localhost:%d", port),
			"release-check", "--version", version, "--os", "debian")
	}
	_, err := check("none", "")
	require.Error(t, err)
	for _, want := range []string{"1. --checksum sha256:HEX", "2. a pinned sum", "3. the GitHub release API's digest"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = check("none", version+" sha256:"+strings.Repeat("0", 64)+"\n")
	require.Error(t, err)
	assert.Regexp(t, `❌ artifact checksum\s+checksum mismatch .*expected sha256:0{64} \(from the pinned sums`, err.Error())
	assert.Contains(t, err.Error(), "not run: the artifact is unusable")

	out, err := check("good", "")
	require.NoError(t, err)
	assert.Regexp(t, `✅ artifact checksum\s+verified sha256:`+a.SHA256+` \(from the GitHub release API`, out)
}

// Bad input is refused by the module before the engine builds anything.
func TestCallReleaseCheckBadInput(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	zip := zips[fixture.Healthy].Path
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--version", "3.6", "--artifact", zip}, `malformed version "3.6"`},
		{[]string{"--version", "3.6.0", "--parallel", "0", "--artifact", zip}, "--parallel 0: give at least 1"},
		{[]string{"--version", "3.6.0", "--size-budget", "1.5XB", "--artifact", zip}, `--size-budget: unknown size unit "XB"`},
		{[]string{"--version", "3.6.0", "--format", "yaml", "--artifact", zip}, `unknown --format "yaml"`},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--url", "http://x/{version}.zip"}, "either --artifact or --url"},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--registry", "localhost:5000/x/"}, "add --registry-service tcp://localhost:5000"},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--staging", "Staging/"}, "--staging: registry prefix"},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--checksum", "md5:abc"}, "checksum"},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--created", "yesterday"}, `malformed --created "yesterday"`},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--sign"}, "--sign needs --signing-key"},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--signing-password", "env:HOME"}, "--signing-password needs --signing-key"},
		{[]string{"--version", "3.6.0", "--artifact", zip, "--github-run", `{"GITHUB_RUN_ID":"1","GITHUB_TOKEN":"ghs_x"}`}, `--github-run: unknown name "GITHUB_TOKEN"`},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			_, err := call(t, append([]string{"release-check"}, c.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// goRunCI runs `go run ./ci ARGS` from the repository with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// pointed at temporary files; it answers the exit status and both files.
func goRunCI(t *testing.T, args ...string) (code int, output, summary string) {
	t.Helper()
	needEngine(t)
	dir := t.TempDir()
	out, sum := dir+"/output", dir+"/summary"
	// built, then run: `go run` reports every non-zero status as 1
	build := exec.Command("go", "build", "-o", dir+"/ci", "./ci")
	build.Dir = root
	b, err := build.CombinedOutput()
	require.NoError(t, err, "%s", b)
	cmd := exec.Command(dir+"/ci", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+out, "GITHUB_STEP_SUMMARY="+sum, "FIT_MODULE="+root, "_EXPERIMENTAL_DAGGER_CLI_BIN="+daggerGo)
	combined, err := cmd.CombinedOutput()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	o, _ := os.ReadFile(out)
	s, _ := os.ReadFile(sum)
	t.Logf("go run ./ci %s → exit %d\n%s", strings.Join(args, " "), code, tail(string(combined), 15))
	return code, string(o), string(s)
}

// The driver writes the module's verdict, not its own: outputs and summary of the same checklist.
func TestCIReleaseCheck(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	reg := needTestbedRegistry(t)
	a := zips[fixture.Healthy]
	code, output, summary := goRunCI(t, "release-check", "--version", version, "--os", "debian", "--artifact", a.Path, "--checksum", "sha256:"+a.SHA256,
		"--registry", reg+"/"+releaseNS+"-ci/", "--registry-service", "tcp://"+reg)
	require.Equal(t, 0, code, summary)
	assert.Contains(t, output, "result<<")
	assert.Regexp(t, `result<<(\S+)\npassed\n`, output)
	assert.Regexp(t, `version<<(\S+)\n3\.6\.0\n`, output)
	assert.Contains(t, summary, "### Release checklist: FIT 3.6.0")
	assert.Contains(t, summary, "**✅ PASSED: 8 of 10 items passed, 2 skipped**")

	code, output, summary = goRunCI(t, "release-check", "--version", version, "--os", "debian", "--artifact", a.Path, "--checksum", "sha256:"+strings.Repeat("0", 64))
	assert.Equal(t, 1, code)
	assert.Regexp(t, `result<<(\S+)\nfailed\n`, output)
	assert.Regexp(t, `failed<<(\S+)\nartifact checksum\n`, output)
	assert.Contains(t, summary, "**❌ FAILED: 1 of 10 items failed, 7 skipped**")

	code, _, _ = goRunCI(t, "release-check", "--version", version, "--parallel", "0", "--artifact", a.Path)
	assert.Equal(t, 2, code, "bad input: the module's message, no report")
}
