package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/e2e"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

const e2eSynopsis = "e2e --os OS [--version V] [--artifact PATH | --url U [--checksum sha256:…]] [--timeout 120s] [--java jre]"

type e2eOptions struct {
	os      catalog.OS
	build   buildInputs
	timeout time.Duration
}

func parseE2E(args []string, stdout io.Writer) (e2eOptions, error) {
	var o e2eOptions
	var b buildFlags
	var osName, timeout string
	fs := newFlags("e2e", e2eSynopsis, stdout)
	fs.StringVar(&osName, "os", "", "operating `system`: "+strings.Join(catalog.Names(), ", "))
	fs.StringVar(&timeout, "timeout", "120s", "how long FIT may take to become healthy (a `duration`)")
	b.register(fs, release.DefaultVersion)
	if err := fs.parse(args); err != nil {
		return o, err
	}
	var err error
	if o.os, err = oneOS(osName); err != nil {
		return o, err
	}
	if o.timeout, err = parseTimeout(timeout); err != nil {
		return o, err
	}
	o.build, err = b.parse()
	return o, err
}

func runE2EJob(ctx context.Context, env *Env, args []string) error {
	o, err := parseE2E(args, env.Stdout)
	if err != nil {
		return err
	}
	return runE2E(ctx, env, o)
}

// runE2E builds the image and runs the e2e flow; outputs: os, version, result, duration.
func runE2E(ctx context.Context, env *Env, o e2eOptions) error {
	start := time.Now()
	var steps []report.Step
	var runErr error
	env.Rep.Group(fmt.Sprintf("Dagger: e2e of FIT %s on %s", o.build.v, o.os.Name), func() {
		c, err := env.Connect(ctx)
		if err != nil {
			runErr = err
			return
		}
		artifact, err := loadArtifact(ctx, c, o.build.v, o.build.artifact)
		if err != nil {
			runErr = err
			return
		}
		steps, runErr = e2e.Run(ctx, c, e2e.Options{
			OS: o.os, Version: o.build.v, Artifact: artifact, Java: o.build.java,
			Mirror: o.build.mirror(o.os), Timeout: o.timeout,
		})
	})
	return reportE2E(env.Rep, o.os.Name, o.build.v, steps, runErr, time.Since(start))
}

// reportE2E writes what an e2e run did: outputs, the steps table, and for a failure an annotation
// with the step, what was expected and what was seen, and the container's last log lines.
func reportE2E(rep Reporter, osName string, v release.Version, steps []report.Step, runErr error, took time.Duration) error {
	ok := runErr == nil
	result := passedOrFailed(ok)

	mark := Pass.Mark()
	if !ok {
		mark = Fail.Mark()
	}
	title := fmt.Sprintf("e2e: FIT %s on %s — %s %s in %s", v, osName, mark, result, report.Seconds(took))
	md := "### " + title + "\n\n"
	text := strings.ReplaceAll(title, " — "+mark, ":") + "\n"
	if len(steps) > 0 {
		md += report.StepsMarkdown(steps)
		text += report.StepsText(steps)
	}
	var failure *e2e.Failure
	if !ok {
		if errors.As(runErr, &failure) {
			md += fmt.Sprintf("\n**Failed step:** %s  \n**Expected:** %s  \n**Seen:** %s\n", mdCell(failure.Step), mdCell(failure.Expected), mdCell(failure.Seen))
		} else {
			md += "\n**Error:** " + mdCell(report.FirstLine(runErr.Error())) + "\n"
			text += "error: " + report.FirstLine(runErr.Error()) + "\n"
		}
	}
	writeErr := errors.Join(rep.Summary(md, text),
		setOutputs(rep, "os", osName, "version", v.String(), "result", result, "duration", report.Seconds(took)))

	if ok {
		return writeErr // main reports it
	}
	if failure != nil {
		rep.Error(fmt.Sprintf("e2e %s: step %q failed", osName, failure.Step),
			fmt.Sprintf("expected %s, saw %s", failure.Expected, failure.Seen))
		if logs := strings.TrimSpace(failure.Logs); logs != "" {
			rep.Group(fmt.Sprintf("container logs (%s, FIT %s)", osName, v), func() { rep.Printf("%s", logs) })
		}
	} else {
		rep.Error(fmt.Sprintf("e2e %s failed", osName), runErr.Error())
	}
	if writeErr != nil {
		rep.Error("ci e2e: cannot write outputs", writeErr.Error())
	}
	return failedf("e2e of FIT %s on %s failed: %s", v, osName, report.FirstLine(runErr.Error()))
}
