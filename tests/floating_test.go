package tests

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/tests/fixture"
)

// digests answers the manifest digest of every tag of repo (host:port/ns/fit-framework) that exists;
// a tag absent from the registry is absent from the map.
func digests(t *testing.T, repo string, tags ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tag := range tags {
		ref, err := name.NewTag(repo+":"+tag, name.Insecure)
		require.NoError(t, err)
		d, err := remote.Head(ref)
		if err != nil {
			continue
		}
		out[tag] = d.Digest.String()
	}
	return out
}

// Tags for 3.6.1, then 3.5.9, then 3.7.0-rc.1, pushed in that order by build-all into a fresh repository:
// debian and latest-debian stay on 3.6.1, 3.5-debian goes to 3.5.9, and the pre-release moves nothing;
// `tags` shows the decision before the backport, and the release labels come from --revision/--created.
func TestCallFloatingTagsFollowReleases(t *testing.T) {
	reg := needTestbedRegistry(t)
	ns := fmt.Sprintf("floating%d", time.Now().UnixNano())
	prefix := reg + "/" + ns + "/"
	repo := prefix + "fit-framework"
	dir := t.TempDir()
	zip, sum := map[string]string{}, map[string]string{}
	for _, v := range []string{"3.6.1", "3.5.9", "3.7.0-rc.1"} {
		a, err := fixture.Build(dir, fixture.Options{Version: v})
		require.NoError(t, err)
		zip[v], sum[v] = a.Path, a.SHA256
	}
	push := func(v string, extra ...string) string {
		t.Helper()
		out, err := call(t, append([]string{"--artifact", zip[v], "--checksum", sum[v], "--registry", prefix, "--registry-service", "tcp://" + reg,
			"build-all", "--os", "debian", "--version", v, "--push"}, extra...)...)
		require.NoError(t, err)
		t.Log(out)
		return out
	}
	all := []string{"3.6.1-debian", "3.5.9-debian", "3.7.0-rc.1-debian", "3.6-debian", "3.5-debian", "3.7-debian", "debian", "latest-debian"}

	out := push("3.6.1", "--revision", "0123456789abcdef0123456789abcdef01234567", "--created", "2026-12-02T18:04:05+08:00")
	assert.Regexp(t, `(?m)^`+repo+`:latest-debian\s+pushed\s+latest-debian → 3\.6\.1: the first final release it stands for$`, out)
	first := digests(t, repo, all...)
	require.Len(t, first, 4, "3.6.1 pushes its own tag and the three floating ones: %v", first)
	for _, tag := range []string{"3.6-debian", "debian", "latest-debian"} {
		assert.Equal(t, first["3.6.1-debian"], first[tag], tag)
	}
	ref, err := name.NewTag(repo+":3.6.1-debian", name.Insecure)
	require.NoError(t, err)
	img, err := remote.Image(ref)
	require.NoError(t, err)
	cfg, err := img.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", cfg.Config.Labels["org.opencontainers.image.revision"])
	assert.Equal(t, "2026-12-02T10:04:05Z", cfg.Config.Labels["org.opencontainers.image.created"], "the commit time, in UTC")

	// the decision before the backport, from the registry
	out, err = call(t, "--registry", prefix, "--registry-service", "tcp://"+reg, "tags", "--version", "3.5.9", "--os", "debian")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^`+repo+`:3\.5\.9-debian\s+push\s+`, out)
	assert.Regexp(t, `(?m)^`+repo+`:3\.5-debian\s+move\s+3\.5-debian → 3\.5\.9: the first final release it stands for$`, out)
	assert.Regexp(t, `(?m)^`+repo+`:debian\s+keep\s+debian stays on 3\.6\.1: 3\.5\.9 is older$`, out)
	assert.Regexp(t, `(?m)^`+repo+`:latest-debian\s+keep\s+latest-debian stays on 3\.6\.1: 3\.5\.9 is older$`, out)
	assert.Contains(t, out, "rule: --latest auto: decided by the registry's final debian releases (1, the highest 3.6.1)")

	out = push("3.5.9")
	assert.Regexp(t, `(?m)^`+repo+`:debian\s+kept\s+debian stays on 3\.6\.1: 3\.5\.9 is older$`, out)
	second := digests(t, repo, all...)
	assert.Equal(t, first["3.6.1-debian"], second["debian"], "debian stays on 3.6.1")
	assert.Equal(t, first["3.6.1-debian"], second["latest-debian"], "latest-debian stays on 3.6.1")
	assert.Equal(t, first["3.6.1-debian"], second["3.6-debian"])
	require.NotEmpty(t, second["3.5.9-debian"])
	assert.NotEqual(t, second["3.6.1-debian"], second["3.5.9-debian"], "two releases, two images")
	assert.Equal(t, second["3.5.9-debian"], second["3.5-debian"], "3.5-debian on 3.5.9")

	out = push("3.7.0-rc.1")
	assert.Regexp(t, `(?m)^`+repo+`:debian\s+kept\s+3\.7\.0-rc\.1 is a pre-release$`, out)
	third := digests(t, repo, all...)
	require.NotEmpty(t, third["3.7.0-rc.1-debian"])
	assert.NotContains(t, third, "3.7-debian", "a pre-release makes no line tag")
	for _, tag := range []string{"3.6.1-debian", "3.5.9-debian", "3.6-debian", "3.5-debian", "debian", "latest-debian"} {
		assert.Equal(t, second[tag], third[tag], "%s unchanged by the pre-release", tag)
	}
}

// rejecting is a loopback proxy in front of the test bed's registry that answers 403 to the manifest
// pushes of the tags named, the way a registry denies a repository it does not let this account write.
func rejecting(t *testing.T, registry string, tags ...string) (addr string, rejected func() []string) {
	t.Helper()
	target, err := url.Parse("http://" + strings.Replace(registry, "localhost", "127.0.0.1", 1))
	require.NoError(t, err)
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // the registry writes upload locations for the address the client used: this proxy
	}}
	var mu sync.Mutex
	var seen []string
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, tag := range tags {
			if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/manifests/"+tag) {
				mu.Lock()
				seen = append(seen, tag)
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = fmt.Fprintf(w, `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied (test: %s)"}]}`, tag) // the client may hang up on a 403
				return
			}
		}
		proxy.ServeHTTP(w, r)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return fmt.Sprintf("localhost:%d", l.Addr().(*net.TCPAddr).Port), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// halfPush seeds a fresh repository as an earlier release 3.6.0 left it (its own and floating tags on
// one image per OS), then runs build-all's pipeline for 3.6.1 on two OSes the test bed can build
// (Debian, and Debian again under another name) through a proxy that rejects the manifest push of
// reject. It answers the results, the floating tags' digests before and after, and the prefix.
func halfPush(t *testing.T, reject string) (results []report.Result, before, after map[string]string, repoAt string) {
	t.Helper()
	reg := needTestbedRegistry(t)
	ns := fmt.Sprintf("halfpushed%d", time.Now().UnixNano())
	deb := debian(t)
	two := deb
	two.Name, two.Title = "debiantwo", "Debian (second)"

	repo := reg + "/" + ns + "/fit-framework"
	var floating []string
	for _, o := range []string{"debian", "debiantwo"} {
		old, err := random.Image(256, 1)
		require.NoError(t, err)
		for _, tag := range []string{"3.6.0-" + o, "3.6-" + o, o, "latest-" + o} {
			ref, err := name.NewTag(repo+":"+tag, name.Insecure)
			require.NoError(t, err)
			require.NoError(t, remote.Write(ref, old))
		}
		floating = append(floating, "3.6-"+o, o, "latest-"+o)
	}
	before = digests(t, repo, floating...)
	require.Len(t, before, 6)

	proxy, rejected := rejecting(t, reg, reject)
	r, err := release.ParseRegistry(proxy + "/" + ns + "/")
	require.NoError(t, err)
	v, err := release.ParseVersion("3.6.1")
	require.NoError(t, err)
	a, err := fixture.Build(t.TempDir(), fixture.Options{Version: "3.6.1"})
	require.NoError(t, err)
	tags := &registry.Repo{Registry: r}
	results = pipeline.BuildAll(context.Background(), client, pipeline.BuildAllOptions{
		Version: v, OSes: []catalog.OS{deb, two}, Artifact: client.Host().File(a.Path), Registry: r, Push: true,
		ListTags: tags.List, Tagger: tags, Parallel: 2,
	})
	require.Len(t, results, 2)
	t.Log(report.Summary(results) + "\n" + report.PushesText(results))
	assert.Equal(t, []string{reject}, rejected(), "the proxy rejected %s", reject)
	after = digests(t, repo, append(floating, "3.6.1-debian", "3.6.1-debiantwo")...)
	return results, before, after, proxy + "/" + ns + "/fit-framework:"
}

// notMoved is the "not moved" list of report.Moves.
func notMoved(moves string) []string {
	_, list, _ := strings.Cut(moves, "not moved (left where they were): ")
	return strings.Split(list, ", ")
}

// A push failure after the first OS: both OSes built and passed; the registry rejects the second OS's
// immutable reference. The first OS's {V}-{OS} went in, no floating tag of either OS moved (their
// digests are the ones seeded before), and the results name what moved and what did not.
func TestPushFailureAfterTheFirstOSMovesNoFloatingTag(t *testing.T) {
	results, before, after, repoAt := halfPush(t, "3.6.1-debiantwo")
	moves := report.Moves(report.AllPushes(results))
	assert.True(t, strings.HasPrefix(moves, "moved: "+repoAt+"3.6.1-debian; not moved (left where they were): "), moves)
	for _, tag := range []string{"3.6.1-debiantwo", "3.6-debian", "debian", "latest-debian", "3.6-debiantwo", "debiantwo", "latest-debiantwo"} {
		assert.Contains(t, notMoved(moves), repoAt+tag)
	}
	for _, p := range report.AllPushes(results) {
		if p.Floating {
			assert.Equal(t, report.NotPushed, p.State, p.Ref)
			assert.Equal(t, "left where it was: the push of "+repoAt+"3.6.1-debiantwo failed", p.Detail)
		}
	}
	assert.True(t, results[0].Held, "debian built and pushed its own tag, but is held: %s", results[0].Err)
	assert.Contains(t, results[0].Err, "its floating tags were left where they were")
	assert.False(t, results[1].Held)
	assert.Contains(t, results[1].Err, "push of "+repoAt+"3.6.1-debiantwo rejected by ")
	assert.Empty(t, results[1].Digest)

	for tag, d := range before {
		assert.Equal(t, d, after[tag], "%s moved", tag)
	}
	_, pushed, _ := strings.Cut(results[0].Digest, "@")
	assert.Equal(t, pushed, after["3.6.1-debian"], "3.6.1-debian was pushed")
	assert.NotContains(t, after, "3.6.1-debiantwo")
}

// A failure among the floating pushes: every immutable reference went in, the floating tags moved
// before the failure are put back on their earlier images, the rest were not tried.
func TestPushFailureAmongFloatingTagsPutsThemBack(t *testing.T) {
	results, before, after, repoAt := halfPush(t, "debiantwo")
	moves := report.Moves(report.AllPushes(results))
	assert.True(t, strings.HasPrefix(moves, "moved: "+repoAt+"3.6.1-debian, "+repoAt+"3.6.1-debiantwo; not moved"), moves)
	states := map[string]report.PushState{}
	for _, p := range report.AllPushes(results) {
		states[strings.TrimPrefix(p.Ref, repoAt)] = p.State
	}
	assert.Equal(t, map[string]report.PushState{
		"3.6.1-debian": report.Pushed, "3.6.1-debiantwo": report.Pushed,
		"3.6-debian": report.PutBack, "debian": report.PutBack, "latest-debian": report.PutBack, "3.6-debiantwo": report.PutBack,
		"debiantwo": report.PushFailed, "latest-debiantwo": report.NotPushed,
	}, states)
	for tag, d := range before {
		assert.Equal(t, d, after[tag], "%s is not where it was", tag)
	}
	assert.NotEmpty(t, after["3.6.1-debian"])
	assert.NotEmpty(t, after["3.6.1-debiantwo"])
}

// The same through `dagger call build-all`: the function reads the registry through --registry-service,
// the latest-debian push is rejected, the floating tags moved before it are put back, and the error
// names what moved and what did not.
func TestCallBuildAllPushFailureReport(t *testing.T) {
	reg := needTestbedRegistry(t)
	ns := fmt.Sprintf("callhalf%d", time.Now().UnixNano())
	repo := reg + "/" + ns + "/fit-framework"
	old, err := random.Image(256, 1)
	require.NoError(t, err)
	floating := []string{"3.6-debian", "debian", "latest-debian"}
	for _, tag := range floating {
		ref, err := name.NewTag(repo+":"+tag, name.Insecure)
		require.NoError(t, err)
		require.NoError(t, remote.Write(ref, old))
	}
	before := digests(t, repo, floating...)
	proxy, rejected := rejecting(t, reg, "latest-debian")
	at := proxy + "/" + ns + "/fit-framework:"

	out, err := call(t, "--registry", proxy+"/"+ns+"/", "--registry-service", "tcp://"+proxy, "--artifact", zips[fixture.Healthy].Path, "--checksum", zips[fixture.Healthy].SHA256,
		"build-all", "--os", "debian", "--push")
	require.Error(t, err)
	assert.Empty(t, out)
	msg := err.Error()
	t.Log(msg)
	assert.Contains(t, msg, "build-all: a push failed; moved: "+at+"3.6.0-debian; not moved (left where they were): "+at+"3.6-debian, "+at+"debian, "+at+"latest-debian")
	assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(at)+`debian\s+put back\s+moved, then put back on its earlier image `+before["debian"]+`: the push of `+regexp.QuoteMeta(at)+`latest-debian failed$`, msg)
	assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(at)+`latest-debian\s+failed\s+push of `, msg)
	assert.Equal(t, []string{"latest-debian"}, rejected())
	after := digests(t, repo, append(floating, "3.6.0-debian")...)
	for _, tag := range floating {
		assert.Equal(t, before[tag], after[tag], "%s is not where it was", tag)
	}
	assert.NotEmpty(t, after["3.6.0-debian"])
}
