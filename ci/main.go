// Command ci drives the FIT base image pipeline from CI (GitHub Actions) or a terminal:
//
//	go run ./ci <job> [flags]        jobs: e2e, build-all, publish, release-check
//	go run ./ci help [job]
//
// It runs the same images/pipeline and images/e2e code as the Dagger module, through the published
// Go SDK, and reports through a Reporter: inside GitHub Actions (GITHUB_ACTIONS=true) as step
// outputs, a step summary, log groups, error annotations and masks; elsewhere as plain text.
//
// Exit status: 0 passed, 1 the job failed (its outputs and summary are still written), 2 bad input
// (one error line; nothing was built or pushed).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"dagger.io/dagger"

	"dagger/fit-images/images/report"
)

// Env is what a job runs with; tests swap every part.
type Env struct {
	Rep    Reporter
	Getenv func(string) string
	// Connect returns the engine client; main connects once, on first use, after the flags passed.
	Connect func(context.Context) (*dagger.Client, error)
	Stdout  io.Writer // for -h
}

// job is one `go run ./ci <name>` command.
type job struct {
	name, synopsis, about string
	run                   func(ctx context.Context, env *Env, args []string) error
}

var jobs = []job{
	{"e2e", e2eSynopsis, "build one image and run the end-to-end flow (registry push/pull, run, health, plugins)", runE2EJob},
	{"build-all", buildAllSynopsis, "build and smoke-test the selected OSes; push every tag when --push and all passed", runBuildAllJob},
	{"publish", publishSynopsis, "push every tag of one OS image: the tested --image-tar, or a fresh build", runPublishJob},
	{"release-check", releaseCheckSynopsis, "run the release checklist (version, registry, artifact, builds, checks, e2e, size, README); --export-dir keeps the tested images", runReleaseCheckJob},
}

func findJob(name string) (job, bool) {
	for _, j := range jobs {
		if j.name == name {
			return j, true
		}
	}
	return job{}, false
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var client *dagger.Client
	connect := func(ctx context.Context) (*dagger.Client, error) {
		if client != nil {
			return client, nil
		}
		c, err := dagger.Connect(ctx, dagger.WithLogOutput(os.Stderr))
		if err != nil {
			return nil, fmt.Errorf("cannot reach a Dagger engine: %w", err)
		}
		client = c
		return c, nil
	}
	code := run(ctx, os.Args[1:], os.Getenv, connect, os.Stdout, os.Stderr)
	if client != nil {
		client.Close()
	}
	stop()
	os.Exit(code)
}

// run dispatches to a job and maps its error to the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, connect func(context.Context) (*dagger.Client, error), stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "ci: no job given: use one of "+jobNames()+" (go run ./ci help)")
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if j, ok := findJob(args[1]); ok {
				return run(ctx, []string{j.name, "-h"}, getenv, connect, stdout, stderr)
			}
		}
		usage(stdout)
		return 0
	}
	j, ok := findJob(args[0])
	if !ok {
		fmt.Fprintf(stderr, "ci: unknown job %q: use one of %s (go run ./ci help)\n", args[0], jobNames())
		return 2
	}
	rep := NewReporter(getenv, stdout)
	err := j.run(ctx, &Env{Rep: rep, Getenv: getenv, Connect: connect, Stdout: stdout}, args[1:])
	return exitCode(j.name, err, rep, stderr)
}

func exitCode(name string, err error, rep Reporter, stderr io.Writer) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		// one line: the message of a usage error never spans lines
		fmt.Fprintf(stderr, "ci %s: %s\n", name, strings.ReplaceAll(u.msg, "\n", " "))
		if _, gha := rep.(*ghaReporter); gha {
			rep.Error("ci "+name+": bad input", u.msg)
		}
		return 2
	}
	var failed jobFailed
	if !errors.As(err, &failed) { // a failure the job did not report yet
		rep.Error("ci "+name+" failed", err.Error())
	}
	fmt.Fprintf(stderr, "ci %s: FAILED: %s\n", name, report.FirstLine(err.Error()))
	return 1
}

// jobFailed is a failure the job already reported (annotation, summary): main only sets the status.
type jobFailed struct{ msg string }

func (e jobFailed) Error() string { return e.msg }

func failedf(format string, args ...any) error { return jobFailed{fmt.Sprintf(format, args...)} }

func jobNames() string {
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = j.name
	}
	return strings.Join(names, ", ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: go run ./ci <job> [flags]    (go run ./ci <job> -h for its flags)")
	fmt.Fprintln(w, "\njobs:")
	for _, j := range jobs {
		fmt.Fprintf(w, "  %-14s %s\n", j.name, j.about)
		fmt.Fprintf(w, "  %-14s   go run ./ci %s\n", "", j.synopsis)
	}
	fmt.Fprintln(w, "\nInside GitHub Actions (GITHUB_ACTIONS=true) results go to step outputs, the step summary and annotations;")
	fmt.Fprintln(w, "elsewhere they are printed. Exit status: 0 passed, 1 failed, 2 bad input (nothing built or pushed).")
}
