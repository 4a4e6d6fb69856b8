// Command ci adapts the module's functions to GitHub Actions:
//
//	go run ./ci release-check [flags of dagger call and of dagger call release-check]
//	go run ./ci promote       [flags of dagger call and of dagger call promote]
//	go run ./ci e2e           [flags of dagger call and of dagger call end-to-end]
//
// It runs `dagger call MODULE-FLAGS… FUNCTION FLAGS… --format json` (a subprocess with arguments,
// never a shell string): the flags of the module's constructor (options.ModuleFlags: registry,
// staging, token…) may come anywhere and are moved before the function name, as the CLI wants
// them. So the module alone validates the flags and does the work, exactly as on a laptop.
// Its report becomes step outputs, the step summary, error annotations and a log group; values
// of env:NAME secrets are masked. Inside GitHub Actions (GITHUB_ACTIONS=true) this speaks the
// runner's protocol; elsewhere it prints the same, and still writes GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY when they are set.
//
// Exit status: 0 passed, 1 the report says failed (outputs and summary are written), 2 the call
// answered no report (bad input, or no engine): the module's message is shown.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"dagger/fit-images/images/options"
	"dagger/fit-images/images/provenance"
)

// job is one `go run ./ci <name>`: the module function it calls and how its report is adapted.
type job struct {
	name, function, about string
	adapt                 func(rep Reporter, report string, failed bool) error
	// runner is what the job adds from the runner's environment (nil: nothing)
	runner func(getenv func(string) string, flags []string) []string
}

var jobs = []job{
	{"release-check", "release-check", "the release checklist; outputs result, version, failed, staged, images", adaptChecklist("release-check"), githubRun},
	{"promote", "promote", "copy the staged digests to the release tags; outputs result, moved, failed", adaptChecklist("promote"), nil},
	{"e2e", "end-to-end", "the end-to-end flow of one image; outputs os, version, result, duration", adaptE2E, nil},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, daggerCall(os.Getenv), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// caller runs `dagger call ARGS` and answers its stdout and stderr.
type caller func(ctx context.Context, args []string, log io.Writer) (stdout, stderr string, err error)

func run(ctx context.Context, args []string, getenv func(string) string, call caller, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var j job
	for _, k := range jobs {
		if k.name == args[0] {
			j = k
		}
	}
	if j.name == "" {
		say(stderr, "ci: unknown job %q: use one of release-check, promote, e2e (go run ./ci help)\n", args[0])
		return 2
	}
	flags := args[1:]
	for _, f := range flags {
		if f == "--format" || strings.HasPrefix(f, "--format=") {
			say(stderr, "ci %s: --format is the driver's (it reads the JSON report): leave it out\n", j.name)
			return 2
		}
	}
	if j.runner != nil {
		flags = append(flags, j.runner(getenv, flags)...)
	}
	rep := NewReporter(getenv, stdout)
	maskSecrets(rep, flags, getenv)
	var out, errText string
	var err error
	// the module's flags (registry, staging, token…) go before the function name, as dagger call wants
	callArgs := options.CallArgs(append(append([]string{j.function}, flags...), "--format", "json"))
	rep.Group("dagger call "+strings.Join(callArgs, " "), func() {
		out, errText, err = call(ctx, callArgs, logWriter{rep})
	})
	report := out
	if err != nil {
		report = lastJSON(errText)
	}
	if report == "" {
		msg := strings.TrimSpace(lastLines(errText, 20))
		if msg == "" && err != nil {
			msg = err.Error()
		}
		rep.Error("ci "+j.name+": dagger call "+j.function+" answered no report", msg)
		say(stderr, "ci %s: %s\n", j.name, msg)
		return 2
	}
	if aerr := j.adapt(rep, report, err != nil); aerr != nil {
		rep.Error("ci "+j.name, aerr.Error())
		return 1
	}
	if err != nil {
		return 1
	}
	return 0
}

// daggerCall runs the dagger CLI on the module in this repository ($FIT_MODULE, default .).
func daggerCall(getenv func(string) string) caller {
	return func(ctx context.Context, args []string, log io.Writer) (string, string, error) {
		bin := getenv("_EXPERIMENTAL_DAGGER_CLI_BIN")
		if bin == "" {
			bin = "dagger"
		}
		module := getenv("FIT_MODULE")
		if module == "" {
			module = "."
		}
		return execCall(ctx, bin, append([]string{"call", "-m", module, "--progress=plain"}, args...), log)
	}
}

// githubRun is --github-run for the provenance, inside a GitHub Actions run that was not given one:
// the run's GITHUB_* variables the module takes (provenance.GitHubKeys, and only those: never a
// token), as one JSON argument.
func githubRun(getenv func(string) string, flags []string) []string {
	if getenv("GITHUB_ACTIONS") != "true" || getenv("GITHUB_RUN_ID") == "" {
		return nil
	}
	for _, f := range flags {
		if f == "--github-run" || strings.HasPrefix(f, "--github-run=") {
			return nil
		}
	}
	run := map[string]string{}
	for _, k := range provenance.GitHubKeys() {
		if v := getenv(k); v != "" {
			run[k] = v
		}
	}
	b, err := json.Marshal(run) // a map of strings always marshals
	if err != nil {
		return nil
	}
	return []string{"--github-run", string(b)}
}

// maskSecrets hides the value of every env:NAME secret argument (--password env:REGISTRY_PASSWORD).
func maskSecrets(rep Reporter, flags []string, getenv func(string) string) {
	for _, f := range flags {
		if _, v, ok := strings.Cut(f, "="); ok && strings.HasPrefix(f, "--") {
			f = v
		}
		if name, ok := strings.CutPrefix(f, "env:"); ok {
			rep.Mask(getenv(name))
		}
	}
}

func usage(w io.Writer) {
	say(w, "usage: go run ./ci <job> [flags of the module and of its function]   (dagger call --help and dagger call <function> --help list them)\n")
	for _, j := range jobs {
		say(w, "  %-14s dagger call %s: %s\n", j.name, j.function, j.about)
	}
	say(w, "Exit status: 0 passed, 1 failed (outputs and summary written), 2 no report (bad input, no engine).\n")
}

// say writes a message of the driver itself; when the terminal refuses it, there is no one left to tell.
func say(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }
