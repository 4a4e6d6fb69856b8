package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/release"
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

// The listing as GitHub answers it: newest first, with a draft, a pre-release flagged by
// GitHub, one only named like one, a duplicate and a tag that is no version.
var sample = []Release{
	{TagName: "v3.7.0-rc.1", Prerelease: true},
	{TagName: "v3.7.0", Draft: true},
	{TagName: "v3.6.2-SNAPSHOT"},
	{TagName: "v3.6.1"},
	{TagName: "nightly"},
	{TagName: "v3.6.0"},
	{TagName: "3.6.0"},
	{TagName: "v3.5.9"},
}

func TestFinals(t *testing.T) {
	finals, skipped := Finals(sample, v(t, "3.6.0"))
	assert.Equal(t, []string{"3.6.0", "3.6.1"}, strs(finals))
	assert.Equal(t, []string{"nightly"}, skipped)

	finals, _ = Finals(sample, v(t, "0.0.0"))
	assert.Equal(t, []string{"3.5.9", "3.6.0", "3.6.1"}, strs(finals))
	finals, _ = Finals(sample, v(t, "3.6.2"))
	assert.Empty(t, finals)
}

func TestCompare(t *testing.T) {
	vs := []release.Version{v(t, "3.6.10"), v(t, "3.6.1"), v(t, "3.6.0"), v(t, "3.6.2")}
	oses := []string{"alpine", "debian"}
	tags := []string{"3.6.0-debian", "3.6-debian", "debian", "3.6.1-alpine", "3.6.1-debian", "3.6.2-debian-old", "latest-alpine"}
	got := Compare(vs, oses, tags, 0)
	assert.Equal(t, "3.6.0 alpine\n3.6.2 alpine\n3.6.2 debian\n3.6.10 alpine\n3.6.10 debian\n", Text(got), "oldest first, floating tags do not count")
	assert.Equal(t, []MatrixEntry{{"3.6.0", "alpine", ""}, {"3.6.2", "alpine,debian", ""}}, Matrix(Compare(vs, oses, tags, 2)), "the bound keeps the oldest versions")
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
	assert.Equal(t, []MatrixEntry{{"3.6.0", "alpine,debian", "debian"}}, Matrix([]Missing{m}))
	assert.Empty(t, Rebuild(v(t, "3.6.1"), []string{"debian"}, tags).Republish, "nothing published: a plain release")

	vs := []release.Version{v(t, "3.6.0"), v(t, "3.6.1"), v(t, "3.6.2")}
	assert.Equal(t, []string{"3.6.0", "3.6.2"}, strs(Without(vs, []release.Version{v(t, "v3.6.1"), v(t, "3.9.9")})))
	assert.Equal(t, strs(vs), strs(Without(vs, nil)))
}

func TestNextPage(t *testing.T) {
	cur, _ := url.Parse("https://api.github.com/repos/o/r/releases?per_page=100")
	next, err := NextPage(`<https://api.github.com/repositories/1/releases?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/releases?per_page=100&page=4>; rel="last"`, cur)
	require.NoError(t, err)
	assert.Equal(t, "https://api.github.com/repositories/1/releases?per_page=100&page=2", next.String())
	next, err = NextPage(`<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=1>; rel="first"`, cur)
	require.NoError(t, err)
	assert.Nil(t, next)
	next, err = NextPage("", cur)
	require.NoError(t, err)
	assert.Nil(t, next)
}

// releasesAPI answers the GitHub "list releases" shape, 2 a page, newest first, with Link headers.
func releasesAPI(t *testing.T, rs []Release, auth *[]string) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth != nil {
			*auth = append(*auth, r.Header.Get("Authorization"))
		}
		if r.URL.Path != "/repos/ModelEngine-Group/fit-framework/releases" {
			http.NotFound(w, r)
			return
		}
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			if _, err := fmt.Sscan(p, &page); err != nil {
				http.Error(w, "bad page "+p, http.StatusBadRequest)
				return
			}
		}
		lo, hi := (page-1)*2, page*2
		if hi > len(rs) {
			hi = len(rs)
		}
		if hi < len(rs) {
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?per_page=2&page=%d>; rel="next", <%s%s?per_page=2&page=%d>; rel="last"`, srv.URL, r.URL.Path, page+1, srv.URL, r.URL.Path, (len(rs)+1)/2))
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rs[lo:hi])
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestListReleases(t *testing.T) {
	var auth []string
	srv := releasesAPI(t, sample, &auth)
	u, err := ParseAPIURL(srv.URL + "/repos/ModelEngine-Group/fit-framework/releases")
	require.NoError(t, err)
	rs, err := ListReleases(context.Background(), srv.Client(), u, "tok")
	require.NoError(t, err)
	assert.Equal(t, sample, rs, "every page, in order")
	assert.Len(t, auth, 4)
	for _, a := range auth {
		assert.Equal(t, "Bearer tok", a)
	}

	bad, _ := ParseAPIURL(srv.URL + "/repos/x/y/releases")
	_, err = ListReleases(context.Background(), srv.Client(), bad, "")
	assert.ErrorContains(t, err, "404 Not Found: check --api-url")

	plain, _ := ParseAPIURL("http://api.example.com/repos/x/y/releases")
	_, err = ListReleases(context.Background(), http.DefaultClient, plain, "tok")
	assert.ErrorContains(t, err, "refusing to send the token over plain http")

	for in, want := range map[string]string{"ftp://x/y": "must be an http(s) URL", "https://u:p@api.github.com/x": "must not carry credentials", "::": "malformed --api-url"} {
		_, err := ParseAPIURL(in)
		assert.ErrorContains(t, err, want, in)
	}
	d, err := ParseAPIURL("")
	require.NoError(t, err)
	assert.Equal(t, DefaultAPIURL, d.String())
}

// A next page on another server is not followed: the token would go there.
func TestListReleasesStaysOnItsHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<http://elsewhere.example.com/releases?page=2>; rel="next"`)
		_, _ = w.Write([]byte(`[{"tag_name":"v3.6.0"}]`))
	}))
	defer srv.Close()
	u, _ := ParseAPIURL(srv.URL + "/releases")
	_, err := ListReleases(context.Background(), srv.Client(), u, "tok")
	assert.ErrorContains(t, err, "points at another server")
}

func TestTagsList(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://") // 127.0.0.1:PORT: loopback, so plain http
	img, err := random.Image(64, 1)
	require.NoError(t, err)
	for _, tag := range []string{"3.6.0-debian", "debian"} {
		ref, err := name.NewTag(host+"/team/fit-framework:"+tag, name.Insecure)
		require.NoError(t, err)
		require.NoError(t, remote.Write(ref, img))
	}
	r, err := release.ParseRegistry(host + "/team")
	require.NoError(t, err)
	tags, err := Tags{Registry: r}.List(context.Background())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"3.6.0-debian", "debian"}, tags)

	empty, _ := release.ParseRegistry(host + "/nobody")
	tags, err = Tags{Registry: empty}.List(context.Background())
	require.NoError(t, err, "a repository that does not exist has no tags")
	assert.Empty(t, tags)

	// the same registry under another loopback name, dialled elsewhere as a service of the caller is
	named, _ := release.ParseRegistry("localhost:1/team")
	tags, err = Tags{Registry: named, Transport: DialVia(map[string]string{"localhost:1": host})}.List(context.Background())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"3.6.0-debian", "debian"}, tags)

	_, err = Tags{Registry: r, Username: "u"}.List(context.Background())
	assert.ErrorContains(t, err, "needs both --username and --password")
}

// A registry that names a token realm on another host does not get the credentials sent there.
func TestTagsCredentialsStayWithTheRegistry(t *testing.T) {
	var realmHits []string
	realm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		realmHits = append(realmHits, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"token":"t"}`))
	}))
	defer realm.Close()
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="reg"`, strings.Replace(realm.URL, "127.0.0.1", "localhost", 1)))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer reg.Close()
	r, _ := release.ParseRegistry(strings.TrimPrefix(reg.URL, "http://"))
	_, err := Tags{Registry: r, Username: "u", Password: "secret"}.List(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to send registry credentials to localhost:")
	for _, h := range realmHits {
		assert.Empty(t, h, "no credentials reached the other host")
	}
}

func TestIsLoopback(t *testing.T) {
	for h, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "[::1]": true, "127.1.2.3": true, "registry.localhost": true,
		"10.0.0.1": false, "registry.example.com": false, "localhost.example.com": false} {
		assert.Equal(t, want, IsLoopback(h), h)
	}
}

func TestDialVia(t *testing.T) {
	var auth []string
	srv := releasesAPI(t, sample, &auth)
	// the caller's name for the server (its Link headers name srv.URL, also routed) → where it really is
	u, _ := ParseAPIURL(srv.URL + "/repos/ModelEngine-Group/fit-framework/releases")
	hc := &http.Client{Transport: DialVia(map[string]string{"api.invalid:80": u.Host})}
	alias, _ := ParseAPIURL("http://api.invalid/repos/ModelEngine-Group/fit-framework/releases")
	assert.Equal(t, "api.invalid:80", HostPort(alias))
	assert.Equal(t, "api.github.com:443", HostPort(must(ParseAPIURL(""))))
	_, err := ListReleases(context.Background(), hc, alias, "")
	assert.ErrorContains(t, err, "points at another server", "the server's own Link names its own address")
	rs, err := ListReleases(context.Background(), hc, u, "")
	require.NoError(t, err)
	assert.Len(t, rs, len(sample))
}

func TestRegistryAddr(t *testing.T) {
	for prefix, want := range map[string]string{"localhost:5000/": "localhost:5000", "modelengine/": "docker.io:443",
		"registry.example.com/fit/": "registry.example.com:443", "localhost/x": "localhost:80", "[::1]:5000/": "[::1]:5000"} {
		r, err := release.ParseRegistry(prefix)
		require.NoError(t, err)
		assert.Equal(t, want, RegistryAddr(r), prefix)
	}
}

func must(u *url.URL, err error) *url.URL {
	if err != nil {
		panic(err)
	}
	return u
}

// The whole question without an engine: the example, a loopback API holding 3.5.9,
// 3.6.0, 3.6.1 and 3.7.0-rc.1 and a registry holding only 3.6.0-debian, floor 3.6.0.
func TestQueryRun(t *testing.T) {
	api := releasesAPI(t, []Release{{TagName: "v3.7.0-rc.1", Prerelease: true}, {TagName: "v3.6.1"}, {TagName: "v3.6.0"}, {TagName: "v3.5.9"}}, nil)
	reg := httptest.NewServer(registry.New())
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	img, err := random.Image(64, 1)
	require.NoError(t, err)
	ref, err := name.NewTag(host+"/fit-framework:3.6.0-debian", name.Insecure)
	require.NoError(t, err)
	require.NoError(t, remote.Write(ref, img))

	r, _ := release.ParseRegistry(host)
	q := Query{Registry: r, OSes: []string{"alpine", "debian"}, Floor: v(t, "3.6.0"),
		API: must(ParseAPIURL(api.URL + "/repos/ModelEngine-Group/fit-framework/releases"))}
	ms, err := q.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "3.6.0 alpine\n3.6.1 alpine\n3.6.1 debian\n", Text(ms))

	q.Version, q.Rebuild = v(t, "3.6.0"), true
	ms, err = q.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []MatrixEntry{{"3.6.0", "alpine,debian", "debian"}}, Matrix(ms))
}
