package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/release"
	"dagger/fit-images/tests/fixture"
)

func TestCallListAndTags(t *testing.T) {
	out, err := daggerRun(t, "functions")
	require.NoError(t, err)
	for _, fn := range []string{"artifact", "build", "build-all", "check", "end-to-end", "list", "publish", "registry", "tags"} {
		assert.Regexp(t, `(?m)^`+fn+`\s+\S.*`, out, "dagger functions lists %s with its help text", fn)
	}

	out, err = call(t, "list")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^alpine\s+alpine:3\.19\s+`, out)
	assert.Regexp(t, `(?m)^debian\s+debian:12-slim\s+`, out)

	// --latest never needs no listing, so a remote registry is not asked
	out, err = call(t, "--registry", "registry.example.com/fit", "tags", "--version", "3.6.1", "--os", "debian", "--latest", "never")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^registry\.example\.com/fit/fit-framework:3\.6\.1-debian\s+push\s+`, out)
	assert.Regexp(t, `(?m)^registry\.example\.com/fit/fit-framework:debian\s+keep\s+--latest never$`, out)

	// without --registry: the fixed rule, said so
	out, err = call(t, "tags", "--version", "3.6.0", "--os", "debian")
	require.NoError(t, err)
	for _, tag := range []string{`3.6.0-debian\s+push`, `3.6-debian\s+move`, `debian\s+move`, `latest-debian\s+move`} {
		assert.Regexp(t, `(?m)^fit-framework:`+tag+`\s`, out)
	}
	assert.Contains(t, out, "rule: the registry's tags were not listed, so the fixed rule applies")
	assert.Contains(t, out, "(no --registry given)")

	out, err = call(t, "tags", "--version", "3.7.0-SNAPSHOT", "--os", "alpine")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^fit-framework:3\.7\.0-SNAPSHOT-alpine\s+push\s`, out)
	assert.Regexp(t, `(?m)^fit-framework:alpine\s+keep\s+3\.7\.0-SNAPSHOT is a pre-release$`, out)
}

// Bad input fails with a message that says what was wrong, before any build.
func TestCallBadInput(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--artifact", zips[fixture.Healthy].Path, "build", "--os", "windows"}, `unknown OS "windows": supported are alpine, debian`},
		{[]string{"tags", "--version", "3.6", "--os", "debian"}, `malformed version "3.6"`},
		{[]string{"tags", "--version", "v3.6.0;rm -rf /", "--os", "debian"}, `malformed version "v3.6.0;rm -rf /"`},
		{[]string{"tags", "--version", "", "--os", "debian"}, "no version given"},
		{[]string{"--registry", "my registry/", "tags", "--os", "debian"}, "white space"},
		{[]string{"--registry", "Registry.Example.com/fit/", "tags", "--os", "debian"}, "uppercase"},
		{[]string{"--artifact", zips[fixture.Healthy].Path, "build-all", "--os", "debian,solaris"}, "unknown OS solaris"},
		{[]string{"--artifact", zips[fixture.Healthy].Path, "build-all", "--os", "debian", "--push"}, "--push needs --registry"},
		{[]string{"tags", "--os", "debian", "--latest", "true"}, `unknown --latest "true": use auto`},
		{[]string{"tags", "--os", "debian", "--version", "3.7.0-rc.1", "--latest", "always"}, "a pre-release never moves a floating tag"},
		{[]string{"--registry", "localhost:5000/", "tags", "--os", "debian"}, "add --registry-service tcp://localhost:5000"},
		// one parser of --created on every path that writes labels, so one message
		{[]string{"--artifact", zips[fixture.Healthy].Path, "build-all", "--os", "debian", "--created", "yesterday"}, `malformed --created "yesterday"`},
		{[]string{"--artifact", zips[fixture.Healthy].Path, "build", "--os", "debian", "--created", "yesterday"}, `malformed --created "yesterday"`},
		{[]string{"--registry", "localhost:5000/", "--artifact", zips[fixture.Healthy].Path,
			"publish", "--os", "debian", "--created", "yesterday"}, `malformed --created "yesterday"`},
		{[]string{"--registry", "localhost:5000/", "--artifact", zips[fixture.Healthy].Path, "publish", "--os", "debian"}, "add --registry-service tcp://localhost:5000"},
	}
	// a mirror that would be shell text is refused by the module, whichever building function follows, before anything is built
	for _, fn := range []string{"build", "check", "build-all", "end-to-end"} {
		cases = append(cases, struct {
			args []string
			want string
		}{[]string{"--artifact", zips[fixture.Healthy].Path, "--apt-mirror", "http://m.example/debian'; touch /pwned; '", fn, "--os", "debian"},
			`malformed --apt-mirror "http://m.example/debian'; touch /pwned; '": give http(s)://HOST[:PORT]/PATH`})
	}
	cases = append(cases, struct {
		args []string
		want string
	}{[]string{"--artifact", zips[fixture.Healthy].Path, "--apk-mirror", "https://m.example/alpine\n$(touch /pwned)", "build-all", "--os", "alpine"},
		`malformed --apk-mirror "https://m.example/alpine\n$(touch /pwned)"`})
	for _, c := range cases {
		t.Run(strings.ReplaceAll(strings.Join(c.args, " "), zips[fixture.Healthy].Path, "ZIP")+" "+c.want, func(t *testing.T) {
			t.Parallel()
			_, err := call(t, c.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// The image is a Container: Dagger's own API chains on it.
func TestCallBuildChains(t *testing.T) {
	zip := zips[fixture.Healthy].Path
	out, err := call(t, "--artifact", zip, "build", "--os", "debian", "with-exec", "--args", "fit,version", "stdout")
	require.NoError(t, err)
	assert.Contains(t, out, "Version: "+version)

	out, err = call(t, "--artifact", zip, "build", "--os", "debian", "label", "--name", "org.opencontainers.image.title")
	require.NoError(t, err)
	assert.Equal(t, "FIT Framework (Debian)", strings.TrimSpace(out))

	out, err = call(t, "--artifact", zip, "build", "--os", "debian", "docker-healthcheck", "interval")
	require.NoError(t, err)
	assert.Equal(t, "30s", strings.TrimSpace(out))

	out, err = call(t, "--artifact", zip, "build", "--os", "debian", "--created", "2026-12-02T05:04:05-05:00", "label", "--name", "org.opencontainers.image.created")
	require.NoError(t, err)
	assert.Equal(t, createdUTC, strings.TrimSpace(out), "the commit time, in UTC, as every path writes it")
}

// The jdk image is built through a mirror: the same archive under another spelling (an explicit
// port), so apt must read the rewritten sources to install anything.
func TestCallCheck(t *testing.T) {
	const mirror = "http://deb.debian.org:80/debian"
	for _, java := range []string{"jre", "jdk"} {
		t.Run(java, func(t *testing.T) {
			args := []string{"--os", "debian", "--java", java, "--artifact", zips[fixture.Healthy].Path}
			if java == "jdk" {
				args = append(args, "--apt-mirror", mirror+"/")
			}
			out, err := call(t, append([]string{"check"}, args...)...)
			require.NoError(t, err)
			if java == "jdk" {
				sources, err := call(t, append(append([]string{"build"}, args...), "with-exec", "--args",
					"sh,-c,cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null; true", "stdout")...)
				require.NoError(t, err)
				assert.Regexp(t, `(?m)`+regexp.QuoteMeta(mirror)+`(\s|$)`, sources)
				assert.NotContains(t, sources, "deb.debian.org/debian")
			}
			assert.NotContains(t, out, "FAIL")
			for _, want := range []string{"runs as fit", "JAVA_HOME exists", "healthcheck", "java -version", "node --version"} {
				assert.Regexp(t, `(?m)^PASS\s+`+want, out)
			}
		})
	}
	_, err := call(t, "--java", "graal", "--artifact", zips[fixture.Healthy].Path, "check", "--os", "debian")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown --java "graal"`)
}

func TestCallArtifact(t *testing.T) {
	a := zips[fixture.Healthy]
	st, err := os.Stat(a.Path)
	require.NoError(t, err)
	out, err := call(t, "--url", releaseURL(fixture.Healthy), "--checksum", "sha256:"+a.SHA256, "artifact", "--version", version, "size")
	require.NoError(t, err)
	assert.Equal(t, st.Size(), mustInt(t, strings.TrimSpace(out)))

	_, err = call(t, "--url", releaseURL(fixture.Healthy), "--checksum", "sha256:"+strings.Repeat("0", 64), "artifact", "--version", version, "size")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "checksum mismatch")
}

// build-all pushes every tag to the test bed's loopback registry, which the host can then read.
func TestCallBuildAllPush(t *testing.T) {
	reg := os.Getenv("FIT_TESTBED_REGISTRY")
	if reg == "" {
		t.Skip("FIT_TESTBED_REGISTRY unset: the push target is the test bed's loopback registry (hack/testbed env)")
	}
	out, err := call(t, "--registry", reg+"/", "--registry-service", "tcp://"+reg, "--artifact", zips[fixture.Healthy].Path, "--checksum", zips[fixture.Healthy].SHA256,
		"build-all", "--os", "debian", "--push")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^debian\s+\S+fit-framework:3\.6\.0-debian .*sha256:[0-9a-f]{64}\s+\d+\.\d+ MB\s+\S+s\s+ok$`, out)
	assert.Regexp(t, `(?m)^`+reg+`/fit-framework:3\.6\.0-debian\s+pushed\s+the release's own reference$`, out)

	resp, err := http.Get("http://" + strings.Replace(reg, "localhost", "127.0.0.1", 1) + "/v2/fit-framework/tags/list")
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }() // read only: nothing to lose
	var list struct{ Tags []string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	for _, tag := range []string{"3.6.0-debian", "3.6-debian", "debian", "latest-debian"} {
		assert.Contains(t, list.Tags, tag)
	}
}

// The e2e holds on every release line the version rules split: health only from 3.6.3, the root
// plugin, the dynamic folder of 3.6.0 (cwd) and of 3.6.2+ (set by the entrypoint), FIT_HTTP_PORT with a
// shipped, a mounted and a read-only conf.
func TestCallE2E(t *testing.T) {
	for _, v := range releases {
		t.Run(v, func(t *testing.T) {
			t.Parallel() // three releases, three independent flows
			zip := healthy[v]
			if v == newest {
				zip = held // the JVM starts later than a monitor lap: the evidence must still be of one moment
			}
			args := []string{"--artifact", zip.Path, "end-to-end", "--os", "debian", "--version", v}
			if v == "3.6.2" {
				args = append(args, "--format", "json")
			}
			out, err := call(t, args...)
			require.NoError(t, err)
			t.Log(out)
			if v == "3.6.2" {
				var rep struct {
					OK    bool
					Steps []struct {
						Name, Detail string
						OK           bool
					}
				}
				require.NoError(t, json.Unmarshal([]byte(out), &rep))
				assert.True(t, rep.OK)
				var text strings.Builder
				for _, s := range rep.Steps {
					fmt.Fprintf(&text, "%s  PASS  %s\n", s.Name, s.Detail)
					assert.True(t, s.OK, s.Name)
				}
				out = text.String()
			}
			for _, step := range []string{"push", "pull", "wait until healthy", "plugins endpoint", "health endpoint", "healthcheck script",
				"runs as uid 2000", "dynamic plugin", "FIT_HTTP_PORT with the shipped conf", "FIT_HTTP_PORT with a mounted conf",
				"FIT_HTTP_PORT with a read-only mounted conf", "unique worker ids", "help", "pass-through command"} {
				assert.Regexp(t, `(?m)^`+step+`\s+PASS\s+`, out)
			}
			assert.Contains(t, out, "root fit-discrete-launcher + 3 plugins, every one of the 3 jars shipped among them")
			assert.Contains(t, out, "fit-images-e2e-probe copied into dynamic-plugins/, listed after")
			if v == "3.6.4" {
				assert.Contains(t, out, "GET /actuator/health → OK")
			} else {
				assert.Contains(t, out, "not served by this release ("+v+" → HTTP 404")
			}
		})
	}
}

func TestCallPublish(t *testing.T) {
	reg := os.Getenv("FIT_TESTBED_REGISTRY")
	if reg == "" {
		t.Skip("FIT_TESTBED_REGISTRY unset: the push target is the test bed's loopback registry (hack/testbed env)")
	}
	out, err := call(t, "--registry", reg+"/team", "--artifact", zips[fixture.Healthy].Path, "--checksum", zips[fixture.Healthy].SHA256,
		"publish", "--os", "debian", "--version", "3.6.1-rc.1")
	require.Error(t, err, "the 3.6.0 zip is not a 3.6.1-rc.1 release")
	assert.Contains(t, err.Error(), "lacks 3.6.1-rc.1/bin/fit")
	assert.Empty(t, out)

	out, err = call(t, "--registry", reg+"/team", "--registry-service", "tcp://"+reg, "--artifact", zips[fixture.Healthy].Path, "--checksum", zips[fixture.Healthy].SHA256,
		"publish", "--os", "debian", "--created", "2026-12-02T15:34:05+05:30")
	require.NoError(t, err)
	refs := strings.Fields(out)
	require.Len(t, refs, 4)
	for _, ref := range refs {
		assert.Regexp(t, `^localhost:5000/team/fit-framework:[a-z0-9.-]+@sha256:[0-9a-f]{64}$`, ref)
	}
	assert.Equal(t, createdUTC, createdLabel(t, reg+"/team/fit-framework@"+release.DigestOf(refs[0])), "the commit time, in UTC, as every path writes it")
}

// One OS failing does not hide the others' results, and then nothing is pushed. On the test bed the
// alpine base image is not in the mirror (no internet), which makes alpine the failing OS.
func TestCallBuildAllOneFailsNothingPushed(t *testing.T) {
	reg := os.Getenv("FIT_TESTBED_REGISTRY")
	if reg == "" {
		t.Skip("FIT_TESTBED_REGISTRY unset: this test relies on the test bed, where alpine cannot be pulled")
	}
	_, err := call(t, "--registry", reg+"/halfbuilt/", "--registry-service", "tcp://"+reg, "--artifact", zips[fixture.Healthy].Path, "--checksum", zips[fixture.Healthy].SHA256,
		"build-all", "--push")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "build-all: 1 of 2 failed, so nothing was pushed")
	assert.Regexp(t, `(?m)^alpine\s+.*FAILED: base image alpine:3\.19 for linux/amd64: `, err.Error())
	assert.Regexp(t, `(?m)^debian\s+.*HELD: not pushed: 1 OS failed, so nothing was published`, err.Error())

	resp, err := http.Get("http://" + strings.Replace(reg, "localhost", "127.0.0.1", 1) + "/v2/halfbuilt/fit-framework/tags/list")
	require.NoError(t, err)
	_ = resp.Body.Close() // only the status matters
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "nothing may be pushed when one OS failed")
}

// The registry service function, as a user would run it: `dagger call registry up` on a host port,
// then build-all pushes into it.
func TestCallRegistryUpThenPush(t *testing.T) {
	needEngine(t)
	port := fixture.FreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	up := exec.CommandContext(ctx, daggerGo, "call", "-m", root, "--progress=plain", "registry", "up", "--ports", fmt.Sprintf("%d:5000", port))
	up.Cancel = func() error { return up.Process.Signal(os.Interrupt) }
	up.WaitDelay = 30 * time.Second
	var upLog bytes.Buffer
	up.Stdout, up.Stderr = &upLog, &upLog
	require.NoError(t, up.Start())
	t.Cleanup(func() {
		cancel()
		_ = up.Wait()
	})

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(base + "/v2/")
		if err == nil {
			_ = resp.Body.Close() // only the status matters
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry did not answer on %s within 3m:\n%s", base, tail(upLog.String(), 30))
		}
		time.Sleep(time.Second)
	}

	reg := fmt.Sprintf("localhost:%d/", port)
	_, err := call(t, "--registry", reg, "--registry-service", fmt.Sprintf("tcp://localhost:%d", port), "--artifact", zips[fixture.Healthy].Path, "--checksum", zips[fixture.Healthy].SHA256,
		"build-all", "--os", "debian", "--push")
	require.NoError(t, err)
	resp, err := http.Get(base + "/v2/fit-framework/tags/list")
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }() // read only: nothing to lose
	var list struct{ Tags []string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	assert.ElementsMatch(t, []string{"3.6.0-debian", "3.6-debian", "debian", "latest-debian"}, list.Tags)
}
