package scripts

// These tests run the scripts with the host's bash against a real FIT-shaped release: the zip of
// tests/fixture for the version asked for, unpacked into a temporary FIT_JAVA_DIR, with its node fit
// command and its Java launcher (so they need node and a JDK 17 on the host, and skip loudly without).
// The scripts and their library are laid out as in the image (see install). No container engine is
// involved. Tests that start FIT do not run in parallel: the healthcheck looks at every process.

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	fitfixture "dagger/fit-images/tests/fixture"
)

type install struct {
	t                  *testing.T
	root, javaDir      string
	entry, health, lib string
	env                map[string]string
	version            string
}

// newInstall unpacks the fixture release of version below a temporary folder and installs the scripts.
func newInstall(t *testing.T, version string) *install {
	t.Helper()
	return newInstallOf(t, fitfixture.Options{Version: version})
}

func newInstallOf(t *testing.T, o fitfixture.Options) *install {
	t.Helper()
	version := o.Version
	for _, tool := range []string{"node", "java", "javac", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s is not installed on this host; these tests run the scripts against the fixture release (node, JDK 17, curl)", tool)
		}
	}
	root := t.TempDir()
	a, err := fitfixture.Build(filepath.Join(root, "dist"), o)
	if err != nil {
		t.Fatal(err)
	}
	in := &install{t: t, root: root, javaDir: filepath.Join(root, "java"), version: version}
	unzipRelease(t, a.Path, version+"/", in.javaDir)
	for _, f := range Files() {
		p := filepath.Join(root, strings.TrimPrefix(f.Path, "/usr/local/"))
		mustWrite(t, p, f.Content, os.FileMode(f.Mode))
		switch f.Path {
		case EntrypointPath:
			in.entry = p
		case HealthcheckPath:
			in.health = p
		case LibraryPath:
			in.lib = p
		}
	}
	in.env = map[string]string{
		"PATH":         os.Getenv("PATH"),
		"HOME":         root,
		"TMPDIR":       root,
		"FIT_VERSION":  version,
		"FIT_HOME":     root,
		"FIT_JAVA_DIR": in.javaDir,
		"JAVA_OPTS":    "-Xms16m -Xmx64m",
	}
	return in
}

func unzipRelease(t *testing.T, zipPath, top, dest string) {
	t.Helper()
	r, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }() // read only: nothing to lose
	for _, f := range r.File {
		name := strings.TrimPrefix(f.Name, top)
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // a corrupt member fails here, its checksum read at EOF
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(dest, name), string(b), f.Mode().Perm())
	}
}

func mustWrite(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func (in *install) environ(extra map[string]string) []string {
	var out []string
	for k, v := range in.env {
		if _, over := extra[k]; !over {
			out = append(out, k+"="+v)
		}
	}
	for k, v := range extra {
		out = append(out, k+"="+v)
	}
	return out
}

func (in *install) confPath() string { return filepath.Join(in.javaDir, "conf", "fitframework.yml") }

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// proc is a script running in its own process group (killed at cleanup).
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *fitfixture.SyncBuffer
	done           chan struct{}
	res            result
}

func (in *install) start(script string, extra map[string]string, args ...string) *proc {
	in.t.Helper()
	cmd := exec.Command(script, args...)
	cmd.Env = in.environ(extra)
	cmd.Dir = in.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &proc{cmd: cmd, stdout: &fitfixture.SyncBuffer{}, stderr: &fitfixture.SyncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			p.res.code = exitErr.ExitCode()
		} else if err != nil {
			p.res.code = -1
		}
		p.res.stdout, p.res.stderr = p.stdout.String(), p.stderr.String()
		close(p.done)
	}()
	in.t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	return p
}

// wait returns the result once the process ended (at most limit).
func (p *proc) wait(t *testing.T, limit time.Duration) result {
	t.Helper()
	select {
	case <-p.done:
		return p.res
	case <-time.After(limit):
		t.Fatalf("%s did not end within %s\nstdout:\n%s\nstderr:\n%s", p.cmd.Path, limit, p.stdout, p.stderr)
		return result{}
	}
}

func (in *install) run(script string, extra map[string]string, args ...string) result {
	in.t.Helper()
	return in.start(script, extra, args...).wait(in.t, 60*time.Second)
}

// get polls url until it answers (at most 30 s) and returns status and body.
func get(t *testing.T, p *proc, url string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close() // read only: nothing to lose
			return resp.StatusCode, string(b)
		}
		select {
		case <-p.done:
			t.Fatalf("the entrypoint ended before %s answered\n%s", url, p.res)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer within 30s\nstdout:\n%s\nstderr:\n%s", url, p.stdout, p.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// jvmArgs is the command line of the fixture's JVM started by p (empty when there is none).
func jvmArgs(t *testing.T, p *proc) []string {
	t.Helper()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(d + "/cmdline")
		if err != nil || !bytes.Contains(b, []byte("fit-discrete-launcher-")) {
			continue
		}
		if pgid, err := syscall.Getpgid(atoi(filepath.Base(d))); err == nil && pgid == p.cmd.Process.Pid {
			return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		}
	}
	return nil
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestFiles(t *testing.T) {
	lines := 0
	for _, f := range Files() {
		if !strings.HasPrefix(f.Path, "/usr/local/") || f.Content == "" {
			t.Errorf("%s: want a non-empty file below /usr/local", f.Path)
		}
		lines += strings.Count(f.Content, "\n")
	}
	if lines > 300 {
		t.Errorf("entrypoint + healthcheck + library = %d lines, the budget is 300", lines)
	}
	if Entrypoint() == "" || Healthcheck() == "" {
		t.Error("empty script")
	}
}

func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("SKIPPED: shellcheck is not installed on this host, the scripts were NOT linted " +
			"(install it, e.g. apt-get install -y shellcheck, and rerun)")
	}
	// -x follows the "source" of common.sh, so the functions the scripts take from it are known
	out, err := exec.Command(sc, "--shell=bash", "--severity=style", "-x", "common.sh", "entrypoint.sh", "healthcheck.sh").CombinedOutput()
	if err != nil {
		t.Fatalf("shellcheck found problems: %v\n%s", err, out)
	}
}

func TestHelpAndPassThrough(t *testing.T) {
	in := newInstall(t, "3.6.0")
	for _, arg := range []string{"help", "--help", "-h"} {
		r := in.run(in.entry, nil, arg)
		if r.code != 0 || !strings.Contains(r.stdout, "FIT_HTTP_PORT") || !strings.Contains(r.stdout, "/actuator/health (from FIT 3.6.3 on") {
			t.Errorf("%s: want the usage and exit 0, got %s", arg, r)
		}
	}
	if r := in.run(in.entry, nil, "bash", "-c", "echo hi; exit 3"); r.code != 3 || r.stdout != "hi\n" {
		t.Errorf("bash -c: want hi and exit 3 passed through, got %s", r)
	}
	if r := in.run(in.entry, nil, "fit", "version"); r.code != 0 || r.stdout != "Version: 3.6.0\n" {
		t.Errorf("fit version: want only the release's output, got %s", r)
	}
	// no stop command in any release: the entrypoint hands it to fit, which refuses it
	if r := in.run(in.entry, nil, "fit", "stop"); r.code != 1 || !strings.Contains(r.stderr, "Unknown command: stop") {
		t.Errorf("fit stop: want the release's Unknown command, got %s", r)
	}
}

// The release's own configuration mechanism: FIT_* variables become key=value arguments, the shipped
// conf is never written, a unique worker id is made, the dynamic folder works, SIGTERM stops cleanly.
func TestStartPerVersion(t *testing.T) {
	for _, v := range []string{"3.6.0", "3.6.2", "3.6.4"} {
		t.Run(v, func(t *testing.T) {
			in := newInstall(t, v)
			port := fitfixture.FreePort(t)
			p := in.start(in.entry, map[string]string{"FIT_HTTP_PORT": fmt.Sprint(port), "FIT_LOG_LEVEL": "DEBUG", "JAVA_OPTS": "-Xmx64m -Ddb.password=hunter2 -Dapplication.name=opts-app"})
			base := fmt.Sprintf("http://127.0.0.1:%d/actuator/", port)
			code, body := get(t, p, base+"plugins")
			if code != 200 || !strings.Contains(body, `"name":"fit-discrete-launcher"`) {
				t.Errorf("plugins: %d %s", code, body)
			}
			code, _ = get(t, p, base+"health")
			if want := map[bool]int{true: 200, false: 404}[v == "3.6.4"]; code != want {
				t.Errorf("health on %s: HTTP %d, want %d", v, code, want)
			}
			args := strings.Join(jvmArgs(t, p), " ")
			host, _ := os.Hostname()
			for _, want := range []string{fmt.Sprintf("server.http.port=%d", port), "worker.id=fit-worker-" + host, "logging.level=debug"} {
				if !strings.Contains(args, want) {
					t.Errorf("JVM command line lacks %q: %s", want, args)
				}
			}
			if b, _ := os.ReadFile(in.confPath()); string(b) != fitfixture.ReleaseConf {
				t.Errorf("the shipped conf was rewritten:\n%s", b)
			}
			hc := in.run(in.health, nil)
			if hc.code != 0 || !strings.Contains(hc.stdout, fmt.Sprintf(":%d/actuator/plugins answered HTTP 200 (port from argument", port)) {
				t.Errorf("healthcheck: %s", hc)
			}
			jar, err := fitfixture.PluginJar("dropped-in", v, false, 5)
			if err != nil {
				t.Fatal(err)
			}
			mustWrite(t, filepath.Join(in.javaDir, "dynamic-plugins", "dropped-in.jar"), string(jar), 0o644)
			deadline := time.Now().Add(20 * time.Second)
			for _, body = get(t, p, base+"plugins"); !strings.Contains(body, `"name":"dropped-in"`); _, body = get(t, p, base+"plugins") {
				if time.Now().After(deadline) {
					t.Fatalf("the jar dropped into dynamic-plugins/ is not loaded after 20s: %s", body)
				}
				time.Sleep(500 * time.Millisecond)
			}
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			r := p.wait(t, 30*time.Second)
			out := r.stdout + r.stderr
			if r.code != 0 || !strings.Contains(out, "stopped on SIGTERM") {
				t.Errorf("a requested stop must exit 0: %s", r)
			}
			if strings.Contains(out, "hunter2") || !strings.Contains(out, "-Ddb.password=***") {
				t.Errorf("the secret in JAVA_OPTS must be masked everywhere in the log: %s", out)
			}
			for _, want := range []string{fmt.Sprintf("server.http.port: %d (FIT_HTTP_PORT)", port), "worker.id: fit-worker-" + host + " (default: unique per container)", "application.name: opts-app (-Dapplication.name)", "Application opts-app, worker"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("banner lacks %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

// What the user set wins over the entrypoint's defaults, and the banner says where it came from.
func TestUserSettingsWin(t *testing.T) {
	in := newInstall(t, "3.6.4")
	filePort, argPort := fitfixture.FreePort(t), fitfixture.FreePort(t)
	mounted := strings.NewReplacer("default-worker-id", "mounted-worker", "host: 'localhost'", "host: '10.1.2.3'").Replace(fitfixture.ReleaseConf) +
		fmt.Sprintf("server:\n  http:\n    port: %d\n", filePort)
	mustWrite(t, in.confPath(), mounted, 0o444)
	p := in.start(in.entry, nil)
	code, _ := get(t, p, fmt.Sprintf("http://127.0.0.1:%d/actuator/plugins", filePort))
	if code != 200 {
		t.Errorf("port of the conf file: HTTP %d", code)
	}
	if args := strings.Join(jvmArgs(t, p), " "); strings.Contains(args, "worker.id=") || strings.Contains(args, "worker.host=") {
		t.Errorf("the conf file sets worker id and host; no default may be added: %s", args)
	}
	if hc := in.run(in.health, nil); hc.code != 0 || !strings.Contains(hc.stdout, "port from "+in.confPath()) {
		t.Errorf("healthcheck must find the file's port: %s", hc)
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	r := p.wait(t, 30*time.Second)
	if r.code != 0 || !strings.Contains(r.stdout, "worker.id: mounted-worker ("+in.confPath()+")") {
		t.Errorf("want exit 0 and the worker id of the file: %s", r)
	}

	// an argument beats the variable, which is reported as not applied
	p = in.start(in.entry, map[string]string{"FIT_HTTP_PORT": fmt.Sprint(filePort)}, "fit", "start", fmt.Sprintf("server.http.port=%d", argPort))
	if code, _ := get(t, p, fmt.Sprintf("http://127.0.0.1:%d/actuator/plugins", argPort)); code != 200 {
		t.Errorf("argument port: HTTP %d", code)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	r = p.wait(t, 30*time.Second)
	if !strings.Contains(r.stderr, fmt.Sprintf("FIT_HTTP_PORT=%d is not applied: the argument server.http.port=%d is", filePort, argPort)) {
		t.Errorf("want a warning that FIT_HTTP_PORT is not applied: %s", r)
	}
}

// FIT ending by itself is an error for a restart policy, even when fit.js reports 0 (SIGKILL, as an OOM kill).
func TestFitEndingByItself(t *testing.T) {
	in := newInstall(t, "3.6.2")
	port := fitfixture.FreePort(t)
	p := in.start(in.entry, map[string]string{"FIT_HTTP_PORT": fmt.Sprint(port)})
	get(t, p, fmt.Sprintf("http://127.0.0.1:%d/actuator/plugins", port))
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if b, _ := os.ReadFile(d + "/cmdline"); bytes.Contains(b, []byte(in.javaDir+"/fit-discrete-launcher-")) {
			_ = syscall.Kill(atoi(filepath.Base(d)), syscall.SIGKILL)
		}
	}
	if r := p.wait(t, 30*time.Second); r.code == 0 || !strings.Contains(r.stderr, "ended without being asked to stop") {
		t.Errorf("want a non-zero exit saying FIT ended by itself: %s", r)
	}
	// a malformed argument makes the release's start fail, and the entrypoint passes the failure on
	if r := in.run(in.entry, nil, "fit", "start", "not-a-setting"); r.code != 1 || !strings.Contains(r.stdout, "Illegal command line argument 'not-a-setting'") {
		t.Errorf("malformed argument: %s", r)
	}
	// the JVM refuses --plugin-dir before 3.6.2 only
	in0 := newInstall(t, "3.6.0")
	if r := in0.run(in0.entry, nil, "fit", "start", "--plugin-dir=/tmp"); r.code == 0 || !strings.Contains(r.stderr, "Unrecognized option: --plugin-dir=/tmp") {
		t.Errorf("3.6.0 with --plugin-dir: %s", r)
	}
}

func TestBadSettings(t *testing.T) {
	in := newInstall(t, "3.6.0")
	cases := map[string]string{
		"FIT_LOG_LEVEL=verbose": "FIT_LOG_LEVEL=verbose is not a level FIT knows",
		"FIT_HTTP_PORT=80a":     "FIT_HTTP_PORT must be a port number 1-65535, got '80a'",
		"FIT_REGISTRY_PORT=0":   "FIT_REGISTRY_PORT must be a port number",
		"FIT_WORKER_ID=a\nb":    "FIT_WORKER_ID must be one line",
	}
	for kv, want := range cases {
		k, v, _ := strings.Cut(kv, "=")
		r := in.run(in.entry, map[string]string{k: v})
		if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Contains(r.stdout, "Running command") {
			t.Errorf("%s: want %q and no start, got %s", kv, want, r)
		}
	}
	if r := in.run(in.health, nil); r.code != 1 || !strings.Contains(r.stdout, "unhealthy: FIT is not running") {
		t.Errorf("healthcheck without FIT: %s", r)
	}
	// FIT runs but does not answer: one line that says so
	in = newInstallOf(t, fitfixture.Options{Version: "3.6.0", Variant: fitfixture.NeverHealthy})
	port := fitfixture.FreePort(t)
	p := in.start(in.entry, map[string]string{"FIT_HTTP_PORT": fmt.Sprint(port)})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.stdout.String(), "HTTP server disabled") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if r := in.run(in.health, nil); r.code != 1 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, fmt.Sprintf("unhealthy: no answer from GET http://127.0.0.1:%d/actuator/plugins (port from argument server.http.port=; curl status 7", port)) {
		t.Errorf("healthcheck while FIT does not answer: %s", r)
	}
}

// The library resolves a setting as FIT does: argument > -D > environment > conf file.
func TestFitSetting(t *testing.T) {
	in := newInstall(t, "3.6.0")
	probe := func(env map[string]string, args ...string) string {
		script := `source "$1"; shift; http_port "$@"; echo "$SETTING from $SOURCE"`
		r := in.run("/bin/bash", env, append([]string{"-c", script, "probe", in.lib}, args...)...)
		return strings.TrimSpace(r.stdout)
	}
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "8080 from default"},
		{map[string]string{"server.http.port": "7001"}, nil, "7001 from environment server.http.port"},
		{map[string]string{"FIT_SEPARATOR": "__", "server__http__port": "7002"}, nil, "7002 from environment server__http__port"},
		{map[string]string{"server.http.port": "7001", "JAVA_OPTS": "-Xmx1m -Dserver.http.port=7003"}, nil, "7003 from -Dserver.http.port"},
		{map[string]string{"JAVA_OPTS": "-Dserver.http.port=7003"}, []string{"-jar", "x.jar", "server.http.port=7004", "--server.http.port=7005"}, "7005 from argument server.http.port="},
	}
	for _, c := range cases {
		if got := probe(c.env, c.args...); got != c.want {
			t.Errorf("%v %v: got %q, want %q", c.env, c.args, got, c.want)
		}
	}
	mustWrite(t, in.confPath(), fitfixture.ReleaseConf+"server:\n  http:\n    port: '7006'   # mine\n", 0o644)
	if got := probe(nil); got != "7006 from "+in.confPath() {
		t.Errorf("conf file: got %q", got)
	}
	mustWrite(t, strings.TrimSuffix(in.confPath(), "yml")+"yaml", "x: 1\n", 0o644)
	r := in.run(in.entry, nil)
	if r.code != 1 || !strings.Contains(r.stdout, "Too many external config files") {
		t.Errorf("two conf files: the release's start fails, and so does the entrypoint: %s", r)
	}
	script := `source "$1"; conf_get "$2" matata.registry.port; conf_get "$2" worker.host; conf_get "$2" worker.exit.graceful`
	if r := in.run("/bin/bash", nil, "-c", script, "probe", in.lib, in.confPath()); r.stdout != "8080\nlocalhost\ntrue\n" {
		t.Errorf("conf_get: %s", r)
	}
}
