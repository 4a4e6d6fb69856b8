package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/dial"
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

// Reached through a route, the listing still follows only Link headers naming the server's own
// address: the caller's alias for it is not the address the server knows itself by.
func TestListReleasesThroughARoute(t *testing.T) {
	srv := releasesAPI(t, sample, nil)
	u, err := ParseAPIURL(srv.URL + "/repos/ModelEngine-Group/fit-framework/releases")
	require.NoError(t, err)
	hc := &http.Client{Transport: dial.Via(map[string]string{"api.invalid:80": u.Host})}
	alias, err := ParseAPIURL("http://api.invalid/repos/ModelEngine-Group/fit-framework/releases")
	require.NoError(t, err)
	_, err = ListReleases(context.Background(), hc, alias, "")
	assert.ErrorContains(t, err, "points at another server", "the server's own Link names its own address")
	rs, err := ListReleases(context.Background(), hc, u, "")
	require.NoError(t, err)
	assert.Len(t, rs, len(sample))
}
