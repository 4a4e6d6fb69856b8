package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/tests/fixture"
)

// needTestbedRegistry skips loudly when the test bed's loopback registry (the engine's docker.io mirror,
// holding multi-platform bases) is not there.
func needTestbedRegistry(t *testing.T) string {
	t.Helper()
	needEngine(t)
	reg := os.Getenv("FIT_TESTBED_REGISTRY")
	if reg == "" {
		t.Skip("FIT_TESTBED_REGISTRY unset: these tests need the test bed's multi-platform mirror (hack/testbed env)")
	}
	return reg
}

// multiArchRepo is where TestCallBuildAllMultiArchPush pushes (one per run).
var multiArchRepo = fmt.Sprintf("multiarch%d", time.Now().UnixNano())

// arm64Calls are the `dagger call`s of the arm64 tests, started early (see startEarly): one build, which
// the other two reuse from the engine's cache.
func arm64Calls() []*earlyCall {
	reg := os.Getenv("FIT_TESTBED_REGISTRY")
	return []*earlyCall{
		{test: "TestCallBuildArm64", args: []string{"--artifact", zips[fixture.Healthy].Path,
			"build", "--os", "debian", "--platform", "linux/arm64", "with-exec", "--args", "sh,-c,uname -m; ls -d $JAVA_HOME; java -version 2>&1 | head -n1", "stdout"}},
		{test: "TestCallBuildAllMultiArchPush", args: []string{"--registry", reg + "/" + multiArchRepo + "/", "--registry-service", "tcp://" + reg, "--artifact", zips[fixture.Healthy].Path, "--checksum", zips[fixture.Healthy].SHA256,
			"build-all", "--os", "debian", "--platforms", "linux/amd64,linux/arm64", "--push"}},
		{test: "TestCallE2EArm64", args: []string{"--artifact", held.Path, "end-to-end", "--os", "debian", "--version", newest, "--platform", "linux/arm64"}},
	}
}

// An arm64 build runs arm64 (under QEMU on an amd64 host), with the arm64 JAVA_HOME.
func TestCallBuildArm64(t *testing.T) {
	needTestbedRegistry(t)
	out, err := awaitEarly(t)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Equal(t, "aarch64", lines[0])
	assert.Equal(t, "/usr/lib/jvm/java-17-openjdk-arm64", lines[1])
	assert.Contains(t, lines[2], `"17.`)
}

// A base without a variant for the platform is a clear error naming both, never a mislabelled image.
func TestBuildSingleArchBaseFails(t *testing.T) {
	needTestbedRegistry(t)
	deb, err := catalog.Lookup("debian")
	require.NoError(t, err)
	deb.BaseImage = "testbed/debian-amd64-only:12" // pushed by hack/testbed: the amd64 manifest alone
	arm, err := release.ParsePlatform("linux/arm64")
	require.NoError(t, err)
	_, err = pipeline.Build(context.Background(), client, pipeline.Options{
		OS: deb, Version: v360(t), Artifact: client.Host().File(zips[fixture.Healthy].Path), Platform: arm,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "base image testbed/debian-amd64-only:12 has no linux/arm64 variant")
	assert.Contains(t, err.Error(), "runs x86_64")
}

// build-all for two platforms smoke-tests both and pushes one index per tag listing both.
func TestCallBuildAllMultiArchPush(t *testing.T) {
	reg := needTestbedRegistry(t)
	repo := multiArchRepo
	out, err := awaitEarly(t)
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^debian\s+.*\s+ok$`, out)
	host := "http://" + strings.Replace(reg, "localhost", "127.0.0.1", 1)
	for _, tag := range []string{"3.6.0-debian", "debian"} {
		req, err := http.NewRequest("GET", host+"/v2/"+repo+"/fit-framework/manifests/"+tag, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var idx struct {
			MediaType string
			Manifests []struct {
				Platform struct{ OS, Architecture string }
			}
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&idx))
		_ = resp.Body.Close() // read only: nothing to lose
		var plats []string
		for _, m := range idx.Manifests {
			plats = append(plats, m.Platform.OS+"/"+m.Platform.Architecture)
		}
		assert.Contains(t, idx.MediaType, "index", tag)
		assert.ElementsMatch(t, []string{"linux/amd64", "linux/arm64"}, plats, tag)
	}
}

// The test bed's debian:12-slim carries the official slim configuration, so what is measured here is what
// users get: no apt binary caches, no docs but copyright files.
func TestDebianImageIsSlim(t *testing.T) {
	needTestbedRegistry(t)
	out, err := call(t, "--artifact", zips[fixture.Healthy].Path,
		"build", "--os", "debian", "with-exec", "--args", "sh,-c,ls /var/cache/apt/*.bin 2>/dev/null; find /usr/share/doc -type f ! -name copyright; echo end", "stdout")
	require.NoError(t, err)
	assert.Equal(t, "end", strings.TrimSpace(out), "apt caches or docs left in the image")
}

// The whole e2e flow on the arm64 image, emulated: push, pull, run, health, plugins, dynamic plugin.
func TestCallE2EArm64(t *testing.T) {
	needTestbedRegistry(t)
	out, err := awaitEarly(t)
	require.NoError(t, err)
	t.Log(out)
	for _, step := range []string{"push", "pull", "wait until healthy", "plugins endpoint", "health endpoint", "dynamic plugin", "fit version"} {
		assert.Regexp(t, `(?m)^`+step+`\s+PASS\s+`, out)
	}
}
