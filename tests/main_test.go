// Package tests runs the pipeline for real against a Dagger engine: the module through the
// `dagger` CLI, and the pipeline packages through the Go SDK. The artifacts are FIT-shaped zips
// built here (tests/fixture), served on loopback.
package tests

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/options"
	"dagger/fit-images/tests/fixture"
)

const version = "3.6.0"

// releases are the versions the e2e runs on: the fixture's (and FIT's) version rules differ between
// them (3.6.0: cwd is the plugin folder; 3.6.2: --plugin-dir; 3.6.4: /actuator/health).
var releases = []string{"3.6.0", "3.6.2", newest}

const newest = "3.6.4"

var (
	engine   string // why there is no engine, empty when there is one
	client   *dagger.Client
	root     string                                   // the module
	zips     = map[fixture.Variant]fixture.Artifact{} // every variant of `version`
	healthy  = map[string]fixture.Artifact{}          // the healthy zip of each of releases
	held     fixture.Artifact                         // the newest release, its JVM held back for longer than a monitor lap
	baseURL  string                                   // fixture server
	daggerGo string                                   // the dagger CLI
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	wd, _ := os.Getwd()
	root = filepath.Dir(wd)
	daggerGo = os.Getenv("_EXPERIMENTAL_DAGGER_CLI_BIN")
	if daggerGo == "" {
		daggerGo, _ = exec.LookPath("dagger")
	}
	if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") == "" && daggerGo == "" {
		engine = "no Dagger engine: run ./hack/test (it brings up the test bed) or put a dagger CLI with a running engine on PATH"
		fmt.Fprintln(os.Stderr, "\n!!! ENGINE TESTS SKIPPED: "+engine+"\n")
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "fit-tests-")
	if err != nil {
		panic(err)
	}
	// the run's result is decided when these deferred clean-ups run: their errors change nothing
	defer func() { _ = os.RemoveAll(dir) }()
	for _, v := range fixture.Variants {
		a, err := fixture.Build(dir, fixture.Options{Version: version, Variant: v})
		if err != nil {
			fmt.Fprintln(os.Stderr, "fixture:", err)
			return 1
		}
		zips[v] = a
	}
	for _, v := range releases {
		a, err := fixture.Build(dir, fixture.Options{Version: v})
		if err != nil {
			fmt.Fprintln(os.Stderr, "fixture:", err)
			return 1
		}
		healthy[v] = a
	}
	// under emulation a monitor lap takes seconds: evidence must not come from a lap before the JVM
	if held, err = fixture.Build(dir, fixture.Options{Version: newest, HoldJVM: 8 * time.Second}); err != nil {
		fmt.Fprintln(os.Stderr, "fixture:", err)
		return 1
	}
	var stop func() error
	if baseURL, stop, err = fixture.Serve(dir, "127.0.0.1:0"); err != nil {
		fmt.Fprintln(os.Stderr, "fixture server:", err)
		return 1
	}
	defer func() { _ = stop() }()
	ctx := context.Background()
	// the engine's progress goes to a file: in the test log it would drown the results
	logPath := filepath.Join(os.TempDir(), "fit-tests-dagger.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		panic(err)
	}
	defer func() { _ = logFile.Close() }()
	fmt.Fprintln(os.Stderr, "engine log of the SDK tests:", logPath)
	if client, err = dagger.Connect(ctx, dagger.WithLogOutput(logFile)); err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		return 1
	}
	defer func() { _ = client.Close() }()
	if os.Getenv("FIT_TESTBED_REGISTRY") != "" {
		startEarly(arm64Calls()...)
	}
	code := m.Run()
	removeDockerImage()
	return code
}

func needEngine(t *testing.T) {
	t.Helper()
	if engine != "" {
		t.Skip(engine)
	}
}

// call runs `dagger call` on the module and returns stdout; err carries stderr's last lines.
func call(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return daggerRun(t, "call", args...)
}

// daggerRun runs a dagger CLI verb (call, functions) on the module.
func daggerRun(t *testing.T, verb string, args ...string) (string, error) {
	t.Helper()
	needEngine(t)
	start := time.Now()
	out, err := runDagger(15*time.Minute, verb, args...)
	if err != nil && strings.Contains(err.Error(), "failed to get configured module") {
		// the engine failed to load the module itself (seen once on a cold engine: a host snapshot
		// "not found"), before any function ran: that is the engine's flake, not the call's answer
		msg := err.Error()
		msg = msg[strings.Index(msg, "failed to get configured module"):]
		t.Logf("RETRY: the engine could not load the module: %s", strings.SplitN(msg, "\n", 2)[0])
		out, err = runDagger(15*time.Minute, verb, args...)
	}
	t.Logf("dagger %s %s (%.1fs)", verb, strings.Join(args, " "), time.Since(start).Seconds())
	return out, err
}

func runDagger(limit time.Duration, verb string, args ...string) (string, error) {
	if verb == "call" {
		// the module's flags go before the function name; a flag a test appends after it (a table
		// case, an extra argument) is moved there, as the CI driver moves it
		args = options.CallArgs(args)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, daggerGo, append([]string{verb, "-m", root, "--progress=plain"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%v\n%s", err, tail(stderr.String(), 60))
	}
	return stdout.String(), nil
}

// Early calls: the emulated (arm64) checks are slow and independent of the others, so TestMain starts
// them, one after another in the background, while the serial tests run; the test that owns a call
// waits for its result and asserts on it. Only calls whose test -run selects are started.
type earlyCall struct {
	test string
	args []string
	done chan struct{}
	out  string
	err  error
	took time.Duration
}

var early = map[string]*earlyCall{}

func startEarly(calls ...*earlyCall) {
	pattern := ""
	if f := flag.Lookup("test.run"); f != nil {
		pattern = f.Value.String()
	}
	var run []*earlyCall
	for _, c := range calls {
		if ok, _ := regexp.MatchString(strings.Split(pattern, "/")[0], c.test); ok || pattern == "" {
			c.done = make(chan struct{})
			early[c.test] = c
			run = append(run, c)
		}
	}
	go func() {
		for _, c := range run {
			start := time.Now()
			c.out, c.err = runDagger(30*time.Minute, "call", c.args...)
			c.took = time.Since(start)
			close(c.done)
		}
	}()
}

// awaitEarly is the result of the early call of this test.
func awaitEarly(t *testing.T) (string, error) {
	t.Helper()
	needEngine(t)
	c, ok := early[t.Name()]
	if !ok {
		t.Fatalf("%s has no early call (startEarly in TestMain)", t.Name())
	}
	<-c.done
	t.Logf("dagger call %s (%.1fs, started in the background by TestMain)", strings.Join(c.args, " "), c.took.Seconds())
	return c.out, c.err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// releaseURL is where the fixture server serves a variant's zip, laid out like GitHub releases.
func releaseURL(v fixture.Variant) string {
	prefix := ""
	if v != fixture.Healthy {
		prefix = "/" + string(v)
	}
	return baseURL + prefix + "/ModelEngine-Group/fit-framework/releases/download/v" + version + "/" + version + ".zip"
}
