package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dagger.io/dagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/release"
)

func TestRegistryAPI(t *testing.T) {
	cases := map[string][2]string{
		"modelengine/":              {"https://registry-1.docker.io", "modelengine/fit-framework"},
		"localhost:5000/":           {"http://localhost:5000", "fit-framework"},
		"127.0.0.1:15000/team/":     {"http://127.0.0.1:15000", "team/fit-framework"},
		"registry.example.com/fit/": {"https://registry.example.com", "fit/fit-framework"},
		"ghcr.io/org/sub/":          {"https://ghcr.io", "org/sub/fit-framework"},
		"docker.io/":                {"https://registry-1.docker.io", "library/fit-framework"},
	}
	for in, want := range cases {
		r, err := release.ParseRegistry(in)
		require.NoError(t, err)
		base, repo := registryAPI(r)
		assert.Equal(t, want, [2]string{base, repo}, in)
	}
}

// fakeRegistry serves /v2/<repo>/tags/list with the given tags (two per page), behind the given auth.
type fakeRegistry struct {
	repo, auth, user, pass string // auth: "", "basic" or "bearer"
	tags                   []string
	missing                bool
	tokenRequests          int
	srv                    *httptest.Server
}

func (f *fakeRegistry) start(t *testing.T) release.Registry {
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	r, err := release.ParseRegistry(strings.TrimPrefix(f.srv.URL, "http://") + "/" + strings.TrimSuffix(f.repo, release.ImageName))
	require.NoError(t, err)
	return r
}

func (f *fakeRegistry) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		f.tokenRequests++
		u, p, ok := r.BasicAuth()
		if f.user != "" && (!ok || u != f.user || p != f.pass) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("scope") != "repository:"+f.repo+":pull" || r.URL.Query().Get("service") != "fake" {
			http.Error(w, "bad scope "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, `{"token":"T0K"}`)
		return
	}
	authed := true
	switch f.auth {
	case "basic":
		u, p, ok := r.BasicAuth()
		authed = ok && u == f.user && p == f.pass
		if !authed {
			w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
		}
	case "bearer":
		authed = r.Header.Get("Authorization") == "Bearer T0K"
		if !authed {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="fake",scope="repository:%s:pull"`, f.srv.URL, f.repo))
		}
	}
	if !authed {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		return
	}
	if r.URL.Path != "/v2/"+f.repo+"/tags/list" || f.missing {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}`)
		return
	}
	start := 0
	if last := r.URL.Query().Get("last"); last != "" {
		for i, tg := range f.tags {
			if tg == last {
				start = i + 1
			}
		}
	}
	end := min(start+2, len(f.tags))
	if end < len(f.tags) {
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=2&last=%s>; rel="next"`, f.repo, f.tags[end-1]))
	}
	fmt.Fprintf(w, `{"name":%q,"tags":["%s"]}`, f.repo, strings.Join(f.tags[start:end], `","`))
}

func TestListTags(t *testing.T) {
	ctx := context.Background()
	hc := newRegistryClient()
	creds := &Credentials{Username: "ci", Password: newSecret("pw")}

	t.Run("open, paginated", func(t *testing.T) {
		f := &fakeRegistry{repo: "team/fit-framework", tags: []string{"3.5.0-alpine", "3.5.0-debian", "3.6.0-alpine", "3.6.0-debian", "debian"}}
		tl, err := listTags(ctx, hc, f.start(t), nil)
		require.NoError(t, err)
		assert.True(t, tl.Exists)
		assert.Equal(t, f.tags, tl.Tags)
		assert.False(t, tl.LoggedIn)
	})
	t.Run("missing repository", func(t *testing.T) {
		f := &fakeRegistry{repo: "fit-framework", missing: true}
		tl, err := listTags(ctx, hc, f.start(t), nil)
		require.NoError(t, err)
		assert.False(t, tl.Exists)
	})
	t.Run("bearer, anonymous", func(t *testing.T) {
		f := &fakeRegistry{repo: "fit-framework", auth: "bearer", tags: []string{"3.6.0-debian"}}
		tl, err := listTags(ctx, hc, f.start(t), nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"3.6.0-debian"}, tl.Tags)
		assert.Equal(t, 1, f.tokenRequests)
	})
	t.Run("bearer with login", func(t *testing.T) {
		f := &fakeRegistry{repo: "fit-framework", auth: "bearer", user: "ci", pass: "pw", tags: []string{"x"}}
		tl, err := listTags(ctx, hc, f.start(t), creds)
		require.NoError(t, err)
		assert.True(t, tl.LoggedIn)
		bad := &Credentials{Username: "ci", Password: newSecret("wrong")}
		_, err = listTags(ctx, hc, f.start(t), bad)
		var ae authError
		require.ErrorAs(t, err, &ae)
		assert.NotContains(t, err.Error(), "wrong", "the password is never in a message")
	})
	t.Run("basic", func(t *testing.T) {
		f := &fakeRegistry{repo: "fit-framework", auth: "basic", user: "ci", pass: "pw", tags: []string{"x"}}
		r := f.start(t)
		tl, err := listTags(ctx, hc, r, creds)
		require.NoError(t, err)
		assert.True(t, tl.LoggedIn)
		_, err = listTags(ctx, hc, r, nil)
		var ae authError
		require.ErrorAs(t, err, &ae)
		assert.Contains(t, err.Error(), "--username")
		_, err = listTags(ctx, hc, r, &Credentials{Username: "ci", Password: newSecret("nope")})
		require.ErrorAs(t, err, &ae)
		assert.Contains(t, err.Error(), "refused the login of ci")
	})
	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		r, _ := release.ParseRegistry(addr + "/")
		_, err = listTags(ctx, hc, r, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is unreachable")
	})
	t.Run("server error", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) }))
		defer srv.Close()
		r, _ := release.ParseRegistry(strings.TrimPrefix(srv.URL, "http://"))
		_, err := listTags(ctx, hc, r, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "500")
	})
}

func TestCheckNotPublished(t *testing.T) {
	ctx := context.Background()
	v, _ := release.ParseVersion("3.6.0")
	oses, _ := selectOSes("", "")
	f := &fakeRegistry{repo: "fit-framework", tags: []string{"3.5.0-debian", "3.6.0-debian"}}
	r := f.start(t)
	it, _, _ := checkNotPublished(ctx, newRegistryClient(), r, v, oses, nil)
	assert.Equal(t, Fail, it.Status)
	assert.Contains(t, it.Detail, "already has 3.6.0-debian")

	v361, _ := release.ParseVersion("3.6.1")
	it, _, _ = checkNotPublished(ctx, newRegistryClient(), r, v361, oses, nil)
	assert.Equal(t, Pass, it.Status)
	assert.Contains(t, it.Detail, "has 2 tags, none of 3.6.1-alpine, 3.6.1-debian")
}

// With no engine, release-check still checks what it can, writes the whole checklist and fails.
func TestReleaseCheckWithoutEngine(t *testing.T) {
	output, summary := ghaFiles(t)
	t.Setenv("REGISTRY_PASSWORD", "pw-secret-value")
	f := &fakeRegistry{repo: "fit-framework", auth: "basic", user: "ci", pass: "pw-secret-value", tags: []string{"3.6.0-debian"}}
	r := f.start(t)
	readme := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(readme, []byte("docker pull fit-framework:3.6.0-debian\n"), 0o644))

	var stdout, stderr bytes.Buffer
	noEngine := func(context.Context) (*dagger.Client, error) {
		return nil, errors.New("cannot reach a Dagger engine: test")
	}
	code := run(context.Background(), []string{"release-check", "--version", "3.6.0", "--os", "debian", "--registry", string(r),
		"--username", "ci", "--password-env", "REGISTRY_PASSWORD", "--readme", readme}, os.Getenv, noEngine, &stdout, &stderr)
	assert.Equal(t, 1, code)

	sum := read(t, summary)
	for _, want := range []string{
		"| ✅ | version well-formed | 3.6.0 (final release); tags 3.6.0-OS, 3.6-OS, OS, latest-OS |",
		"| ❌ | not yet published | " + strings.TrimSuffix(string(r), "/") + "/fit-framework already has 3.6.0-debian",
		"| ✅ | registry credentials ready | user ci, password from $REGISTRY_PASSWORD; accepted by 127.0.0.1:",
		"| ❌ | artifact reachable | cannot reach a Dagger engine: test |",
		"| ➖ | debian: builds | not run: no engine |",
		"| ➖ | debian: e2e (registry push/pull, healthcheck, plugins) | not run: no engine |",
		"| ✅ | README version references | all 1 references in " + readme + " name 3.6.0 |",
		"**❌ FAILED: 2 of 10 items failed, 5 skipped**",
	} {
		assert.Contains(t, sum, want)
	}
	out := read(t, output)
	assert.Contains(t, out, heredoc("result", "failed"))
	assert.Contains(t, out, heredoc("version", "3.6.0"))
	assert.Contains(t, out, heredoc("failed", "not yet published\nartifact reachable"))
	assert.Contains(t, stdout.String(), "::error title=release-check%3A not yet published::")
	assert.Contains(t, stdout.String(), "❌ not yet published", "the checklist is in the log too")
	assert.Contains(t, stderr.String(), "ci release-check: FAILED: release-check of FIT 3.6.0: FAILED: 2 of 10 items failed")
	for _, s := range []string{stdout.String(), stderr.String(), out, sum} {
		assert.NotContains(t, strings.ReplaceAll(s, "::add-mask::pw-secret-value", ""), "pw-secret-value")
	}

	// a missing password variable is a failed checklist item here, not bad input
	t.Setenv("REGISTRY_PASSWORD", "")
	output, summary = ghaFiles(t)
	code = run(context.Background(), []string{"release-check", "--version", "3.6.1", "--os", "debian",
		"--username", "ci", "--password-env", "REGISTRY_PASSWORD", "--readme", readme}, os.Getenv, noEngine, &bytes.Buffer{}, &bytes.Buffer{})
	assert.Equal(t, 1, code)
	sum = read(t, summary)
	assert.Contains(t, sum, "| ❌ | registry credentials ready | --password-env REGISTRY_PASSWORD: that environment variable is empty or unset |")
	assert.Contains(t, sum, "| ➖ | not yet published | not checked: no --registry given |")
	assert.Contains(t, sum, "| ❌ | README version references | 1 of 1 references do not name 3.6.1")
}
