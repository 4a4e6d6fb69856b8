package missing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/stale"
	"dagger/fit-images/images/upstream"
)

func v(t *testing.T, s string) release.Version {
	t.Helper()
	x, err := release.ParseVersion(s)
	require.NoError(t, err)
	return x
}

func strs(vs []release.Version) []string {
	out := make([]string, len(vs))
	for i, x := range vs {
		out[i] = x.String()
	}
	return out
}

func TestCompare(t *testing.T) {
	vs := []release.Version{v(t, "3.6.10"), v(t, "3.6.1"), v(t, "3.6.0"), v(t, "3.6.2")}
	oses := []string{"alpine", "debian"}
	tags := []string{"3.6.0-debian", "3.6-debian", "debian", "3.6.1-alpine", "3.6.1-debian", "3.6.2-debian-old", "latest-alpine"}
	got := Compare(vs, oses, tags, 0)
	assert.Equal(t, "3.6.0 alpine\n3.6.2 alpine\n3.6.2 debian\n3.6.10 alpine\n3.6.10 debian\n", Text(got), "oldest first, floating tags do not count")
	assert.Equal(t, []MatrixEntry{{"3.6.0", "alpine", "", ""}, {"3.6.2", "alpine,debian", "", ""}}, Matrix(Compare(vs, oses, tags, 2)), "the bound keeps the oldest versions")
	assert.Empty(t, Compare(vs, []string{"debian"}, append(tags, "3.6.2-debian", "3.6.10-debian"), 0))
	assert.Equal(t, "", Text(nil))
	b, err := json.Marshal(Matrix(nil))
	require.NoError(t, err)
	assert.Equal(t, "[]", string(b), "nothing missing is an empty matrix, not null")

	_, err = ParseLimit(-1)
	assert.ErrorContains(t, err, "--limit -1 is negative")
}

func TestRebuildAndWithout(t *testing.T) {
	tags := []string{"3.6.0-debian", "alpine"}
	m := Rebuild(v(t, "3.6.0"), []string{"alpine", "debian"}, tags)
	assert.Equal(t, "3.6.0 alpine\n3.6.0 debian (published: rebuilt and pushed again)\n", Text([]Missing{m}))
	assert.Equal(t, []MatrixEntry{{"3.6.0", "alpine,debian", "debian", ""}}, Matrix([]Missing{m}))
	assert.Empty(t, Rebuild(v(t, "3.6.1"), []string{"debian"}, tags).Republish, "nothing published: a plain release")

	vs := []release.Version{v(t, "3.6.0"), v(t, "3.6.1"), v(t, "3.6.2")}
	assert.Equal(t, []string{"3.6.0", "3.6.2"}, strs(Without(vs, []release.Version{v(t, "v3.6.1"), v(t, "3.9.9")})))
	assert.Equal(t, strs(vs), strs(Without(vs, nil)))
}

// The whole question without an engine: the example, a loopback API holding 3.5.9,
// 3.6.0, 3.6.1 and 3.7.0-rc.1 and a registry holding only 3.6.0-debian, floor 3.6.0.
func TestQueryRun(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`[{"tag_name":"v3.7.0-rc.1","prerelease":true},{"tag_name":"v3.6.1"},{"tag_name":"v3.6.0"},{"tag_name":"v3.5.9"}]`))
	}))
	defer api.Close()
	reg := httptest.NewServer(registry.New())
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	img, err := random.Image(64, 1)
	require.NoError(t, err)
	ref, err := name.NewTag(host+"/fit-framework:3.6.0-debian", name.Insecure)
	require.NoError(t, err)
	require.NoError(t, remote.Write(ref, img))

	r, err := release.ParseRegistry(host)
	require.NoError(t, err)
	apiURL, err := upstream.ParseAPIURL(api.URL + "/repos/ModelEngine-Group/fit-framework/releases")
	require.NoError(t, err)
	q := Query{Registry: r, OSes: []string{"alpine", "debian"}, Floor: v(t, "3.6.0"), API: apiURL}
	ms, err := q.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "3.6.0 alpine\n3.6.1 alpine\n3.6.1 debian\n", Text(ms))

	// the catch-up's question: the stale check gets the registry's tags, its stale images become
	// rebuild rows, and the limit counts both
	var gotTags []string
	q.Stale = func(_ context.Context, tags []string) ([]stale.Image, error) {
		gotTags = tags
		return []stale.Image{{Version: "3.6.0", OS: "debian", Stale: true, Reason: "no base digest recorded"}}, nil
	}
	q.Limit = 1
	ms, err = q.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"3.6.0-debian"}, gotTags)
	assert.Equal(t, []MatrixEntry{{"3.6.0", "alpine,debian", "debian", "debian: no base digest recorded"}}, Matrix(ms))
	q.Stale = func(context.Context, []string) ([]stale.Image, error) { return nil, errors.New("offline") }
	_, err = q.Run(context.Background())
	assert.EqualError(t, err, "offline", "a stale check that fails fails the listing: no silent skip")
	q.Stale, q.Limit = nil, 0

	q.Version, q.Rebuild = v(t, "3.6.0"), true
	ms, err = q.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []MatrixEntry{{"3.6.0", "alpine,debian", "debian", ""}}, Matrix(ms))
}
