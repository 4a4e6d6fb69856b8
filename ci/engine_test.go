package main

// Engine tests: the driver's jobs run in-process against a real Dagger engine, with the FIT-shaped
// fixture zip (tests/fixture) from disk or served on loopback, and GITHUB_OUTPUT /
// GITHUB_STEP_SUMMARY in temporary files. One engine session serves every test of this binary.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/release"
	"dagger/fit-images/tests/fixture"
)

const fixtureVersion = "3.6.0"

var engine struct {
	once     sync.Once
	skip     string // why engine tests are skipped
	err      error  // why the set-up failed
	client   *dagger.Client
	dir      string
	zips     map[fixture.Variant]fixture.Artifact
	baseURL  string
	stopHTTP func() error
}

// noEngine says why there is no engine to test with, or "" when there is one.
func noEngine() string {
	if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") != "" {
		return ""
	}
	if _, err := exec.LookPath("dagger"); err == nil {
		return ""
	}
	return "no Dagger engine: _EXPERIMENTAL_DAGGER_RUNNER_HOST is unset and no dagger CLI is on PATH " +
		"(run ./hack/test, or eval \"$(./hack/testbed env)\" first)"
}

func TestMain(m *testing.M) {
	if why := noEngine(); why != "" {
		fmt.Fprintf(os.Stderr, "\n!!! ci: ENGINE TESTS WILL BE SKIPPED: %s\n\n", why)
	}
	code := m.Run()
	if engine.client != nil {
		engine.client.Close()
	}
	if engine.stopHTTP != nil {
		engine.stopHTTP() //nolint:errcheck
	}
	if engine.dir != "" {
		os.RemoveAll(engine.dir)
	}
	os.Exit(code)
}

// needEngine connects once (lazily: unit-only runs never pay for it) and builds and serves the fixtures.
func needEngine(t *testing.T) {
	t.Helper()
	if why := noEngine(); why != "" {
		t.Skip(why)
	}
	engine.once.Do(func() {
		if _, err := exec.LookPath("javac"); err != nil {
			engine.skip = "no javac on PATH: the FIT fixture's launcher cannot be compiled"
			return
		}
		dir, err := os.MkdirTemp("", "fit-ci-tests-")
		if err != nil {
			engine.err = err
			return
		}
		engine.dir = dir
		engine.zips = map[fixture.Variant]fixture.Artifact{}
		for _, v := range []fixture.Variant{fixture.Healthy, fixture.NotAZip} {
			a, err := fixture.Build(dir, fixture.Options{Version: fixtureVersion, Variant: v})
			if err != nil {
				engine.err = err
				return
			}
			engine.zips[v] = a
		}
		if engine.baseURL, engine.stopHTTP, err = fixture.Serve(dir, "127.0.0.1:0"); err != nil {
			engine.err = err
			return
		}
		engine.client, engine.err = dagger.Connect(context.Background(), dagger.WithLogOutput(os.Stderr))
	})
	if engine.skip != "" {
		t.Skip(engine.skip)
	}
	require.NoError(t, engine.err, "engine test set-up")
}

// fixtureURL is the served zip of a variant, laid out like a GitHub release download.
func fixtureURL(v fixture.Variant) string {
	prefix := ""
	if v != fixture.Healthy {
		prefix = "/" + string(v)
	}
	return engine.baseURL + prefix + "/ModelEngine-Group/fit-framework/releases/download/v" + fixtureVersion + "/" + fixtureVersion + ".zip"
}

// runJob runs `go run ./ci ARGS` in-process in Actions mode and returns the exit status, stdout,
// stderr, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
func runJob(t *testing.T, args ...string) (code int, stdout, stderr, output, summary string) {
	t.Helper()
	outFile, sumFile := ghaFiles(t)
	var so, se bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	connect := func(context.Context) (*dagger.Client, error) { return engine.client, nil }
	start := time.Now()
	code = run(ctx, args, os.Getenv, connect, &so, &se)
	t.Logf("go run ./ci %s → exit %d (%.1fs)", strings.Join(args, " "), code, time.Since(start).Seconds())
	return code, so.String(), se.String(), read(t, outFile), read(t, sumFile)
}

func TestEngineE2E(t *testing.T) {
	needEngine(t)
	code, stdout, stderr, output, summary := runJob(t, "e2e", "--os", "debian", "--version", fixtureVersion, "--artifact", engine.zips[fixture.Healthy].Path)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr tail:\n%s", stdout, tailLines(stderr, 40))
	assert.Contains(t, output, heredoc("os", "debian")+heredoc("version", "3.6.0")+heredoc("result", "passed"))
	assert.Regexp(t, `duration<<`+ghaDelimiter+`\n[0-9]+\.[0-9]s\n`, output)
	assert.Contains(t, summary, "### e2e: FIT 3.6.0 on debian — ✅ passed in ")
	assert.Contains(t, summary, "| Step | Result | Time | Detail |")
	for _, step := range []string{"| start registry | PASS |", "| build | PASS |", "| push | PASS |", "| pull | PASS |"} {
		assert.Contains(t, summary, step)
	}
	assert.NotContains(t, summary, "FAIL")
	assert.Contains(t, stdout, "::group::Dagger: e2e of FIT 3.6.0 on debian")
	assert.NotContains(t, stdout, "::error")
}

func TestEngineBuildAll(t *testing.T) {
	needEngine(t)
	code, stdout, stderr, output, summary := runJob(t, "build-all", "--version", fixtureVersion, "--os", "debian",
		"--registry", "registry.example.com/fit", "--artifact", engine.zips[fixture.Healthy].Path)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr tail:\n%s", stdout, tailLines(stderr, 40))
	assert.Contains(t, output, heredoc("tags", `{"debian":["registry.example.com/fit/fit-framework:3.6.0-debian","registry.example.com/fit/fit-framework:3.6-debian","registry.example.com/fit/fit-framework:debian","registry.example.com/fit/fit-framework:latest-debian"]}`))
	assert.Contains(t, output, heredoc("digests", `{"debian":""}`), "nothing pushed without --push")
	assert.Regexp(t, `sizes<<`+ghaDelimiter+`\n\{"debian":[1-9][0-9]{6,}\}\n`, output)
	assert.Contains(t, output, heredoc("result", "passed"))
	assert.Contains(t, summary, "| debian | `registry.example.com/fit/fit-framework:3.6.0-debian`")
	assert.Contains(t, summary, "✅ all 1 passed")
}

// Publish to the test bed's registry (localhost:5000, plain HTTP for the engine) when there is one,
// then the release check must see that version as published there.
func TestEnginePublishThenAlreadyPublished(t *testing.T) {
	needEngine(t)
	resp, err := http.Get("http://127.0.0.1:5000/v2/")
	if err != nil {
		t.Skipf("no local registry at 127.0.0.1:5000 (the test bed's): %v", err)
	}
	resp.Body.Close()
	prefix := fmt.Sprintf("localhost:5000/ci-test-%d/", time.Now().UnixNano())
	code, stdout, stderr, output, summary := runJob(t, "publish", "--os", "debian", "--version", fixtureVersion,
		"--registry", prefix, "--artifact", engine.zips[fixture.Healthy].Path)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr tail:\n%s", stdout, tailLines(stderr, 40))
	assert.Contains(t, output, heredoc("image", prefix+"fit-framework"))
	assert.Contains(t, output, heredoc("tags", strings.Join([]string{
		prefix + "fit-framework:3.6.0-debian", prefix + "fit-framework:3.6-debian", prefix + "fit-framework:debian", prefix + "fit-framework:latest-debian",
	}, "\n")))
	assert.Regexp(t, `digest<<`+ghaDelimiter+`\nsha256:[0-9a-f]{64}\n`, output)
	assert.Contains(t, summary, "### publish: FIT 3.6.0 on debian → `"+prefix+"fit-framework`")

	tl, err := listTags(context.Background(), newRegistryClient(), mustRegistry(t, prefix), nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"3.6.0-debian", "3.6-debian", "debian", "latest-debian"}, tl.Tags)
}

func TestEngineReleaseCheck(t *testing.T) {
	needEngine(t)
	healthy := engine.zips[fixture.Healthy]
	readme := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(readme, []byte("docker pull modelengine/fit-framework:3.6.0-debian\n"), 0o644))
	reg := &fakeRegistry{repo: "fit/fit-framework", tags: []string{"3.5.0-debian", "debian"}}
	registry := string(reg.start(t))

	t.Run("passes", func(t *testing.T) {
		code, stdout, stderr, output, summary := runJob(t, "release-check", "--version", fixtureVersion, "--os", "debian",
			"--registry", registry, "--url", fixtureURL(fixture.Healthy), "--checksum", "sha256:"+healthy.SHA256, "--readme", readme)
		require.Equal(t, 0, code, "summary:\n%s\nstdout:\n%s\nstderr tail:\n%s", summary, stdout, tailLines(stderr, 40))
		assert.Contains(t, output, heredoc("result", "passed")+heredoc("version", "3.6.0")+heredoc("failed", ""))
		for _, item := range []string{
			"| ✅ | version well-formed |", "| ✅ | not yet published | " + strings.TrimSuffix(registry, "/") + "/fit-framework has 2 tags, none of 3.6.0-debian |",
			"| ➖ | registry credentials ready | not checked", "| ✅ | artifact reachable | downloaded " + fixtureURL(fixture.Healthy),
			"| ✅ | artifact checksum | verified sha256:" + healthy.SHA256, "| ✅ | debian: builds |", "| ✅ | debian: structure checks | all ",
			"| ✅ | debian: compressed size < 1.5 GB |", "| ✅ | debian: e2e (registry push/pull, healthcheck, plugins) |",
			"| ✅ | README version references | all 1 references",
			"**✅ PASSED: 9 of 10 items passed, 1 skipped**", "<details><summary>e2e steps: debian</summary>",
		} {
			assert.Contains(t, summary, item)
		}
		assert.Contains(t, stdout, "✅ debian: e2e", "the checklist is printed to the log as well")
	})

	t.Run("broken artifact", func(t *testing.T) {
		code, _, stderr, output, summary := runJob(t, "release-check", "--version", fixtureVersion, "--os", "debian",
			"--url", fixtureURL(fixture.NotAZip), "--readme", readme)
		require.Equal(t, 1, code, summary)
		assert.Contains(t, output, heredoc("result", "failed"))
		assert.Contains(t, output, heredoc("failed", "debian: builds"))
		assert.Contains(t, summary, "| ➖ | artifact checksum | not verified: no checksum")
		assert.Contains(t, summary, "| ❌ | debian: builds | the FIT 3.6.0 artifact is not a valid zip")
		assert.Contains(t, summary, "| ➖ | debian: e2e (registry push/pull, healthcheck, plugins) | not run: the image did not build |")
		assert.Contains(t, summary, "**❌ FAILED: 1 of 10 items failed")
		assert.Contains(t, stderr, "ci release-check: FAILED:")
	})

	t.Run("checksum mismatch", func(t *testing.T) {
		code, _, _, output, summary := runJob(t, "release-check", "--version", fixtureVersion, "--os", "debian",
			"--url", fixtureURL(fixture.Healthy), "--checksum", strings.Repeat("0", 64), "--readme", readme)
		require.Equal(t, 1, code, summary)
		assert.Contains(t, output, heredoc("failed", "artifact checksum"))
		assert.Contains(t, summary, "| ❌ | artifact checksum | checksum mismatch for the FIT "+fixtureVersion+" zip from "+fixtureURL(fixture.Healthy)+": expected sha256:"+strings.Repeat("0", 64)+" (from --checksum), got sha256:"+healthy.SHA256)
		assert.Contains(t, summary, "| ➖ | debian: builds | not run: the artifact is unusable |")
	})

	t.Run("over the size budget", func(t *testing.T) {
		code, stdout, _, output, summary := runJob(t, "release-check", "--version", fixtureVersion, "--os", "debian",
			"--artifact", healthy.Path, "--checksum", healthy.SHA256, "--size-budget", "1MB", "--readme", readme)
		require.Equal(t, 1, code, summary)
		assert.Contains(t, output, heredoc("failed", "debian: compressed size < 1 MB"))
		assert.Regexp(t, `\| ❌ \| debian: compressed size < 1 MB \| [0-9.]+ MB compressed, over the budget of 1 MB \|`, summary)
		assert.Contains(t, summary, "| ✅ | debian: e2e (registry push/pull, healthcheck, plugins) |", "the other items still run")
		assert.Contains(t, summary, "| ✅ | artifact reachable | local file "+healthy.Path)
		assert.Contains(t, stdout, "::error title=release-check%3A debian%3A compressed size < 1 MB::")
	})
}

func mustRegistry(t *testing.T, s string) release.Registry {
	t.Helper()
	r, err := parseRegistry(s)
	require.NoError(t, err)
	return r
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// needRegistry skips unless the test bed's registry (localhost:5000, plain HTTP) answers.
func needRegistry(t *testing.T) {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:5000/v2/")
	if err != nil {
		t.Skipf("no local registry at 127.0.0.1:5000 (the test bed's): %v", err)
	}
	resp.Body.Close()
}

// registryJSON GETs a registry API path of the test bed's registry and decodes the answer; it
// returns the Docker-Content-Digest header too.
func registryJSON(t *testing.T, path string, v any) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:5000"+path, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", strings.Join([]string{mediaOCIIndex, mediaOCIManifest, mediaDockerList, mediaDockerManife}, ", "))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s", path)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
	return resp.Header.Get("Docker-Content-Digest")
}

// pushedImage reads the manifest and config of repo:tag (one platform, or the given one of an index).
func pushedImage(t *testing.T, repo, ref string, platform string) (manifest ociManifest, cfg ociConfig, digest string) {
	t.Helper()
	var raw struct {
		MediaType string          `json:"mediaType"`
		Manifests []ociDescriptor `json:"manifests"`
		ociManifest
	}
	digest = registryJSON(t, "/v2/"+repo+"/manifests/"+ref, &raw)
	if len(raw.Manifests) > 0 {
		for _, m := range raw.Manifests {
			if m.Platform != nil && m.Platform.OS+"/"+m.Platform.Architecture == platform {
				m2, cfg, _ := pushedImage(t, repo, m.Digest, "")
				return m2, cfg, digest
			}
		}
		t.Fatalf("%s:%s has no %s image", repo, ref, platform)
	}
	registryJSON(t, "/v2/"+repo+"/blobs/"+raw.Config.Digest, &cfg)
	return raw.ociManifest, cfg, digest
}

// The release flow: release-check exports the image it tested, publish pushes that very tarball
// (no build): the registry gets every tag, the tested layers byte for byte and FIT_VERSION; and a
// tarball changed after the check is refused.
func TestEngineReleaseCheckExportThenPublishTested(t *testing.T) {
	needEngine(t)
	needRegistry(t)
	healthy := engine.zips[fixture.Healthy]
	readme := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(readme, []byte("docker pull modelengine/fit-framework:3.6.0-debian\n"), 0o644))
	dir := filepath.Join(t.TempDir(), "images-out")
	tarball, manifest := filepath.Join(dir, "debian.tar"), filepath.Join(dir, "debian.json")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(tarball, []byte("stale tarball of an earlier run"), 0o644))

	code, stdout, stderr, output, summary := runJob(t, "release-check", "--version", fixtureVersion, "--os", "debian",
		"--artifact", healthy.Path, "--checksum", healthy.SHA256, "--readme", readme, "--export-dir", dir)
	require.Equal(t, 0, code, "summary:\n%s\nstdout:\n%s\nstderr tail:\n%s", summary, stdout, tailLines(stderr, 40))
	assert.Contains(t, output, heredoc("result", "passed")+heredoc("version", "3.6.0")+heredoc("failed", "")+
		heredoc("images", `{"debian":"`+tarball+`"}`))
	assert.Contains(t, summary, "| ✅ | debian: e2e (registry push/pull, healthcheck, plugins) |")
	assert.Regexp(t, `\| ✅ \| debian: exported \| `+regexp.QuoteMeta(tarball)+` \([0-9.]+ MB, linux/[a-z0-9]+, sha256:[0-9a-f]{64}\) and debian.json \|`, summary)
	assert.Contains(t, summary, "**✅ PASSED: 9 of 11 items passed, 2 skipped**")

	e, found, err := readExportedImage(manifest)
	require.NoError(t, err)
	require.True(t, found)
	sum, err := fileSHA256(tarball)
	require.NoError(t, err)
	st, err := os.Stat(tarball)
	require.NoError(t, err)
	assert.Equal(t, exportedImage{OS: "debian", Version: "3.6.0", Tags: []string{"3.6.0-debian", "3.6-debian", "debian", "latest-debian"},
		Platforms: e.Platforms, Tarball: "debian.tar", SHA256: sum, Size: st.Size()}, e, "the stale tarball was replaced")
	require.Len(t, e.Platforms, 1)
	tested, err := readOCITarball(tarball)
	require.NoError(t, err)
	require.Len(t, tested, 1)

	t.Run("publish the tested tarball", func(t *testing.T) {
		prefix := fmt.Sprintf("localhost:5000/ci-tested-%d/", time.Now().UnixNano())
		code, stdout, stderr, output, summary := runJob(t, "publish", "--os", "debian", "--version", fixtureVersion,
			"--registry", prefix, "--image-tar", tarball)
		require.Equal(t, 0, code, "stdout:\n%s\nstderr tail:\n%s", stdout, tailLines(stderr, 40))
		refs := []string{prefix + "fit-framework:3.6.0-debian", prefix + "fit-framework:3.6-debian", prefix + "fit-framework:debian", prefix + "fit-framework:latest-debian"}
		assert.Contains(t, output, heredoc("image", prefix+"fit-framework"))
		assert.Contains(t, output, heredoc("tags", strings.Join(refs, "\n")))
		assert.Regexp(t, `digest<<`+ghaDelimiter+`\nsha256:[0-9a-f]{64}\n`, output)
		assert.Contains(t, output, heredoc("result", "passed"))
		assert.Contains(t, summary, "Source: the tested image "+tarball+" ("+sum+", "+e.Platforms[0]+") matches debian.json")
		assert.NotContains(t, stdout, "debian: building", "nothing is built")

		var tl struct{ Tags []string }
		repo := strings.TrimPrefix(prefix, "localhost:5000/") + "fit-framework"
		registryJSON(t, "/v2/"+repo+"/tags/list", &tl)
		assert.ElementsMatch(t, []string{"3.6.0-debian", "3.6-debian", "debian", "latest-debian"}, tl.Tags)

		m, cfg, digest := pushedImage(t, repo, "3.6.0-debian", "")
		fv, ok := envValue(cfg.Config.Env, "FIT_VERSION")
		assert.True(t, ok)
		assert.Equal(t, "3.6.0", fv, "the pushed image's config has FIT_VERSION")
		var layers []string
		for _, l := range m.Layers {
			layers = append(layers, l.Digest)
		}
		assert.Equal(t, tested[0].Layers, layers, "the pushed layers are the tested ones, byte for byte")
		assert.Equal(t, tested[0].Annotations, m.Annotations, "the OCI annotations survive the import")
		for _, tag := range []string{"3.6-debian", "debian", "latest-debian"} {
			_, _, d := pushedImage(t, repo, tag, "")
			assert.Equal(t, digest, d, "%s is the same image as 3.6.0-debian", tag)
		}
	})

	t.Run("a tampered tarball is refused", func(t *testing.T) {
		tampered := filepath.Join(t.TempDir(), "debian.tar")
		copyFile(t, tarball, tampered, []byte("appended after the check"))
		copyFile(t, manifest, manifestPathFor(tampered), nil)
		prefix := fmt.Sprintf("localhost:5000/ci-tampered-%d/", time.Now().UnixNano())
		code, stdout, stderr, output, summary := runJob(t, "publish", "--os", "debian", "--version", fixtureVersion,
			"--registry", prefix, "--image-tar", tampered)
		require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", stdout, tailLines(stderr, 40))
		assert.Contains(t, output, heredoc("result", "failed"))
		assert.Contains(t, output, heredoc("digest", ""))
		assert.Contains(t, summary, "sha256 mismatch: debian.json records "+sum+", the tarball is sha256:")
		assert.Contains(t, stderr, "nothing was pushed")
		tl, err := listTags(context.Background(), newRegistryClient(), mustRegistry(t, prefix), nil)
		require.NoError(t, err)
		assert.False(t, tl.Exists, "nothing pushed: %v", tl.Tags)
	})
}

func copyFile(t *testing.T, from, to string, extra []byte) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.Create(to)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	_, err = out.Write(extra)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

// A multi-platform tarball (here two tiny images that need no emulation to make) keeps all its
// platforms through export, import and push: publish imports it once per platform.
func TestEngineMultiPlatformTarball(t *testing.T) {
	needEngine(t)
	needRegistry(t)
	ctx := context.Background()
	c := engine.client
	v, _ := release.ParseVersion(fixtureVersion)
	var variants []*dagger.Container
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		variants = append(variants, c.Container(dagger.ContainerOpts{Platform: dagger.Platform(p)}).
			WithNewFile("/platform", p).
			WithEnvVariable("FIT_VERSION", fixtureVersion).
			WithAnnotation("org.opencontainers.image.version", fixtureVersion))
	}
	dir := t.TempDir()
	e, err := exportImage(ctx, c, dir, "debian", v, variants)
	require.NoError(t, err)
	assert.Equal(t, []string{"linux/amd64", "linux/arm64"}, e.Platforms)
	tested, err := readOCITarball(filepath.Join(dir, "debian.tar"))
	require.NoError(t, err)

	prefix := fmt.Sprintf("localhost:5000/ci-multi-%d/", time.Now().UnixNano())
	code, stdout, stderr, output, _ := runJob(t, "publish", "--os", "debian", "--version", fixtureVersion,
		"--registry", prefix, "--image-tar", filepath.Join(dir, "debian.tar"))
	require.Equal(t, 0, code, "stdout:\n%s\nstderr tail:\n%s", stdout, tailLines(stderr, 40))
	assert.Contains(t, output, heredoc("result", "passed"))

	repo := strings.TrimPrefix(prefix, "localhost:5000/") + "fit-framework"
	for i, p := range []string{"linux/amd64", "linux/arm64"} {
		m, cfg, _ := pushedImage(t, repo, "3.6.0-debian", p)
		assert.Equal(t, strings.TrimPrefix(p, "linux/"), cfg.Architecture)
		fv, _ := envValue(cfg.Config.Env, "FIT_VERSION")
		assert.Equal(t, fixtureVersion, fv)
		require.Len(t, m.Layers, 1)
		assert.Equal(t, tested[i].Layers[0], m.Layers[0].Digest, "%s: the exported layer", p)
	}

	// a variant whose FIT_VERSION is not the version is not exported
	_, err = exportImage(ctx, c, t.TempDir(), "debian", v, []*dagger.Container{variants[0].WithEnvVariable("FIT_VERSION", "3.5.0")})
	assert.ErrorContains(t, err, "the linux/amd64 image is FIT 3.5.0")
}
