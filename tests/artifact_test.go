package tests

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/tests/fixture"
)

// fakeReleaseByTag answers on loopback like GitHub's "get a release by tag" of FIT, under one
// repository path per answer: good (the fixture zip's digest), wrong (another digest), none (404).
func fakeReleaseByTag(t *testing.T, sum string) (port int) {
	t.Helper()
	mux := http.NewServeMux()
	for repo, digest := range map[string]string{"good": "sha256:" + sum, "wrong": "sha256:" + strings.Repeat("e", 64)} {
		mux.HandleFunc("/repos/"+repo+"/fit-framework/releases/tags/v"+version, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = json.NewEncoder(w).Encode(map[string]any{"tag_name": "v" + version, "assets": []map[string]any{
				{"name": version + ".tar.gz", "digest": "sha256:" + strings.Repeat("f", 64)},
				{"name": version + ".zip", "digest": digest},
			}})
		})
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// The release zip's sum comes from --checksum, else the pinned sums, else the GitHub release API;
// with none of them the artifact is refused, naming the three ways.
func TestCallArtifactChecksumSources(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	needEngine(t)
	a := zips[fixture.Healthy]
	st, err := os.Stat(a.Path)
	require.NoError(t, err)
	port := fakeReleaseByTag(t, a.SHA256)
	api := func(repo string) []string {
		return []string{"--api-url", fmt.Sprintf("http://localhost:%d/repos/%s/fit-framework/releases", port, repo),
			"--api-service", fmt.Sprintf("tcp://localhost:%d", port)}
	}
	pins := func(sum string) string {
		p := filepath.Join(t.TempDir(), "checksums.txt")
		require.NoError(t, os.WriteFile(p, []byte("# test pins\n3.6.1 sha256:"+strings.Repeat("1", 64)+"\n"+version+" sha256:"+sum+"\n"), 0o644))
		return p
	}
	artifact := func(extra ...string) (string, error) {
		return call(t, append(append([]string{"--url", releaseURL(fixture.Healthy), "artifact", "--version", version}, extra...), "size")...)
	}
	zero := strings.Repeat("0", 64)

	t.Run("no source", func(t *testing.T) {
		// pins without 3.6.0 (the repository's may pin the real zip one day), an API without the release
		empty := filepath.Join(t.TempDir(), "checksums.txt")
		require.NoError(t, os.WriteFile(empty, []byte("3.6.1 sha256:"+strings.Repeat("1", 64)+"\n"), 0o644))
		_, err := artifact(append(api("none"), "--checksums-file", empty)...)
		require.Error(t, err)
		for _, want := range []string{"no checksum for the FIT 3.6.0 release zip", "1. --checksum sha256:HEX",
			`2. a pinned sum: the line "3.6.0 sha256:HEX" in images/release/checksums.txt, which go run ./hack/pin 3.6.0 adds`,
			"(this run read --checksums-file instead, which has none)",
			"3. the GitHub release API's digest of asset 3.6.0.zip of release v3.6.0", "404 Not Found"} {
			assert.Contains(t, err.Error(), want)
		}
	})
	t.Run("pinned", func(t *testing.T) {
		out, err := artifact(append(api("none"), "--checksums-file", pins(a.SHA256))...)
		require.NoError(t, err)
		assert.Equal(t, st.Size(), mustInt(t, strings.TrimSpace(out)))
	})
	t.Run("pinned, wrong", func(t *testing.T) {
		_, err := artifact(append(api("good"), "--checksums-file", pins(zero))...)
		require.Error(t, err, "a pin wins over the API")
		assert.Contains(t, err.Error(), "checksum mismatch for the FIT 3.6.0 zip from "+releaseURL(fixture.Healthy))
		assert.Contains(t, err.Error(), "expected sha256:"+zero+" (from the pinned sums (--checksums-file)), got sha256:"+a.SHA256)
	})
	t.Run("API", func(t *testing.T) {
		out, err := artifact(api("good")...)
		require.NoError(t, err)
		assert.Equal(t, st.Size(), mustInt(t, strings.TrimSpace(out)))
	})
	t.Run("API, wrong", func(t *testing.T) {
		_, err := artifact(api("wrong")...)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "expected sha256:"+strings.Repeat("e", 64)+" (from the GitHub release API (asset digest)), got sha256:"+a.SHA256)
	})
	t.Run("--checksum first", func(t *testing.T) {
		_, err := artifact(append(api("good"), "--checksum", zero)...)
		require.Error(t, err, "--checksum wins over the API")
		assert.Contains(t, err.Error(), "expected sha256:"+zero+" (from --checksum), got sha256:"+a.SHA256)
	})
}

// On the release path (a push) the zip is verified before anything is built; elsewhere --checksum
// verifies a local --artifact too, and without one the output says the zip is not verified.
func TestCallReleasePathNeedsVerifiedArtifact(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	reg := os.Getenv("FIT_TESTBED_REGISTRY")
	if reg == "" {
		t.Skip("FIT_TESTBED_REGISTRY unset: the push target is the test bed's loopback registry (hack/testbed env)")
	}
	zip := zips[fixture.Healthy]
	zero := strings.Repeat("0", 64)
	ns := fmt.Sprintf("unverified%d", time.Now().UnixNano())
	nothingPushed := func(t *testing.T) {
		resp, err := http.Get("http://" + strings.Replace(reg, "localhost", "127.0.0.1", 1) + "/v2/" + ns + "/fit-framework/tags/list")
		require.NoError(t, err)
		_ = resp.Body.Close() // only the status matters
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "nothing may be pushed")
	}

	t.Run("wrong sum fails before building", func(t *testing.T) {
		start := time.Now()
		_, err := call(t, "--registry", reg+"/"+ns+"/", "--registry-service", "tcp://"+reg, "--artifact", zip.Path, "--checksum", zero,
			"build-all", "--os", "debian", "--push")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "checksum mismatch for the FIT 3.6.0 zip given with --artifact: expected sha256:"+zero+" (from --checksum), got sha256:"+zip.SHA256)
		assert.NotContains(t, err.Error(), "build-all:", "no build ran, so there is no summary")
		t.Logf("refused after %s", time.Since(start).Round(time.Second))
		nothingPushed(t)
	})
	t.Run("no --checksum on publish", func(t *testing.T) {
		// no pin for the fixture; the GitHub API is out of reach on the test bed (then the error lists
		// the three sources) or, with internet, gives the real zip's digest, which the fixture is not
		_, err := call(t, "--registry", reg+"/"+ns+"/", "--registry-service", "tcp://"+reg, "--artifact", zip.Path, "publish", "--os", "debian")
		require.Error(t, err)
		assert.Regexp(t, `no checksum for the FIT 3\.6\.0 release zip|expected sha256:[0-9a-f]{64} \(from the GitHub release API`, err.Error())
		nothingPushed(t)
	})
	t.Run("--checksum verifies a local --artifact", func(t *testing.T) {
		_, err := call(t, "--artifact", zip.Path, "--checksum", zero, "build", "--os", "debian", "with-exec", "--args", "true", "stdout")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "checksum mismatch for the FIT 3.6.0 zip given with --artifact")
	})
	t.Run("check says whether it is verified", func(t *testing.T) {
		out, err := call(t, "--artifact", zip.Path, "--checksum", zip.SHA256, "check", "--os", "debian")
		require.NoError(t, err)
		assert.Contains(t, out, "artifact: FIT 3.6.0 zip verified, sha256:"+zip.SHA256+" (from --checksum)")
		out, err = call(t, "--artifact", zip.Path, "check", "--os", "debian")
		require.NoError(t, err)
		assert.Contains(t, out, "artifact: FIT 3.6.0 zip not verified (no --checksum)")
	})
}

// A build step that fails reports the failed command and the tail of its stderr, where the cause is,
// not only the engine's "exit code: N". The mirror is on a closed port, so apt finds no package.
func TestCallFailingStepShowsStderr(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	needEngine(t)
	broken := []string{"--artifact", zips[fixture.Healthy].Path, "--apt-mirror", "http://127.0.0.1:9/debian"} // the module's flags
	_, err := call(t, append(broken, "check", "--os", "debian")...)
	require.Error(t, err)
	assert.Regexp(t, "check: the image does not build: command `sh -c .*` exited with code 100; its stderr:\n", err.Error())
	assert.Contains(t, err.Error(), "  | E: Unable to locate package openjdk-17-jre-headless")

	_, err = call(t, append(broken, "build-all", "--os", "debian")...)
	require.Error(t, err)
	assert.Regexp(t, "(?m)^debian .* FAILED: build failed: command `sh -c .*` exited with code 100; its stderr:$", err.Error(), "the table row has the first line")
	assert.Regexp(t, "(?m)^debian: build failed: command .*\n(  \\| .*\n)*  \\| E: Unable to locate package openjdk-17-jre-headless", err.Error(), "the whole of it below the table")
}
