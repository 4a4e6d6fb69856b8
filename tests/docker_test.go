package tests

// The Docker suite: the images as their users run them, with a real Docker daemon (the test bed's
// dockerd: Debian's docker.io 20.10, the seed's minimum). The image is the one `build-all --push` left
// in the test bed's registry, pulled by the daemon. FIT_DOCKER_IMAGE=REF runs the suite against another
// image instead (e.g. one built with the old defaults, to see which case catches which defect).
//
// Without a daemon the suite skips loudly; under CI=true (.ci/run) it fails instead.

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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/tests/fixture"
)

var (
	daemonOnce sync.Once
	dockerDown string // why there is no usable daemon; empty when there is one
	imageOnce  sync.Once
	dockerImg  string
	imageErr   error
)

// needDocker returns the image to run, after making sure a daemon answers.
func needDocker(t *testing.T) string {
	t.Helper()
	daemonOnce.Do(func() {
		out, err := dockerCmd(30*time.Second, nil, "version", "-f", "{{.Server.Version}}")
		if err != nil {
			dockerDown = "no Docker daemon (DOCKER_HOST=" + os.Getenv("DOCKER_HOST") + "): " + strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " | ")
			verdict := "SKIPPED"
			if os.Getenv("CI") == "true" {
				verdict = "FAIL (CI=true)"
			}
			fmt.Fprintln(os.Stderr, "\n!!! DOCKER TESTS "+verdict+": "+dockerDown+" (hack/testbed up starts one; hack/testbed env exports DOCKER_HOST)\n")
			return
		}
		fmt.Fprintln(os.Stderr, "Docker suite: daemon "+strings.TrimSpace(out))
	})
	if dockerDown != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s: the Docker suite must run in CI", dockerDown)
		}
		t.Skip("DOCKER TESTS SKIPPED: " + dockerDown)
	}
	if ref := os.Getenv("FIT_DOCKER_IMAGE"); ref != "" {
		imageOnce.Do(func() {
			dockerImg = ref
			if _, err := dockerCmd(time.Minute, nil, "image", "inspect", ref); err != nil {
				_, imageErr = dockerCmd(10*time.Minute, nil, "pull", ref)
			}
		})
	} else {
		needEngine(t)
		reg := os.Getenv("FIT_TESTBED_REGISTRY")
		if reg == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("CI=true and FIT_TESTBED_REGISTRY unset: the Docker suite pulls from the test bed's registry")
			}
			t.Skip("FIT_TESTBED_REGISTRY unset: the Docker suite pulls what build-all pushed to the test bed's registry")
		}
		imageOnce.Do(func() {
			ns := fmt.Sprintf("docker%d", time.Now().UnixNano())
			a := zips[fixture.Healthy]
			if _, imageErr = runDagger(15*time.Minute, "call", "--registry", reg+"/"+ns+"/", "--registry-service", "tcp://"+reg, "--artifact", a.Path, "--checksum", a.SHA256,
				"build-all", "--os", "debian", "--push"); imageErr != nil {
				return
			}
			dockerImg = reg + "/" + ns + "/fit-framework:" + version + "-debian"
			_, imageErr = dockerCmd(10*time.Minute, nil, "pull", dockerImg)
		})
	}
	require.NoError(t, imageErr, "the image for the Docker suite")
	return dockerImg
}

// dockerCmd runs the docker CLI (each argument its own word) and returns stdout; an error carries stderr.
func dockerCmd(limit time.Duration, stdin io.Reader, args ...string) (string, error) {
	return runTool(limit, stdin, nil, "docker", args...)
}

func runTool(limit time.Duration, stdin io.Reader, env []string, tool string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, tail(stderr.String()+stdout.String(), 40))
	}
	return stdout.String(), nil
}

// dk runs docker and fails the test on an error.
func dk(t *testing.T, args ...string) string {
	t.Helper()
	out, err := dockerCmd(5*time.Minute, nil, args...)
	require.NoError(t, err)
	return strings.TrimSpace(out)
}

var nameChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// dockerStart runs a detached container and removes it (and its anonymous volumes) after the test; the
// log of a failed test's container is written to the test log.
func dockerStart(t *testing.T, args ...string) string {
	t.Helper()
	name := fmt.Sprintf("fit-%s-%d", strings.ToLower(nameChars.ReplaceAllString(t.Name(), "-")), time.Now().UnixNano()%1e9)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last log lines of %s:\n%s", name, tail(containerLogs(name), 60))
		}
		_, _ = dockerCmd(time.Minute, nil, "rm", "-f", "-v", name)
	})
	dk(t, append([]string{"run", "-d", "--name", name}, args...)...)
	return name
}

// containerLogs is the container's stdout and stderr, interleaved as docker logs gives them.
func containerLogs(name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "logs", name).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s(docker logs: %v)", out, err)
	}
	return string(out)
}

// inspected is the part of `docker inspect` the suite reads.
type inspected struct {
	Config struct{ User string }
	State  struct {
		Status, StartedAt  string
		Running, OOMKilled bool
		ExitCode           int
		Health             *struct {
			Status string
			Log    []struct {
				Start, End string
				ExitCode   int
				Output     string
			}
		}
	}
	RestartCount    int
	NetworkSettings struct {
		Networks map[string]struct{ IPAddress string }
	}
}

func inspect(t *testing.T, name string) inspected {
	t.Helper()
	var got []inspected
	require.NoError(t, json.Unmarshal([]byte(dk(t, "inspect", name)), &got))
	require.Len(t, got, 1)
	return got[0]
}

func ipOf(t *testing.T, name string) string {
	t.Helper()
	for _, n := range inspect(t, name).NetworkSettings.Networks {
		if n.IPAddress != "" {
			return n.IPAddress
		}
	}
	t.Fatalf("%s has no IP address", name)
	return ""
}

// waitHealthy waits until Docker reports the container healthy; it returns the health states seen, in
// order, and the time from the container's start to the end of the first passing probe.
func waitHealthy(t *testing.T, name string, limit time.Duration) ([]string, time.Duration) {
	t.Helper()
	var seen []string
	end := time.Now().Add(limit)
	for {
		st := inspect(t, name).State
		require.NotNil(t, st.Health, "%s has no healthcheck", name)
		if len(seen) == 0 || seen[len(seen)-1] != st.Health.Status {
			seen = append(seen, st.Health.Status)
		}
		switch {
		case !st.Running:
			t.Fatalf("%s stopped (exit %d) before it was healthy; health states %v", name, st.ExitCode, seen)
		case st.Health.Status == "unhealthy":
			t.Fatalf("%s is unhealthy: %+v", name, st.Health.Log)
		case st.Health.Status == "healthy":
			started, err := time.Parse(time.RFC3339Nano, st.StartedAt)
			require.NoError(t, err)
			for _, l := range st.Health.Log {
				if l.ExitCode == 0 {
					at, err := time.Parse(time.RFC3339Nano, l.End)
					require.NoError(t, err)
					return seen, at.Sub(started)
				}
			}
			t.Fatalf("%s is healthy but no passing probe is logged: %+v", name, st.Health.Log)
		case time.Now().After(end):
			t.Fatalf("%s not healthy after %s; health states %v", name, limit, seen)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// healthyWithin is how long a container may take: Docker 20.10 has no start interval, so the first
// probe runs one interval (30 s) after the start.
const healthyWithin = 75 * time.Second

var httpClient = &http.Client{Timeout: 10 * time.Second}

// plugins are the names GET /actuator/plugins lists.
func plugins(ip string, port int) ([]string, error) {
	resp, err := httpClient.Get(fmt.Sprintf("http://%s:%d/actuator/plugins", ip, port))
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }() // read only: nothing to lose
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var list []struct{ Name string }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(list))
	for _, p := range list {
		names = append(names, p.Name)
	}
	return names, nil
}

// waitPlugin waits until /actuator/plugins lists the plugin.
func waitPlugin(t *testing.T, ip, plugin string) {
	t.Helper()
	var names []string
	var err error
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(time.Second) {
		if names, err = plugins(ip, pipeline.HTTPPort); err == nil && contains(names, plugin) {
			return
		}
	}
	t.Fatalf("%s not listed by /actuator/plugins within 60s: %v %v", plugin, names, err)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pluginJar is a FIT plugin jar: FIT-INF/plugin.xml naming it, as the fixture writes them.
func pluginJar(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fixture.PluginJar(name, "1.0.0", false, 4)
	require.NoError(t, err)
	return b
}

// dropPlugin copies a plugin jar into dynamic-plugins/ from inside the container, as its own user.
func dropPlugin(t *testing.T, name, plugin string) {
	t.Helper()
	_, err := dockerCmd(time.Minute, bytes.NewReader(pluginJar(t, plugin)), "exec", "-i", name,
		"bash", "-c", `cat > "$FIT_JAVA_DIR/dynamic-plugins/.drop" && mv "$FIT_JAVA_DIR/dynamic-plugins/.drop" "$FIT_JAVA_DIR/dynamic-plugins/$1.jar"`, "drop", plugin)
	require.NoError(t, err, "copying a plugin into dynamic-plugins/ as the container's user")
}

var (
	heapMax   = regexp.MustCompile(`\[gc,init\] Heap Max Capacity: (\d+)([KMG])`)
	jvmMemory = regexp.MustCompile(`\[gc,init\] Memory: (\d+)([KMG])`)
)

// jvmLimits reads the running JVM's own report (-Xlog:gc+init): the memory it sees and its maximum heap, in MiB.
func jvmLimits(t *testing.T, name string) (memory, heap int64) {
	t.Helper()
	logs := containerLogs(name)
	mib := func(re *regexp.Regexp) int64 {
		m := re.FindStringSubmatch(logs)
		require.NotNil(t, m, "no %q in the JVM's log:\n%s", re, tail(logs, 30))
		n := mustInt(t, m[1])
		switch m[2] {
		case "K":
			return n / 1024
		case "G":
			return n * 1024
		}
		return n
	}
	return mib(jvmMemory), mib(heapMax)
}

// Health goes starting → healthy, timed: on Docker 20.10 at the first probe, one interval after the start.
// Then `docker stop` (SIGTERM) and `docker kill -s INT`: FIT stops by itself, exit 0, inside the grace period.
func TestDockerHealthAndStop(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	for _, stop := range []string{"stop", "kill -s INT"} {
		t.Run(strings.ReplaceAll(stop, " ", "_"), func(t *testing.T) {
			t.Parallel()
			name := dockerStart(t, img)
			seen, took := waitHealthy(t, name, healthyWithin)
			assert.Equal(t, []string{"starting", "healthy"}, seen)
			t.Logf("healthy %.1fs after the start (Docker %s)", took.Seconds(), dk(t, "version", "-f", "{{.Server.Version}}"))
			const grace = 10 * time.Second // docker stop's default
			start := time.Now()
			if stop == "stop" {
				dk(t, "stop", "-t", strconv.Itoa(int(grace.Seconds())), name)
			} else {
				dk(t, "kill", "-s", "INT", name)
				code, err := dockerCmd(grace, nil, "wait", name)
				require.NoError(t, err, "FIT did not stop within %s of SIGINT", grace)
				assert.Equal(t, "0", strings.TrimSpace(code))
			}
			took = time.Since(start)
			st := inspect(t, name).State
			assert.Equal(t, 0, st.ExitCode)
			assert.Less(t, took, grace-time.Second, "a stop that takes the whole grace period was a SIGKILL")
			logs := containerLogs(name)
			sig := map[string]string{"stop": "SIGTERM", "kill -s INT": "SIGINT"}[stop]
			assert.Contains(t, logs, "stopped on "+sig)
			t.Logf("%s: exit %d after %.1fs", stop, st.ExitCode, took.Seconds())
		})
	}
}

// OpenShift runs a container as an arbitrary uid in group 0: FIT is healthy, the folders it writes are
// writable, and a plugin copied into dynamic-plugins/ from inside the container loads.
func TestDockerArbitraryUID(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	name := dockerStart(t, "--user", "12345:0", img)
	waitHealthy(t, name, healthyWithin)
	out := dk(t, "exec", name, "bash", "-c", `set -e; cd "$FIT_JAVA_DIR"; id -u; id -g
		for d in logs data dynamic-plugins; do echo probe > "$d/uid-probe"; stat -c "$d %u:%g" "$d/uid-probe"; done`)
	assert.Equal(t, "12345\n0\nlogs 12345:0\ndata 12345:0\ndynamic-plugins 12345:0", out)
	dropPlugin(t, name, "docker-uid-probe")
	waitPlugin(t, ipOf(t, name), "docker-uid-probe")
}

// podSpec is the part of docs/run/pod.yaml that becomes docker run flags.
type podSpec struct {
	Spec struct {
		SecurityContext struct {
			RunAsNonRoot bool `yaml:"runAsNonRoot"`
		} `yaml:"securityContext"`
		Containers []struct {
			SecurityContext struct {
				ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
				AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
				Capabilities             struct {
					Drop []string
				}
			} `yaml:"securityContext"`
			Resources struct {
				Limits map[string]string
			}
			StartupProbe struct {
				HTTPGet struct {
					Path string
				} `yaml:"httpGet"`
				PeriodSeconds    int `yaml:"periodSeconds"`
				FailureThreshold int `yaml:"failureThreshold"`
			} `yaml:"startupProbe"`
			VolumeMounts []struct {
				Name      string
				MountPath string `yaml:"mountPath"`
			} `yaml:"volumeMounts"`
		}
		Volumes []struct {
			Name     string
			EmptyDir *struct{} `yaml:"emptyDir"`
		}
	}
}

func readPod(t *testing.T) podSpec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs/run/pod.yaml"))
	require.NoError(t, err)
	var p podSpec
	require.NoError(t, yaml.Unmarshal(b, &p))
	require.Len(t, p.Spec.Containers, 1)
	return p
}

// writablePaths are the emptyDirs of the pod spec: the paths README documents for a read-only root.
func writablePaths(t *testing.T, p podSpec) []string {
	t.Helper()
	empty := map[string]bool{}
	for _, v := range p.Spec.Volumes {
		empty[v.Name] = v.EmptyDir != nil
	}
	var paths []string
	for _, m := range p.Spec.Containers[0].VolumeMounts {
		require.True(t, empty[m.Name], "volume %s is not an emptyDir", m.Name)
		paths = append(paths, m.MountPath)
	}
	return paths
}

// A read-only root with only the writable paths README documents (the pod spec's emptyDirs): /tmp a tmpfs,
// FIT's folders volumes, which Docker fills with the image's folder, owner and mode. Healthy, FIT's folders
// writable and a plugin dropped into dynamic-plugins/ loads. Without them the start fails and says why.
func TestDockerReadOnly(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	args := []string{"--read-only"}
	for _, p := range writablePaths(t, readPod(t)) {
		assert.Contains(t, string(readme), "| `"+p+"` |", "README's read-only table lacks %s", p)
		if p == "/tmp" {
			args = append(args, "--tmpfs", p)
		} else {
			args = append(args, "-v", p) // anonymous: removed with the container
		}
	}
	name := dockerStart(t, append(args, img)...)
	waitHealthy(t, name, healthyWithin)
	dk(t, "exec", name, "bash", "-c", `set -e; cd "$FIT_JAVA_DIR"; for d in logs data; do echo probe > "$d/ro-probe"; done`)
	dropPlugin(t, name, "docker-readonly-probe")
	waitPlugin(t, ipOf(t, name), "docker-readonly-probe")

	out, err := dockerCmd(time.Minute, nil, "run", "--rm", "--read-only", img)
	require.Error(t, err, "a read-only root without the documented volumes must not start: %s", out)
	assert.Contains(t, err.Error(), "cannot write the JVM options file")
}

// No capabilities at all and no privilege escalation (Kubernetes' restricted profile): healthy.
func TestDockerNoCapabilities(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	name := dockerStart(t, "--cap-drop", "ALL", "--security-opt", "no-new-privileges", img)
	waitHealthy(t, name, healthyWithin)
	assert.Equal(t, "0000000000000000", dk(t, "exec", name, "bash", "-c", `sed -n 's/^CapEff:\s*//p' /proc/1/status`))
}

// The JVM's maximum heap follows the container's memory limit, a user's JAVA_OPTS still wins, and FIT
// stays up through a burst of requests in a 512 MiB container.
func TestDockerMemoryLimit(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	cases := []struct {
		name, memory, javaOpts string
		check                  func(t *testing.T, limit, heap int64)
	}{
		{"512m", "512m", "", func(t *testing.T, limit, heap int64) {
			assert.LessOrEqual(t, heap, limit*60/100+8, "the heap leaves room for the rest of the process")
			assert.Greater(t, heap, limit*40/100)
		}},
		{"2g", "2g", "", func(t *testing.T, limit, heap int64) {
			assert.LessOrEqual(t, heap, limit*60/100+8)
			assert.Greater(t, heap, int64(1024), "a 2 GiB container gets more heap than the old fixed 1 GiB")
		}},
		{"512m_user_JAVA_OPTS", "512m", "-Xmx200m", func(t *testing.T, limit, heap int64) {
			assert.Equal(t, int64(200), heap, "the user's -Xmx wins")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"--memory", c.memory, "-e", "JDK_JAVA_OPTIONS=-Xlog:gc+init"}
			if c.javaOpts != "" {
				args = append(args, "-e", "JAVA_OPTS="+c.javaOpts)
			}
			name := dockerStart(t, append(args, img)...)
			waitHealthy(t, name, healthyWithin)
			limit, heap := jvmLimits(t, name)
			want := mustInt(t, strings.TrimSuffix(strings.TrimSuffix(c.memory, "m"), "g"))
			if strings.HasSuffix(c.memory, "g") {
				want *= 1024
			}
			require.Equal(t, want, limit, "the JVM sees the container's limit")
			t.Logf("--memory %s JAVA_OPTS=%q: the JVM sees %d MiB, max heap %d MiB", c.memory, c.javaOpts, limit, heap)
			c.check(t, limit, heap)
			if c.name != "512m" {
				return
			}
			ip := ipOf(t, name)
			const requests, workers = 600, 12
			var wg sync.WaitGroup
			var mu sync.Mutex
			failed := 0
			jobs := make(chan struct{})
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range jobs {
						if _, err := plugins(ip, pipeline.HTTPPort); err != nil {
							mu.Lock()
							failed++
							mu.Unlock()
						}
					}
				}()
			}
			start := time.Now()
			for i := 0; i < requests; i++ {
				jobs <- struct{}{}
			}
			close(jobs)
			wg.Wait()
			t.Logf("%d requests, %d concurrent, in %.1fs", requests, workers, time.Since(start).Seconds())
			assert.Zero(t, failed)
			st := inspect(t, name).State
			assert.True(t, st.Running)
			assert.False(t, st.OOMKilled)
			_, err := plugins(ip, pipeline.HTTPPort)
			assert.NoError(t, err)
		})
	}
}

// A service built FROM the image, as docs/run/Dockerfile shows: the baked-in plugin is listed and the
// baked-in conf is the one used.
func TestDockerDownstreamImage(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	dir := t.TempDir()
	df, err := os.ReadFile(filepath.Join(root, "docs/run/Dockerfile"))
	require.NoError(t, err)
	conf := strings.Replace(strings.Replace(fixture.ReleaseConf, "'application'", "'downstream-app'", 1), "default-worker-id", "downstream-worker", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "my-plugin.jar"), pluginJar(t, "docker-downstream-plugin"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fitframework.yml"), []byte(conf), 0o644))
	tag := fmt.Sprintf("fit-downstream:%d", time.Now().UnixNano())
	dk(t, "build", "--build-arg", "FIT_IMAGE="+img, "-t", tag, dir)
	t.Cleanup(func() { _, _ = dockerCmd(time.Minute, nil, "rmi", "-f", tag) })
	name := dockerStart(t, tag)
	waitHealthy(t, name, healthyWithin)
	names, err := plugins(ipOf(t, name), pipeline.HTTPPort)
	require.NoError(t, err)
	assert.Contains(t, names, "docker-downstream-plugin")
	logs := containerLogs(name)
	assert.Contains(t, logs, "application.name: downstream-app ("+pipeline.FitJavaDir+"/conf/fitframework.yml)")
	assert.Contains(t, logs, "worker.id: downstream-worker ("+pipeline.FitJavaDir+"/conf/fitframework.yml)")
}

// The shapes of the official images' standard tests: the command can be overridden, no account has a
// password, and the time zone is the documented one (TZ changes it).
func TestDockerStandardShapes(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	run := func(args ...string) string {
		return dk(t, append([]string{"run", "--rm"}, args...)...)
	}
	assert.Equal(t, "42 2000", run(img, "bash", "-c", `echo "$((6 * 7)) $(id -u)"`))
	assert.Equal(t, "Version: "+version, run(img, "fit", "version"))
	for _, line := range strings.Split(run("--user", "0", img, "cat", "/etc/shadow"), "\n") {
		f := strings.Split(line, ":")
		require.GreaterOrEqual(t, len(f), 2, line)
		assert.True(t, f[1] == "*" || strings.HasPrefix(f[1], "!"), "account %s has a password or none at all: %q", f[0], f[1])
	}
	assert.Equal(t, "Asia/Shanghai +0800", run(img, "bash", "-c", `echo "$(cat /etc/timezone) $(date +%z)"`))
	assert.Equal(t, "+0000", run("-e", "TZ=UTC", img, "date", "+%z"))
}

// docs/run/pod.yaml, run as the docker flags its securityContext, limits and emptyDirs amount to; its
// startup probe passes within its budget and the image's USER satisfies runAsNonRoot.
func TestDockerPodSpec(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	p := readPod(t)
	c := p.Spec.Containers[0]
	var args []string
	if c.SecurityContext.ReadOnlyRootFilesystem {
		args = append(args, "--read-only")
	}
	if c.SecurityContext.AllowPrivilegeEscalation != nil && !*c.SecurityContext.AllowPrivilegeEscalation {
		args = append(args, "--security-opt", "no-new-privileges")
	}
	for _, cp := range c.SecurityContext.Capabilities.Drop {
		args = append(args, "--cap-drop", cp)
	}
	mem := c.Resources.Limits["memory"]
	require.True(t, strings.HasSuffix(mem, "Mi"), "memory limit %q", mem)
	args = append(args, "--memory", strings.TrimSuffix(mem, "Mi")+"m", "-e", "JDK_JAVA_OPTIONS=-Xlog:gc+init")
	for _, path := range writablePaths(t, p) {
		// an emptyDir is writable by the pod's user; Docker's tmpfs takes the image folder's mode but is
		// root's unless told otherwise
		args = append(args, "--tmpfs", fmt.Sprintf("%s:uid=%d,gid=0", path, pipeline.FitUID))
	}
	require.Equal(t, []string{"--read-only", "--security-opt", "no-new-privileges", "--cap-drop", "ALL"}, args[:5])

	// runAsNonRoot: the kubelet refuses a non-numeric USER (it cannot tell it is not root) and uid 0
	user := dk(t, "image", "inspect", "-f", "{{.Config.User}}", img)
	if p.Spec.SecurityContext.RunAsNonRoot {
		uid, err := strconv.Atoi(strings.SplitN(user, ":", 2)[0])
		require.NoError(t, err, "USER %q is not numeric: runAsNonRoot cannot verify it", user)
		assert.NotZero(t, uid)
	}
	name := dockerStart(t, append(args, img)...)
	ip := ipOf(t, name)
	probe := c.StartupProbe
	budget := time.Duration(probe.PeriodSeconds*probe.FailureThreshold) * time.Second
	start := time.Now()
	for {
		resp, err := httpClient.Get(fmt.Sprintf("http://%s:%d%s", ip, pipeline.HTTPPort, probe.HTTPGet.Path))
		if err == nil {
			_ = resp.Body.Close() // only the status matters
			if resp.StatusCode >= 200 && resp.StatusCode < 400 {
				break
			}
		}
		require.Less(t, time.Since(start), budget, "the startup probe did not pass within %s", budget)
		time.Sleep(time.Duration(probe.PeriodSeconds) * time.Second)
	}
	t.Logf("startup probe passed after %.1fs", time.Since(start).Seconds())
	dropPlugin(t, name, "docker-pod-probe")
	waitPlugin(t, ip, "docker-pod-probe")
	limit, heap := jvmLimits(t, name)
	assert.Equal(t, int64(512), limit)
	assert.Less(t, heap, limit)
}

// docs/run/compose.yml for real (Debian's docker-compose v1): the app starts only after FIT is healthy
// and reaches it by its service name.
func TestDockerCompose(t *testing.T) {
	t.Parallel()
	img := needDocker(t)
	compose, err := exec.LookPath("docker-compose")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no docker-compose (hack/testbed up installs Debian's)")
		}
		t.Skip("DOCKER COMPOSE TEST SKIPPED: no docker-compose on PATH (hack/testbed up installs Debian's)")
	}
	project := fmt.Sprintf("fitcompose%d", time.Now().UnixNano()%1e9)
	file := filepath.Join(root, "docs/run/compose.yml")
	env := []string{"FIT_IMAGE=" + img, fmt.Sprintf("FIT_PORT=%d", fixture.FreePort(t))}
	t.Cleanup(func() { _, _ = runTool(3*time.Minute, nil, env, compose, "-p", project, "-f", file, "down", "-v") })
	out, err := runTool(5*time.Minute, nil, env, compose, "-p", project, "-f", file, "up", "--exit-code-from", "app")
	require.NoError(t, err)
	assert.Contains(t, out, fixture.RootPlugin)
	fit := inspect(t, project+"_fit_1")
	app := inspect(t, project+"_app_1")
	require.NotNil(t, fit.State.Health)
	var healthyAt time.Time
	for _, l := range fit.State.Health.Log {
		if l.ExitCode == 0 {
			healthyAt, _ = time.Parse(time.RFC3339Nano, l.End)
			break
		}
	}
	require.False(t, healthyAt.IsZero(), "fit never passed a probe: %+v", fit.State.Health.Log)
	appStart, err := time.Parse(time.RFC3339Nano, app.State.StartedAt)
	require.NoError(t, err)
	assert.True(t, appStart.After(healthyAt), "app started %s, fit healthy %s", appStart, healthyAt)
	assert.Equal(t, 0, app.State.ExitCode)
}

// Getting a built image into Docker 20.10 without a registry: `as-tarball export` + `docker load`, and
// `export-image`, which the CLI hands to `docker load` when it knows the engine's image store.
func TestDockerLoadBuiltImage(t *testing.T) {
	t.Parallel()
	needDocker(t)
	needEngine(t)
	a := zips[fixture.Healthy]
	tarball := filepath.Join(t.TempDir(), "fit.tar")
	_, err := call(t, "--artifact", a.Path, "build", "--os", "debian", "as-tarball", "--forced-compression", "Gzip", "export", "--path", tarball)
	require.NoError(t, err)
	out := dk(t, "load", "-i", tarball)
	m := regexp.MustCompile(`Loaded image(?: ID)?: (\S+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	t.Cleanup(func() { _, _ = dockerCmd(time.Minute, nil, "rmi", "-f", m[1]) })
	assert.Equal(t, "Version: "+version, dk(t, "run", "--rm", m[1], "fit", "version"))

	tag := fmt.Sprintf("fit-export-image:%d", time.Now().UnixNano())
	exportImage := func(env ...string) error {
		defer func(start time.Time) {
			t.Logf("dagger call build … export-image --name %s %v (%.1fs)", tag, env, time.Since(start).Seconds())
		}(time.Now())
		_, err := runTool(15*time.Minute, nil, env, daggerGo, "call", "-m", root, "--progress=plain",
			"--artifact", a.Path, "build", "--os", "debian", "export-image", "--forced-compression", "Gzip", "--name", tag)
		return err
	}
	if strings.HasPrefix(os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST"), "unix://") {
		// an engine reached over a socket comes with no image store: the CLI cannot load anything
		err := exportImage()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "client has no supported api for loading image")
	}
	require.NoError(t, exportImage("_EXPERIMENTAL_DAGGER_RUNNER_IMAGESTORE=docker-image"))
	t.Cleanup(func() { _, _ = dockerCmd(time.Minute, nil, "rmi", "-f", tag) })
	assert.Equal(t, "Version: "+version, dk(t, "run", "--rm", tag, "fit", "version"))
}

// removeDockerImage drops the suite's pulled image from the daemon after the run (its layers are shared
// with the next run's, so this keeps `docker images` readable rather than freeing much).
func removeDockerImage() {
	if dockerImg != "" && os.Getenv("FIT_DOCKER_IMAGE") == "" {
		_, _ = dockerCmd(time.Minute, nil, "rmi", dockerImg)
	}
}
