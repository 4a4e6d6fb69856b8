package tests

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeReleasesAPI answers on loopback like GitHub's "list releases" of FIT: newest first, two a
// page, Link headers naming the host the client asked for (as GitHub names itself). It records
// the Authorization header of every request.
func fakeReleasesAPI(t *testing.T, tags map[string]bool) (port int, auth func() []string) {
	t.Helper()
	type rel struct {
		TagName    string `json:"tag_name"`
		Name       string `json:"name"`
		Draft      bool   `json:"draft"`
		Prerelease bool   `json:"prerelease"`
	}
	var rs []rel
	for _, tag := range []string{"v3.7.0-rc.1", "v3.6.1", "v3.6.0", "v3.5.9"} {
		rs = append(rs, rel{TagName: tag, Name: tag, Prerelease: tags[tag]})
	}
	var mu sync.Mutex
	var seen []string
	const path = "/repos/ModelEngine-Group/fit-framework/releases"
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			if _, err := fmt.Sscan(p, &page); err != nil {
				http.Error(w, "bad page "+p, http.StatusBadRequest)
				return
			}
		}
		lo, hi := min((page-1)*2, len(rs)), min(page*2, len(rs))
		if hi < len(rs) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?per_page=2&page=%d>; rel="next"`, r.Host, path, page+1))
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(rs[lo:hi])
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().(*net.TCPAddr).Port, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// missing-releases against a loopback API holding 3.5.9, 3.6.0, 3.6.1 and 3.7.0-rc.1 and the test
// bed's registry holding only 3.6.0-debian (and floating tags, which do not count): with the
// floor at 3.6.0 the answer is 3.6.1 for debian, 3.6.0 and 3.6.1 for alpine, oldest first.
func TestCallMissingReleases(t *testing.T) {
	reg := os.Getenv("FIT_TESTBED_REGISTRY")
	if reg == "" {
		t.Skip("FIT_TESTBED_REGISTRY unset: the registry compared with is the test bed's loopback registry (hack/testbed env)")
	}
	needEngine(t)
	port, auth := fakeReleasesAPI(t, map[string]bool{"v3.7.0-rc.1": true})
	// a namespace of this run only, holding 3.6.0-debian and the floating tags of 3.6.0
	ns := fmt.Sprintf("missing%d", time.Now().UnixNano())
	img, err := random.Image(256, 1)
	require.NoError(t, err)
	for _, tag := range []string{"3.6.0-debian", "3.6-debian", "debian", "3.6.1-debian-rc"} {
		ref, err := name.NewTag(reg+"/"+ns+"/fit-framework:"+tag, name.Insecure)
		require.NoError(t, err)
		require.NoError(t, remote.Write(ref, img), "push %s to the test bed registry", ref)
	}

	api := fmt.Sprintf("http://localhost:%d/repos/ModelEngine-Group/fit-framework/releases", port)
	common := []string{"--registry", reg + "/" + ns + "/", "--api-url", api, "--api-service", fmt.Sprintf("tcp://localhost:%d", port), "--registry-service", "tcp://" + reg, "missing-releases"}
	t.Setenv("FIT_TEST_GITHUB_TOKEN", "test-token-123")

	out, err := call(t, append(common, "--since", "3.6.0", "--token", "env:FIT_TEST_GITHUB_TOKEN")...)
	require.NoError(t, err)
	assert.Equal(t, "3.6.0 alpine\n3.6.1 alpine\n3.6.1 debian\n", out)
	seen := auth()
	assert.Len(t, seen, 2, "two pages of two releases")
	for _, a := range seen {
		assert.Equal(t, "Bearer test-token-123", a, "the token reached the API")
	}

	// the scheduled workflow's form: a matrix, at most one version
	out, err = call(t, append(common, "--limit", "1", "--format", "json")...)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"version":"3.6.0","os":"alpine"}]`, out)

	out, err = call(t, append(common, "--since", "3.5.0", "--os", "debian")...)
	require.NoError(t, err)
	assert.Equal(t, "3.5.9 debian\n3.6.1 debian\n", out, "a lower floor brings 3.5.9 in; never the pre-release")

	// a dispatched version is checked as given, pre-release included, without the API
	before := len(auth())
	out, err = call(t, append(common, "--version", "3.6.0")...)
	require.NoError(t, err)
	assert.Equal(t, "3.6.0 alpine\n", out)
	out, err = call(t, append(common, "--version", "3.6.0", "--os", "debian")...)
	require.NoError(t, err)
	assert.Empty(t, out, "3.6.0-debian is published: nothing to do")
	out, err = call(t, append(common, "--version", "v3.7.0-rc.1", "--format", "json")...)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"version":"3.7.0-rc.1","os":"alpine,debian"}]`, out)
	out, err = call(t, append(common, "--version", "3.6.0", "--rebuild", "--format", "json")...)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"version":"3.6.0","os":"alpine,debian","republish":"debian"}]`, out, "a rebuild says what is pushed again")
	assert.Equal(t, before, len(auth()), "--version does not ask the API")

	// the catch-up leaves out a version whose release is running
	out, err = call(t, append(common, "--skip-version", "3.6.0")...)
	require.NoError(t, err)
	assert.Equal(t, "3.6.1 alpine\n3.6.1 debian\n", out)
}

// The dispatch inputs are refused with the messages every other function gives, before any request.
func TestCallMissingReleasesBadInput(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--version", "3.6"}, `malformed version "3.6"`},
		{[]string{"--version", "v3.6.0;rm -rf /"}, `malformed version "v3.6.0;rm -rf /"`},
		{[]string{"--os", "windows"}, `unknown OS windows: supported are alpine, debian`},
		{[]string{"--since", "latest"}, `--since: malformed version "latest"`},
		{[]string{"--registry", "Registry.Example.com/fit/"}, "uppercase"},
		{[]string{"--limit", "-1"}, "--limit -1 is negative"},
		{[]string{"--api-url", "ftp://example.com/releases"}, "must be an http(s) URL"},
		{[]string{"--format", "yaml"}, `unknown --format "yaml"`},
		{[]string{"--rebuild"}, "--rebuild needs --version"},
		{[]string{"--version", "3.6.0", "--stale"}, "--stale goes with the catch-up's listing, not --version"},
		{[]string{"--skip-version", "3.6.x"}, `--skip-version: malformed version "3.6.x"`},
		// a function runs in the engine: the caller's loopback servers come as services
		{[]string{"--registry", "localhost:5000/"}, "localhost:5000 is on your machine, which a Dagger function does not see: add --registry-service tcp://localhost:5000"},
		{[]string{"--api-url", "http://127.0.0.1:8080/repos/o/r/releases"}, "add --api-service tcp://127.0.0.1:8080"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append([]string{"--registry", "registry.example.com/fit/", "missing-releases"}, c.args...)
			_, err := call(t, args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
