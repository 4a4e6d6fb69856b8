package scripts

// These tests run the two scripts with the host's bash against a temporary FIT_JAVA_DIR whose
// bin/fit is a small fake launcher (fakeFit below). No container engine is involved. The scripts
// and their library are laid out as in the image (see install), so they find the library by
// its default relative path unless a test says otherwise.
//
// Tests that start a "fit start" process must not run in parallel: the healthcheck scans every
// process of the host, so a fake launcher left by one test would be seen by another.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeFit stands in for the FIT launcher. It appends one line per call to $FAKE_FIT_LOG. For
// start/debug it exits at once with $FAKE_FIT_EXIT when that is set; otherwise it runs until
// SIGTERM, serving $FAKE_FIT_HTTP_DIR on $FAKE_FIT_HTTP_PORT with python's http.server when
// asked to. "stop" fails on purpose, as the 3.x launcher has no stop command.
const fakeFit = `#!/usr/bin/env bash
log=${FAKE_FIT_LOG:?}
printf 'args=%s|cwd=%s|jdk=%s\n' "$*" "$PWD" "${JDK_JAVA_OPTIONS:-}" >>"$log"
case ${1:-} in
start | debug)
	echo "fake fit: started"
	if [[ -n ${FAKE_FIT_EXIT:-} ]]; then
		exit "$FAKE_FIT_EXIT"
	fi
	server=
	if [[ -n ${FAKE_FIT_HTTP_DIR:-} ]]; then
		"$FAKE_PYTHON" -m http.server "$FAKE_FIT_HTTP_PORT" --bind 127.0.0.1 --directory "$FAKE_FIT_HTTP_DIR" >/dev/null 2>&1 &
		server=$!
	fi
	trap 'echo "got TERM" >>"$log"; [[ -n $server ]] && kill "$server"; wait; exit 0' TERM
	echo "pid=$$" >>"$log"
	while :; do
		sleep 0.2 &
		wait $!
	done
	;;
stop)
	echo "stop requested" >>"$log"
	exit 3
	;;
version) echo "Version: 9.9.9" ;;
*)
	echo "fake fit: unknown command ${1:-}" >&2
	exit 1
	;;
esac
`

// fixture is one temporary FIT installation plus the installed scripts.
type fixture struct {
	t        *testing.T
	root     string
	javaDir  string
	launcher string
	entry    string // installed entrypoint (file name fit-entrypoint, like in the image)
	health   string // installed healthcheck
	lib      string // installed library, ../lib/fit-images/common.sh from the scripts
	calls    string // log of the fake launcher
	env      map[string]string
	cred     *syscall.Credential // run the scripts as this user when set (see asNobody)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	f := &fixture{
		t:       t,
		root:    root,
		javaDir: filepath.Join(root, "java"),
		calls:   filepath.Join(root, "fit-calls.log"),
	}
	f.launcher = filepath.Join(f.javaDir, "bin", "fit")
	mustWrite(t, f.launcher, fakeFit, 0o755)
	installed := install(t, root)
	f.entry, f.health, f.lib = installed[EntrypointPath], installed[HealthcheckPath], installed[LibraryPath]
	f.env = map[string]string{
		"PATH":          os.Getenv("PATH"),
		"HOME":          root,
		"FIT_VERSION":   "3.6.0-test",
		"FIT_HOME":      root,
		"FIT_JAVA_DIR":  f.javaDir,
		"JAVA_HOME":     "/opt/test-jdk",
		"JAVA_OPTS":     "-Xms16m -Xmx32m",
		"FAKE_FIT_LOG":  f.calls,
		"FAKE_FIT_EXIT": "0",
	}
	return f
}

// installPrefix is the folder of the image that Files() installs into.
const installPrefix = "/usr/local/"

// install writes Files() below prefix as the image does below /usr/local (bin/fit-entrypoint,
// bin/fit-healthcheck, lib/fit-images/common.sh) and returns where each image path went.
func install(t *testing.T, prefix string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range Files() {
		rel, ok := strings.CutPrefix(f.Path, installPrefix)
		if !ok {
			t.Fatalf("%s is not below %s", f.Path, installPrefix)
		}
		out[f.Path] = filepath.Join(prefix, rel)
		mustWrite(t, out[f.Path], f.Content, os.FileMode(f.Mode))
	}
	return out
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

func (f *fixture) environ(extra map[string]string) []string {
	merged := map[string]string{}
	for k, v := range f.env {
		merged[k] = v
	}
	for k, v := range extra {
		merged[k] = v
	}
	var out []string
	for k, v := range merged {
		if v != "\x00unset" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// unset marks a variable to drop from the environment in the extra map of run/start.
const unset = "\x00unset"

type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run executes script with args and waits (at most 30 s) for it to end.
func (f *fixture) run(script string, extra map[string]string, args ...string) result {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, args...)
	cmd.Env = f.environ(extra)
	cmd.Dir = f.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: f.cred}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(began)}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	default:
		f.t.Fatalf("running %s: %v", script, err)
	}
	if ctx.Err() != nil {
		f.t.Fatalf("%s %v did not finish within 30s\n%s", filepath.Base(script), args, r)
	}
	return r
}

// started is a script running in the background (its own process group, killed at cleanup).
type started struct {
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer
	done           chan struct{} // closed when the process has ended; err is then set
	err            error
}

func (f *fixture) start(script string, extra map[string]string, args ...string) *started {
	f.t.Helper()
	cmd := exec.Command(script, args...)
	cmd.Env = f.environ(extra)
	cmd.Dir = f.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &started{cmd: cmd, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	f.t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
		}
	})
	return s
}

// wait waits up to limit for the process to end and returns its exit code.
func (s *started) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
		var exitErr *exec.ExitError
		if errors.As(s.err, &exitErr) {
			return exitErr.ExitCode()
		}
		if s.err != nil {
			t.Fatal(s.err)
		}
		return 0
	case <-time.After(limit):
		t.Fatalf("process did not end within %s\nstdout:\n%s\nstderr:\n%s", limit, s.stdout, s.stderr)
		return -1
	}
}

func (f *fixture) callLog() string {
	b, err := os.ReadFile(f.calls)
	if err != nil && !os.IsNotExist(err) {
		f.t.Fatal(err)
	}
	return string(b)
}

// waitForCall polls the launcher log until it contains s.
func (f *fixture) waitForCall(s string, limit time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if strings.Contains(f.callLog(), s) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.t.Fatalf("the fake launcher log never showed %q within %s; log:\n%s", s, limit, f.callLog())
}

func (f *fixture) confPath() string { return filepath.Join(f.javaDir, "conf", "fitframework.yml") }

func (f *fixture) readConf() string {
	f.t.Helper()
	b, err := os.ReadFile(f.confPath())
	if err != nil {
		f.t.Fatalf("conf file: %v", err)
	}
	return string(b)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func hasLine(out, line string) bool {
	for _, l := range strings.Split(out, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// listen listens on a free TCP port of host, or skips the test when host has no such address.
func listen(t *testing.T, host string) (net.Listener, int) {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s on this host: %v", host, err)
	}
	return l, l.Addr().(*net.TCPAddr).Port
}

// freePort returns a TCP port on host that nothing listens on right now.
func freePort(t *testing.T, host string) int {
	t.Helper()
	l, port := listen(t, host)
	l.Close()
	return port
}

// acceptingPort returns a port on host that accepts (and at once closes) every TCP connection
// until the test ends.
func acceptingPort(t *testing.T, host string) int {
	t.Helper()
	l, port := listen(t, host)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return port
}

// pythonExe is the real python3 binary (not a pyenv shim), or a skip.
func pythonExe(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("SKIPPED: python3 is not installed, so the fake launcher cannot serve HTTP for the healthcheck")
	}
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Skipf("SKIPPED: python3 does not run (%v), so the fake launcher cannot serve HTTP", err)
	}
	return strings.TrimSpace(string(out))
}

// toolDir makes a directory holding links to just the named host tools, for a narrow PATH.
func toolDir(t *testing.T, tools ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("host tool %s is missing: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAPI(t *testing.T) {
	if EntrypointPath != "/usr/local/bin/fit-entrypoint" || HealthcheckPath != "/usr/local/bin/fit-healthcheck" {
		t.Fatalf("install paths changed: %s %s", EntrypointPath, HealthcheckPath)
	}
	for name, text := range map[string]string{"entrypoint": Entrypoint(), "healthcheck": Healthcheck()} {
		if !strings.HasPrefix(text, "#!/bin/bash\n") {
			t.Errorf("%s must start with #!/bin/bash, starts with %q", name, text[:min(len(text), 20)])
		}
		if strings.Contains(text, "\r") {
			t.Errorf("%s contains carriage returns", name)
		}
	}
}

func TestFiles(t *testing.T) {
	if LibraryPath != "/usr/local/lib/fit-images/common.sh" {
		t.Fatalf("library path changed: %s", LibraryPath)
	}
	want := []struct {
		path, content string
		mode          int
	}{
		{LibraryPath, library, 0o644},
		{EntrypointPath, Entrypoint(), 0o755},
		{HealthcheckPath, Healthcheck(), 0o755},
	}
	files := Files()
	if len(files) != len(want) {
		t.Fatalf("Files() has %d entries, want %d: %+v", len(files), len(want), files)
	}
	for i, w := range want {
		f := files[i]
		if f.Path != w.path || f.Mode != w.mode || f.Content != w.content || f.Content == "" {
			t.Errorf("Files()[%d] = %s mode %o (%d bytes), want %s mode %o", i, f.Path, f.Mode, len(f.Content), w.path, w.mode)
		}
	}
	// the scripts look for the library at ../lib/fit-images/common.sh from their own folder
	for _, script := range []string{EntrypointPath, HealthcheckPath} {
		if got := filepath.Join(filepath.Dir(script), "../lib/fit-images/common.sh"); got != LibraryPath {
			t.Errorf("%s would look for its library at %s, but it is installed at %s", script, got, LibraryPath)
		}
	}
	if strings.HasPrefix(library, "#!") || !strings.HasPrefix(library, "# shellcheck shell=bash\n") {
		t.Errorf("common.sh is sourced, not run: it must start with '# shellcheck shell=bash' and have no #! line")
	}
	if strings.Contains(library, "\r") {
		t.Errorf("common.sh contains carriage returns")
	}
	for name, text := range map[string]string{"entrypoint": Entrypoint(), "healthcheck": Healthcheck()} {
		for _, fn := range []string{"nap() {", "tcp_open() {", "conf_get() {", "conf_set() {", "yaml_scalar() {", "_conf_value() {"} {
			if strings.Contains(text, fn) {
				t.Errorf("%s defines %s again; it belongs in common.sh", name, fn)
			}
		}
	}
}

func TestScriptsParse(t *testing.T) {
	for _, file := range []string{"common.sh", "entrypoint.sh", "healthcheck.sh"} {
		if out, err := exec.Command("bash", "-n", file).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", file, err, out)
		}
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

func TestHelp(t *testing.T) {
	f := newFixture(t)
	// help must work even without a FIT installation
	if err := os.Remove(f.launcher); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"help", "--help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			r := f.run(f.entry, nil, arg)
			if r.code != 0 {
				t.Fatalf("want exit 0\n%s", r)
			}
			for _, want := range []string{
				"Usage:", "fit start", "fit version",
				"FIT_WORKER_ID", "fit-worker-<hostname>", "FIT_HTTP_PORT", "FIT_REGISTRY_HOST", "(default: localhost)",
				"FIT_REGISTRY_PORT", "(default: 8080)", "FIT_APP_NAME", "(default: fit-app)", "FIT_LOG_LEVEL",
				"(default: info)", "JAVA_OPTS", "FIT_REGISTRY_WAIT",
				f.javaDir + "/dynamic-plugins", f.javaDir + "/conf", f.javaDir + "/logs", f.javaDir + "/data",
				"Examples:", "docker run", "override the values of an existing one", "is never modified",
			} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("usage lacks %q\n%s", want, r)
				}
			}
			if exists(filepath.Join(f.javaDir, "conf")) || f.callLog() != "" {
				t.Errorf("help must not prepare anything nor call fit")
			}
		})
	}
}

func TestPassthrough(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.entry, nil, "bash", "-c", "echo hi; exit 7")
	if r.stdout != "hi\n" || r.code != 7 {
		t.Fatalf("want stdout %q and exit 7 from the command itself\n%s", "hi\n", r)
	}
	if r.stderr != "" {
		t.Errorf("passthrough should print nothing of its own\n%s", r)
	}
	for _, sub := range []string{"conf", "logs", "data", "dynamic-plugins"} {
		if exists(filepath.Join(f.javaDir, sub)) {
			t.Errorf("passthrough created %s", sub)
		}
	}
	if f.callLog() != "" {
		t.Errorf("passthrough called the launcher: %s", f.callLog())
	}

	// id -u as in `docker run IMG bash -c 'id -u'`
	r = f.run(f.entry, nil, "bash", "-c", "id -u")
	if r.code != 0 || strings.TrimSpace(r.stdout) != strconv.Itoa(os.Getuid()) {
		t.Fatalf("want our uid %d\n%s", os.Getuid(), r)
	}
}

func TestNoArgumentsMeansFitStart(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.entry, nil)
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	want := "args=start|cwd=" + filepath.Join(f.javaDir, "dynamic-plugins") + "|jdk=-Xms16m -Xmx32m\n"
	if f.callLog() != want {
		t.Fatalf("launcher calls:\n%s\nwant:\n%s", f.callLog(), want)
	}
	if !strings.Contains(r.stdout, "fake fit: started") {
		t.Errorf("the launcher's output should reach stdout\n%s", r)
	}
}

func TestFitStartArgumentsAndExitCode(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.entry, map[string]string{"FAKE_FIT_EXIT": "5", "JAVA_OPTS": unset}, "fit", "start", "--plugin-dir=/x", "a=b")
	if r.code != 5 {
		t.Fatalf("want the launcher's exit status 5\n%s", r)
	}
	if !strings.HasPrefix(f.callLog(), "args=start --plugin-dir=/x a=b|") || !strings.HasSuffix(f.callLog(), "|jdk=\n") {
		t.Fatalf("launcher calls: %q", f.callLog())
	}
	if !hasLine(r.stdout, "[fit-entrypoint] fit start exited with status 5") {
		t.Errorf("exit status not logged\n%s", r)
	}
}

func TestOtherFitCommandsRunDirectly(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.entry, nil, "fit", "version")
	if r.code != 0 || r.stdout != "Version: 9.9.9\n" {
		t.Fatalf("want only the launcher's output\n%s", r)
	}
	if exists(filepath.Join(f.javaDir, "conf")) || exists(filepath.Join(f.javaDir, "logs")) {
		t.Errorf("fit version must not prepare the runtime")
	}
	r = f.run(f.entry, nil, "fit", "bogus")
	if r.code != 1 || !strings.Contains(r.stderr, "unknown command bogus") {
		t.Fatalf("want the launcher's own failure\n%s", r)
	}
}

func TestMissingLauncher(t *testing.T) {
	f := newFixture(t)
	if err := os.Remove(f.launcher); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"fit", "start"}, {"fit", "version"}} {
		r := f.run(f.entry, nil, args...)
		if r.code != 1 {
			t.Fatalf("%v: want exit 1\n%s", args, r)
		}
		if !strings.Contains(r.stderr, "ERROR: FIT launcher not found: "+f.launcher) {
			t.Errorf("%v: unclear message\n%s", args, r)
		}
	}
	if exists(f.confPath()) {
		t.Errorf("no conf should be written without a launcher")
	}
}

func TestLauncherMadeExecutable(t *testing.T) {
	f := newFixture(t)
	if err := os.Chmod(f.launcher, 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.run(f.entry, nil)
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	st, err := os.Stat(f.launcher)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o111 == 0 {
		t.Errorf("launcher still not executable: %v", st.Mode())
	}
	if !strings.Contains(r.stderr, "made "+f.launcher+" executable") || !strings.Contains(f.callLog(), "args=start|") {
		t.Errorf("launcher not fixed and started\n%s\ncalls: %s", r, f.callLog())
	}
}

const wantConf = `application:
  name: fit-app

worker:
  id: e2e-worker
  host: 0.0.0.0
  environment: local
  environment-sequence: local

matata:
  registry:
    host: localhost
    port: 8080
    protocol: 2
    environment: local

fit:
  beans:
    packages:
      - modelengine.fitframework
      - modelengine.fit

server:
  http:
    port: 9090

logging:
  level: info
`

// confBody drops the leading comment lines of a generated conf file.
func confBody(conf string) string {
	lines := strings.SplitAfter(conf, "\n")
	for len(lines) > 0 && strings.HasPrefix(lines[0], "#") {
		lines = lines[1:]
	}
	return strings.Join(lines, "")
}

func TestConfGenerated(t *testing.T) {
	t.Run("from env", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.entry, map[string]string{"FIT_WORKER_ID": "e2e-worker", "FIT_HTTP_PORT": "9090"})
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		conf := f.readConf()
		if got := confBody(conf); got != wantConf {
			t.Fatalf("conf file:\n%s\nwant body:\n%s", conf, wantConf)
		}
		for _, sub := range []string{"logs", "data", "dynamic-plugins"} {
			if st, err := os.Stat(filepath.Join(f.javaDir, sub)); err != nil || !st.IsDir() {
				t.Errorf("%s not created: %v", sub, err)
			}
		}
		if !strings.Contains(r.stdout, "wrote "+f.confPath()) {
			t.Errorf("conf creation not logged\n%s", r)
		}
	})

	t.Run("all settings", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.entry, allSettings())
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		conf := f.readConf()
		for _, want := range []string{
			"application:\n  name: shop\n",
			"worker:\n  id: w-1\n  host: 0.0.0.0\n  environment: prod\n",
			"matata:\n  registry:\n    host: localhost\n    port: 18080\n    protocol: 2\n    environment: prod\n",
			"server:\n  http:\n    port: 8081\n", // leading zero dropped
			"logging:\n  level: debug\n",
		} {
			if !strings.Contains(conf, want) {
				t.Errorf("conf lacks %q\n%s", want, conf)
			}
		}
	})

	t.Run("defaults", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.entry, nil)
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		host := ""
		if out, err := exec.Command("hostname").Output(); err == nil {
			host = strings.TrimSpace(string(out))
		} else if host, err = os.Hostname(); err != nil {
			t.Fatal(err)
		}
		conf := f.readConf()
		for _, want := range []string{
			"  name: fit-app\n", "  id: " + yamlPlainOrQuoted("fit-worker-"+host) + "\n",
			"    host: localhost\n    port: 8080\n", "  http:\n    port: 8080\n", "  level: info\n",
		} {
			if !strings.Contains(conf, want) {
				t.Errorf("conf lacks %q\n%s", want, conf)
			}
		}
	})

	t.Run("values needing quotes", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.entry, map[string]string{"FIT_WORKER_ID": "worker: #1", "FIT_APP_NAME": "it's", "FIT_ENVIRONMENT": "true"})
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		conf := f.readConf()
		for _, want := range []string{"  id: 'worker: #1'\n", "  name: 'it''s'\n", "  environment: 'true'\n"} {
			if !strings.Contains(conf, want) {
				t.Errorf("conf lacks %q\n%s", want, conf)
			}
		}
		if !hasLine(r.stdout, "[fit-entrypoint] Worker ID: worker: #1") {
			t.Errorf("banner should show the raw worker id\n%s", r)
		}
	})

	t.Run("hostname command missing", func(t *testing.T) {
		f := newFixture(t)
		path := toolDir(t, "bash", "mkdir", "chmod", "sleep")
		r := f.run(f.entry, map[string]string{"PATH": path, "HOSTNAME": "env-host"})
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		want := "env-host"
		if b, err := os.ReadFile("/etc/hostname"); err == nil && strings.TrimSpace(string(b)) != "" {
			want = strings.TrimSpace(string(b))
		}
		if !strings.Contains(f.readConf(), "  id: "+yamlPlainOrQuoted("fit-worker-"+want)+"\n") {
			t.Errorf("want worker id fit-worker-%s\n%s", want, f.readConf())
		}
	})
}

// yamlPlainOrQuoted mirrors the script's quoting for the simple values these tests use.
func yamlPlainOrQuoted(s string) string {
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	}
	return s
}

// TestExistingConfKept: a mounted conf file (here: the file itself is a mount point) is never
// modified; the FIT_* variables that differ from it are reported as not applied.
func TestExistingConfKept(t *testing.T) {
	f := newFixture(t)
	own := "# mine\nworker:\n  id: 'conf-worker'   # set by hand\nserver:\n  http:\n    port: 7070\n" +
		"matata:\n  registry:\n    host: localhost\n    port: 7171\nfit:\n  beans:\n    packages:\n    - 'x'\n"
	mustWrite(t, f.confPath(), own, 0o444)
	before, _ := os.Stat(f.confPath())
	r := f.run(f.entry, map[string]string{"FIT_WORKER_ID": "env-worker", "FIT_HTTP_PORT": "9090", "FIT_MOUNTINFO": fakeMountinfo(t, f.confPath())})
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	if got := f.readConf(); got != own {
		t.Fatalf("existing conf was changed:\n%s", got)
	}
	if after, _ := os.Stat(f.confPath()); !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("existing conf was rewritten")
	}
	for _, want := range []string{
		"[fit-entrypoint] Worker ID: conf-worker",
		"[fit-entrypoint] HTTP port: 7070",
		"[fit-entrypoint] Registry: localhost:7171",
	} {
		if !hasLine(r.stdout, want) {
			t.Errorf("banner lacks %q\n%s", want, r)
		}
	}
	if !strings.Contains(r.stdout, "read from conf/fitframework.yml") {
		t.Errorf("banner should say where the values come from\n%s", r)
	}
	for _, want := range []string{"FIT_WORKER_ID=env-worker is not applied", "FIT_HTTP_PORT=9090 is not applied"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks warning %q\n%s", want, r)
		}
	}

	// keys the file does not set fall back to the environment (here the conf folder is mounted)
	g := newFixture(t)
	mustWrite(t, g.confPath(), "application:\n  name: bare\n", 0o644)
	r = g.run(g.entry, map[string]string{"FIT_WORKER_ID": "env-worker", "FIT_HTTP_PORT": "9091", "FIT_MOUNTINFO": fakeMountinfo(t, filepath.Dir(g.confPath()))})
	if r.code != 0 || !hasLine(r.stdout, "[fit-entrypoint] Worker ID: env-worker") || !hasLine(r.stdout, "[fit-entrypoint] HTTP port: 9091") {
		t.Fatalf("want env values for keys absent from the conf\n%s", r)
	}
	if g.readConf() != "application:\n  name: bare\n" {
		t.Errorf("existing conf was changed")
	}
}

func TestBadSettings(t *testing.T) {
	cases := []struct{ name, value, message string }{
		{"FIT_HTTP_PORT", "abc", "FIT_HTTP_PORT must be a port number between 1 and 65535, got 'abc'"},
		{"FIT_HTTP_PORT", "0", "FIT_HTTP_PORT must be a port number between 1 and 65535, got '0'"},
		{"FIT_HTTP_PORT", "65536", "got '65536'"},
		{"FIT_HTTP_PORT", "-1", "got '-1'"},
		{"FIT_HTTP_PORT", "80 80", "got '80 80'"},
		{"FIT_HTTP_PORT", "99999999999999999999", "FIT_HTTP_PORT must be a port number"},
		{"FIT_REGISTRY_PORT", "http", "FIT_REGISTRY_PORT must be a port number between 1 and 65535, got 'http'"},
		{"FIT_REGISTRY_PORT", "70000", "FIT_REGISTRY_PORT must be a port number"},
		{"FIT_REGISTRY_WAIT", "soon", "FIT_REGISTRY_WAIT must be a whole number of seconds"},
		{"FIT_REGISTRY_HOST", "reg host", "FIT_REGISTRY_HOST must be a host name"},
		{"FIT_WORKER_ID", "a\nb", "FIT_WORKER_ID must be a single line"},
		{"FIT_LOG_LEVEL", "info; rm", "FIT_LOG_LEVEL must be a level name"},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			f := newFixture(t)
			r := f.run(f.entry, map[string]string{c.name: c.value})
			if r.code != 1 {
				t.Fatalf("want exit 1\n%s", r)
			}
			if !strings.HasPrefix(r.stderr, "[fit-entrypoint] ERROR: "+c.name+" ") || !strings.Contains(r.stderr, c.message) {
				t.Errorf("want message %q\n%s", c.message, r)
			}
			if exists(f.confPath()) || f.callLog() != "" {
				t.Errorf("nothing may be written or started after a bad setting")
			}
		})
	}
	t.Run("edge ports are fine", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.entry, map[string]string{"FIT_HTTP_PORT": "65535", "FIT_REGISTRY_PORT": "1"})
		if r.code != 0 || !strings.Contains(f.readConf(), "    port: 65535\n") || !strings.Contains(f.readConf(), "    port: 1\n") {
			t.Fatalf("ports 1 and 65535 must be accepted\n%s", r)
		}
	})
}

func TestBanner(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.entry, map[string]string{"FIT_WORKER_ID": "e2e-worker", "FIT_HTTP_PORT": "9090"}, "fit", "start")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	for _, want := range []string{
		"FIT Framework 3.6.0-test",
		"Worker ID: e2e-worker",
		"HTTP port: 9090",
		"Registry: localhost:8080",
		"JAVA_HOME: /opt/test-jdk",
		"FIT home: " + f.javaDir,
		"Log level: info",
		"JAVA_OPTS: -Xms16m -Xmx32m",
	} {
		if !hasLine(r.stdout, "[fit-entrypoint] "+want) {
			t.Errorf("banner lacks the line %q\n%s", "[fit-entrypoint] "+want, r)
		}
	}
	// the banner comes before the launcher's own output
	if strings.Index(r.stdout, "FIT Framework 3.6.0-test") > strings.Index(r.stdout, "fake fit: started") {
		t.Errorf("banner printed after fit started\n%s", r)
	}
	if strings.Contains(r.stdout, "waiting") {
		t.Errorf("no registry wait expected for localhost\n%s", r)
	}
}

func TestRegistryWait(t *testing.T) {
	// 127.0.0.2 is loopback on Linux but not one of the names the entrypoint treats as local.
	t.Run("unreachable", func(t *testing.T) {
		f := newFixture(t)
		port := freePort(t, "127.0.0.2")
		r := f.run(f.entry, map[string]string{
			"FIT_REGISTRY_HOST": "127.0.0.2", "FIT_REGISTRY_PORT": strconv.Itoa(port), "FIT_REGISTRY_WAIT": "2",
		})
		if r.code != 0 {
			t.Fatalf("an unreachable registry must not stop the start\n%s", r)
		}
		if !strings.Contains(r.stdout, fmt.Sprintf("waiting up to 2s for registry 127.0.0.2:%d", port)) ||
			!strings.Contains(r.stderr, fmt.Sprintf("WARNING: registry 127.0.0.2:%d is not reachable after 2s; starting FIT anyway", port)) {
			t.Errorf("wait not logged\n%s", r)
		}
		if r.elapsed < 2*time.Second || r.elapsed > 10*time.Second {
			t.Errorf("waited %s, want about 2s", r.elapsed)
		}
		if !strings.Contains(f.callLog(), "args=start|") {
			t.Errorf("fit was not started after the wait")
		}
		if !hasLine(r.stdout, fmt.Sprintf("[fit-entrypoint] Registry: 127.0.0.2:%d", port)) {
			t.Errorf("banner lacks the registry\n%s", r)
		}
	})

	reachable := func(t *testing.T, path string) {
		port := acceptingPort(t, "127.0.0.2")
		f := newFixture(t)
		extra := map[string]string{"FIT_REGISTRY_HOST": "127.0.0.2", "FIT_REGISTRY_PORT": strconv.Itoa(port)}
		if path != "" {
			extra["PATH"] = path
		}
		r := f.run(f.entry, extra)
		if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("registry 127.0.0.2:%d is reachable", port)) {
			t.Fatalf("registry not detected\n%s", r)
		}
		if r.elapsed > 5*time.Second {
			t.Errorf("took %s although the registry answered at once", r.elapsed)
		}
	}
	t.Run("reachable", func(t *testing.T) { reachable(t, "") })
	t.Run("reachable without timeout or nc", func(t *testing.T) {
		reachable(t, toolDir(t, "bash", "mkdir", "chmod", "sleep", "hostname"))
	})

	t.Run("no wait when FIT_REGISTRY_WAIT=0", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.entry, map[string]string{"FIT_REGISTRY_HOST": "registry.invalid", "FIT_REGISTRY_WAIT": "0"})
		if r.code != 0 || !strings.Contains(r.stdout, "FIT_REGISTRY_WAIT=0: not waiting for registry registry.invalid:8080") {
			t.Fatalf("want no wait\n%s", r)
		}
	})
}

func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		name := map[syscall.Signal]string{syscall.SIGTERM: "TERM", syscall.SIGINT: "INT"}[sig]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			p := f.start(f.entry, map[string]string{"FAKE_FIT_EXIT": unset}, "fit", "start")
			f.waitForCall("pid=", 10*time.Second)
			childPid := 0
			for _, l := range strings.Split(f.callLog(), "\n") {
				if v, ok := strings.CutPrefix(l, "pid="); ok {
					childPid, _ = strconv.Atoi(v)
				}
			}
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code := p.wait(t, 15*time.Second)
			if code != 0 {
				t.Errorf("want exit 0 after SIG%s, got %d\nstdout:\n%s\nstderr:\n%s", name, code, p.stdout, p.stderr)
			}
			calls := f.callLog()
			if !strings.Contains(calls, "args=stop|") || !strings.Contains(calls, "stop requested") {
				t.Errorf("fit stop was not called:\n%s", calls)
			}
			if !strings.Contains(calls, "got TERM") {
				t.Errorf("the fit child did not get SIGTERM:\n%s", calls)
			}
			if strings.Index(calls, "args=stop|") > strings.Index(calls, "got TERM") {
				t.Errorf("fit stop should be asked before the child is terminated:\n%s", calls)
			}
			if !strings.Contains(p.stdout.String(), "received SIG"+name+", stopping FIT") ||
				!strings.Contains(p.stdout.String(), "'fit stop' ended with status 3 (ignored)") {
				t.Errorf("shutdown not logged\n%s", p.stdout)
			}
			if childPid == 0 {
				t.Fatalf("no child pid in the launcher log")
			}
			if err := syscall.Kill(childPid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("fit child %d still exists after the entrypoint ended (kill -0: %v)", childPid, err)
			}
		})
	}
}

// dummy starts a bash process whose command line is "bash -c 'sleep 30; :' ARGS..." so the
// healthcheck can be shown specific command lines.
// hostFitStart returns the pid of a process with the words "…fit start" in its command line, as
// the healthcheck would find it, or "".
func hostFitStart() string {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(string(b), "\x00")
		for i := 0; i+1 < len(argv); i++ {
			if (argv[i] == "fit" || strings.HasSuffix(argv[i], "/fit")) && argv[i+1] == "start" {
				return filepath.Base(d)
			}
		}
	}
	return ""
}

func dummy(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"-c", "sleep 30; :"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	// wait until the kernel shows the new command line
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid))
		if strings.Contains(string(b), "sleep 30") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("dummy process never showed its command line")
}

// serve runs python's http.server on 127.0.0.1:port for dir and waits until it accepts.
func serve(t *testing.T, python, dir string, port int) {
	t.Helper()
	cmd := exec.Command(python, "-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1", "--directory", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	waitListening(t, port)
}

func waitListening(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listened on port %d within 10s", port)
}

func TestHealthcheck(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("SKIPPED: no /proc on this host; the healthcheck reads /proc/*/cmdline")
	}
	// the healthcheck sees every process of the host, containers of a running Dagger engine included
	if pid := hostFitStart(); pid != "" {
		t.Skipf("SKIPPED: another `fit start` runs on this host (pid %s, e.g. a FIT container of a Dagger engine or a fixture test): the process checks would see it. Run the tests one package at a time (./hack/test does: go test -p 1)", pid)
	}
	expectOne := func(t *testing.T, r result, code int, prefix string) {
		t.Helper()
		if r.code != code {
			t.Fatalf("want exit %d\n%s", code, r)
		}
		if strings.Count(r.stdout, "\n") != 1 || !strings.HasPrefix(r.stdout, prefix) {
			t.Fatalf("want one line starting with %q\n%s", prefix, r)
		}
	}

	t.Run("no fit process", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.health, nil)
		expectOne(t, r, 1, "unhealthy: no 'fit start' process is running")
	})

	t.Run("entrypoint and look-alikes are not fit start", func(t *testing.T) {
		f := newFixture(t)
		dummy(t, "x", f.entry, "fit", "start")
		dummy(t, "x", "/usr/local/bin/fit-entrypoint", "fit", "start")
		dummy(t, "x", "/opt/bin/fitness", "start")
		dummy(t, "x", "/opt/bin/fit", "status", "start")
		dummy(t, "x", "fit-start")
		r := f.run(f.health, nil)
		expectOne(t, r, 1, "unhealthy: no 'fit start' process is running")
	})

	t.Run("nothing listens", func(t *testing.T) {
		f := newFixture(t)
		dummy(t, "node", f.launcher, "start")
		port := freePort(t, "127.0.0.1")
		r := f.run(f.health, map[string]string{"FIT_HTTP_PORT": strconv.Itoa(port)})
		expectOne(t, r, 1, fmt.Sprintf("unhealthy: nothing listens on port %d (from FIT_HTTP_PORT)", port))
	})

	t.Run("port read from conf", func(t *testing.T) {
		f := newFixture(t)
		dummy(t, "fit", "start")
		port := freePort(t, "127.0.0.1")
		mustWrite(t, f.confPath(), fmt.Sprintf("server:\n  http:\n    port: %d # custom\nworker:\n  port: 1\n", port), 0o644)
		r := f.run(f.health, nil)
		expectOne(t, r, 1, fmt.Sprintf("unhealthy: nothing listens on port %d (from server.http.port in %s)", port, f.confPath()))
	})

	t.Run("conf port wins over FIT_HTTP_PORT", func(t *testing.T) {
		// a mounted conf is never rewritten, so the framework listens where the file says
		f := newFixture(t)
		dummy(t, "fit", "start")
		port := freePort(t, "127.0.0.1")
		mustWrite(t, f.confPath(), fmt.Sprintf("server:\n  http:\n    port: %d\n", port), 0o644)
		r := f.run(f.health, map[string]string{"FIT_HTTP_PORT": "9"})
		expectOne(t, r, 1, fmt.Sprintf("unhealthy: nothing listens on port %d (from server.http.port in %s)", port, f.confPath()))
	})

	t.Run("default port 8080", func(t *testing.T) {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:8080", time.Second); err == nil {
			c.Close()
			t.Skip("SKIPPED: something on this host listens on 8080, so the default-port failure cannot be shown")
		}
		f := newFixture(t)
		dummy(t, "fit", "start")
		r := f.run(f.health, nil)
		expectOne(t, r, 1, "unhealthy: nothing listens on port 8080 (from default)")
	})

	t.Run("invalid port", func(t *testing.T) {
		f := newFixture(t)
		dummy(t, "fit", "start")
		r := f.run(f.health, map[string]string{"FIT_HTTP_PORT": "http"})
		expectOne(t, r, 1, "unhealthy: invalid HTTP port 'http' (from FIT_HTTP_PORT)")
	})

	python := pythonExe(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("SKIPPED: curl is not installed on this host, the HTTP part of the healthcheck cannot be tested")
	}

	t.Run("endpoint answers 404", func(t *testing.T) {
		f := newFixture(t)
		dummy(t, "fit", "start")
		port := freePort(t, "127.0.0.1")
		serve(t, python, t.TempDir(), port)
		r := f.run(f.health, map[string]string{"FIT_HTTP_PORT": strconv.Itoa(port)})
		expectOne(t, r, 1, fmt.Sprintf("unhealthy: GET http://127.0.0.1:%d/actuator/plugins failed: HTTP 404", port))
	})

	t.Run("healthy with the real entrypoint", func(t *testing.T) {
		f := newFixture(t)
		site := t.TempDir()
		mustWrite(t, filepath.Join(site, "actuator", "plugins"), `[{"name":"fake"}]`, 0o644)
		port := freePort(t, "127.0.0.1")
		f.start(f.entry, map[string]string{
			"FAKE_FIT_EXIT": unset, "FIT_HTTP_PORT": strconv.Itoa(port),
			"FAKE_PYTHON": python, "FAKE_FIT_HTTP_DIR": site, "FAKE_FIT_HTTP_PORT": strconv.Itoa(port),
		}, "fit", "start")
		f.waitForCall("pid=", 10*time.Second)
		waitListening(t, port)
		// FIT_HTTP_PORT unset: the port comes from the conf the entrypoint wrote
		r := f.run(f.health, nil)
		expectOne(t, r, 0, "healthy: fit start runs as pid ")
		if !strings.Contains(r.stdout, fmt.Sprintf("port %d accepts connections, GET /actuator/plugins answered HTTP 200", port)) {
			t.Errorf("unexpected healthy line\n%s", r)
		}
		pid := strings.Fields(strings.TrimPrefix(r.stdout, "healthy: fit start runs as pid "))[0]
		b, err := os.ReadFile("/proc/" + strings.TrimSuffix(pid, ",") + "/cmdline")
		if err != nil || !strings.Contains(string(b), f.launcher+"\x00start") {
			t.Errorf("the healthcheck picked pid %s with cmdline %q, not the fake launcher", pid, b)
		}

		// without curl (and without timeout) the HTTP check is skipped
		r = f.run(f.health, map[string]string{"PATH": t.TempDir()})
		expectOne(t, r, 0, "healthy: fit start runs as pid ")
		if !strings.Contains(r.stdout, "curl not installed, HTTP check skipped") {
			t.Errorf("want the skipped HTTP check reported\n%s", r)
		}
	})
}

// TestLibrarySourcing: sourcing common.sh, even under set -euo pipefail, prints nothing and
// changes no variable, option, trap, folder or umask; it only defines its functions.
func TestLibrarySourcing(t *testing.T) {
	const probe = `set -euo pipefail
before= after= funcs=
snap() { compgen -v; echo ---; set +o; shopt -p; trap -p; pwd; umask; }
before=$(snap)
source "$1" >"$2" 2>&1
after=$(snap)
funcs=$(compgen -A function | grep -vx snap | tr '\n' ' ')
[[ $before == "$after" ]] || diff <(echo "$before") <(echo "$after")
echo "functions: $funcs"
`
	f := newFixture(t)
	out := filepath.Join(t.TempDir(), "output")
	r := f.run("bash", map[string]string{"PATH": "/usr/bin:/bin"}, "--noprofile", "--norc", "-c", probe, "probe", f.lib, out)
	if r.code != 0 || r.stdout != "functions: _conf_enter _conf_enter_item _conf_value conf_get conf_set nap tcp_open yaml_scalar \n" {
		t.Fatalf("sourcing common.sh should only define _conf_enter, _conf_enter_item, _conf_value, conf_get, conf_set, nap, tcp_open and yaml_scalar\n%s", r)
	}
	if b, err := os.ReadFile(out); err != nil || len(b) != 0 {
		t.Errorf("sourcing common.sh printed %q (%v)", b, err)
	}
}

// hangingPort returns a port on 127.0.0.1 where a connect hangs instead of being refused: a
// listener with a backlog of 0 that never accepts, its queue already filled.
func hangingPort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skipf("socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Skipf("bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Skipf("listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Skipf("getsockname: %v", err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return port // the queue is full: further connects hang
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("SKIPPED: this host never lets a connect to a full listen queue hang, the tcp_open deadline cannot be shown")
	return 0
}

// TestTCPOpen runs the library's tcp_open with each of its three ways to connect: timeout with
// /dev/tcp, nc (a fake one that logs its arguments) when timeout is missing, and plain bash with
// its own deadline when both are missing.
func TestTCPOpen(t *testing.T) {
	open := acceptingPort(t, "127.0.0.1")
	closed := freePort(t, "127.0.0.1")
	hanging := hangingPort(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name   string
		tools  []string
		fakeNC bool // put a fake nc on PATH
		wantNC bool // tcp_open must use it
	}{
		{"timeout", []string{"bash", "timeout", "sleep"}, true, false},
		{"nc", []string{"bash", "sleep"}, true, true},
		{"plain bash", []string{"bash"}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			path := toolDir(t, c.tools...)
			ncLog := filepath.Join(t.TempDir(), "nc.log")
			if c.fakeNC {
				mustWrite(t, filepath.Join(path, "nc"), "#!"+bash+"\nprintf '%s\\n' \"$*\" >>\""+ncLog+
					"\"\nexec 3<>\"/dev/tcp/$4/$5\"\n", 0o755)
			}
			try := func(port, secs int) result {
				return f.run(bash, map[string]string{"PATH": path}, "-c", `source "$1"; tcp_open 127.0.0.1 "$2" "$3"`,
					"probe", f.lib, strconv.Itoa(port), strconv.Itoa(secs))
			}
			if r := try(open, 2); r.code != 0 {
				t.Errorf("port %d accepts connections, tcp_open failed\n%s", open, r)
			}
			if r := try(closed, 2); r.code == 0 || r.elapsed > 3*time.Second {
				t.Errorf("port %d is closed, tcp_open took %s\n%s", closed, r.elapsed, r)
			}
			if !c.fakeNC || !c.wantNC { // the fake nc has no deadline of its own
				if r := try(hanging, 2); r.code == 0 || r.elapsed < 1500*time.Millisecond || r.elapsed > 5*time.Second {
					t.Errorf("a connect to port %d hangs, tcp_open should give up after 2s; took %s\n%s", hanging, r.elapsed, r)
				}
			}
			b, _ := os.ReadFile(ncLog)
			switch {
			case c.wantNC && !strings.Contains(string(b), fmt.Sprintf("-z -w 2 127.0.0.1 %d\n", open)):
				t.Errorf("without timeout tcp_open should use nc -z -w SECS HOST PORT; nc calls:\n%s", b)
			case !c.wantNC && len(b) != 0:
				t.Errorf("tcp_open used nc although timeout is installed; nc calls:\n%s", b)
			}
		})
	}
}

// TestLibraryDefaultLookup: without FIT_SCRIPTS_LIB, the scripts find common.sh at
// ../lib/fit-images/common.sh from their folder however they are started.
func TestLibraryDefaultLookup(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("SKIPPED: no /proc on this host; the healthcheck reads /proc/*/cmdline")
	}
	f := newFixture(t)
	bin := filepath.Dir(f.entry)
	// a folder not named bin: the library is then looked for through "scripts/.."
	other := filepath.Join(f.root, "opt", "scripts")
	mustWrite(t, filepath.Join(other, "fit-entrypoint"), Entrypoint(), Permissions)
	mustWrite(t, filepath.Join(other, "fit-healthcheck"), Healthcheck(), Permissions)
	mustWrite(t, filepath.Join(f.root, "opt", "lib", "fit-images", "common.sh"), library, 0o644)

	dummy(t, "fit", "start")
	port := freePort(t, "127.0.0.1")
	// reaching this message needs tcp_open, i.e. the library
	wantHealth := fmt.Sprintf("unhealthy: nothing listens on port %d (from FIT_HTTP_PORT)", port)
	extra := map[string]string{"PATH": bin + ":" + os.Getenv("PATH"), "FIT_HTTP_PORT": strconv.Itoa(port)}
	for _, c := range []struct{ name, entry, health string }{
		{"absolute path", f.entry + " help", f.health},
		{"found on PATH", "fit-entrypoint help", "fit-healthcheck"},
		{"relative path", "cd " + bin + " && ./fit-entrypoint help", "cd " + bin + " && ./fit-healthcheck"},
		{"bash SCRIPT in its folder", "cd " + bin + " && bash fit-entrypoint help", "cd " + bin + " && bash fit-healthcheck"},
		{"folder not named bin", filepath.Join(other, "fit-entrypoint") + " help", filepath.Join(other, "fit-healthcheck")},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.run("bash", extra, "-c", c.entry)
			if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
				t.Errorf("entrypoint (%s): want the usage text\n%s", c.entry, r)
			}
			r = f.run("bash", extra, "-c", c.health)
			if r.code != 1 || !strings.HasPrefix(r.stdout, wantHealth) {
				t.Errorf("healthcheck (%s): want %q\n%s", c.health, wantHealth, r)
			}
		})
	}
}

// TestLibraryMissing: without the library both scripts stop at once with one clear line.
func TestLibraryMissing(t *testing.T) {
	t.Run("default path", func(t *testing.T) {
		f := newFixture(t)
		if err := os.Remove(f.lib); err != nil {
			t.Fatal(err)
		}
		// bin/../lib is written without the "bin/..", as the image's message should read
		want := filepath.Join(f.root, "lib", "fit-images", "common.sh")
		for _, args := range [][]string{nil, {"help"}, {"fit", "version"}, {"bash", "-c", "echo hi"}} {
			r := f.run(f.entry, nil, args...)
			if r.code != 1 || r.stdout != "" || r.stderr != "fit-entrypoint: missing "+want+": the image is broken\n" {
				t.Errorf("entrypoint %v: want exit 1 and one error line naming %s\n%s", args, want, r)
			}
		}
		if f.callLog() != "" || exists(filepath.Join(f.javaDir, "conf")) {
			t.Errorf("nothing may run or be written without the library")
		}
		r := f.run(f.health, nil)
		if r.code != 1 || r.stdout != "unhealthy: missing "+want+": the image is broken\n" || r.stderr != "" {
			t.Errorf("healthcheck: want exit 1 and one unhealthy line naming %s\n%s", want, r)
		}
	})

	t.Run("folder not named bin", func(t *testing.T) {
		f := newFixture(t)
		dir := filepath.Join(f.root, "opt", "scripts")
		entry, health := filepath.Join(dir, "fit-entrypoint"), filepath.Join(dir, "fit-healthcheck")
		mustWrite(t, entry, Entrypoint(), Permissions)
		mustWrite(t, health, Healthcheck(), Permissions)
		want := dir + "/../lib/fit-images/common.sh"
		r := f.run(entry, nil)
		if r.code != 1 || r.stderr != "fit-entrypoint: missing "+want+": the image is broken\n" {
			t.Errorf("entrypoint: want one error line naming %s\n%s", want, r)
		}
		r = f.run(health, nil)
		if r.code != 1 || r.stdout != "unhealthy: missing "+want+": the image is broken\n" {
			t.Errorf("healthcheck: want one unhealthy line naming %s\n%s", want, r)
		}
	})

	// FIT_SCRIPTS_LIB wins over the default path, also when it names nothing usable
	for name, target := range map[string]string{"FIT_SCRIPTS_LIB names no file": "nowhere/common.sh", "FIT_SCRIPTS_LIB names a folder": "."} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			lib := filepath.Join(f.root, target)
			env := map[string]string{"FIT_SCRIPTS_LIB": lib}
			r := f.run(f.entry, env, "help")
			if r.code != 1 || r.stderr != "fit-entrypoint: missing "+lib+": the image is broken\n" {
				t.Errorf("entrypoint: want one error line naming %s\n%s", lib, r)
			}
			r = f.run(f.health, env)
			if r.code != 1 || r.stdout != "unhealthy: missing "+lib+": the image is broken\n" {
				t.Errorf("healthcheck: want one unhealthy line naming %s\n%s", lib, r)
			}
		})
	}
}

// TestLibraryFromEnv: FIT_SCRIPTS_LIB points the scripts at a library elsewhere.
func TestLibraryFromEnv(t *testing.T) {
	f := newFixture(t)
	moved := filepath.Join(t.TempDir(), "shared.sh")
	if err := os.Rename(f.lib, moved); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FIT_SCRIPTS_LIB": moved, "FIT_HTTP_PORT": "9090"}
	r := f.run(f.entry, env)
	if r.code != 0 || !hasLine(r.stdout, "[fit-entrypoint] HTTP port: 9090") || !strings.Contains(f.callLog(), "args=start|") {
		t.Fatalf("want a normal start with the library from FIT_SCRIPTS_LIB\n%s", r)
	}
	// the healthcheck reads the port with conf_get from the conf the entrypoint wrote
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("SKIPPED: no /proc on this host; the healthcheck reads /proc/*/cmdline")
	}
	dummy(t, "fit", "start")
	r = f.run(f.health, map[string]string{"FIT_SCRIPTS_LIB": moved})
	if want := "unhealthy: nothing listens on port 9090 (from server.http.port in " + f.confPath() + ")"; r.code != 1 || !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("want %q\n%s", want, r)
	}
}

// allSettings sets every variable the entrypoint writes into conf/fitframework.yml, each to a
// value other than its default (the port with a leading zero, which must be dropped).
func allSettings() map[string]string {
	return map[string]string{
		"FIT_APP_NAME": "shop", "FIT_WORKER_ID": "w-1", "FIT_HTTP_PORT": "08081",
		"FIT_REGISTRY_HOST": "localhost", "FIT_REGISTRY_PORT": "18080", "FIT_LOG_LEVEL": "debug",
		"FIT_ENVIRONMENT": "prod",
	}
}
