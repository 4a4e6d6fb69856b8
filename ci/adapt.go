package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/report"
)

// adaptChecklist turns a checklist report (release-check, promote) into outputs
//
//	result   passed | failed
//	version  the FIT version
//	failed   the failed items, one per line
//	staged   release-check: JSON object OS → staged REPO@sha256:…
//	images   release-check: the same as promote --images takes it, OS=REF,…
//	moved    promote: the references that now serve the tested digest, one per line
//
// a Markdown summary and one error annotation per failed item.
func adaptChecklist(name string) func(Reporter, string, bool) error {
	return func(rep Reporter, text string, failed bool) error {
		r, err := checklist.Parse(text)
		if err != nil {
			return err
		}
		if failed == r.OK() {
			return fmt.Errorf("the call %s but its report says %s", map[bool]string{true: "failed", false: "passed"}[failed], r.Verdict())
		}
		outs := []string{"result", passedOrFailed(r.OK()), "version", r.Version, "failed", strings.Join(r.FailedItems(), "\n")}
		if name == "release-check" {
			staged, _ := json.Marshal(r.Staged)
			if r.Staged == nil {
				staged = []byte("{}")
			}
			oses := make([]string, 0, len(r.Staged))
			for os := range r.Staged {
				oses = append(oses, os)
			}
			sort.Strings(oses)
			var images []string
			for _, os := range oses {
				images = append(images, os+"="+r.Staged[os])
			}
			outs = append(outs, "staged", string(staged), "images", strings.Join(images, ","))
		} else {
			var moved []string
			for _, it := range r.Items {
				if it.Status == checklist.Passed {
					moved = append(moved, strings.SplitN(it.Detail, " ", 2)[0])
				}
			}
			outs = append(outs, "moved", strings.Join(moved, "\n"))
		}
		for _, it := range r.Items {
			if it.Status == checklist.Failed {
				rep.Error(name+": "+it.Name, it.Detail)
			}
		}
		return errors.Join(rep.Summary(r.Markdown(), r.Text()), setOutputs(rep, outs...))
	}
}

// adaptE2E turns end-to-end's JSON into outputs os, version, result and duration, and the steps
// table as the summary.
func adaptE2E(rep Reporter, text string, failed bool) error {
	var r struct {
		OS, Version, Error string
		OK                 bool
		Steps              []report.Step
	}
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return fmt.Errorf("not an end-to-end report in JSON: %v", err)
	}
	var total time.Duration
	for _, s := range r.Steps {
		total += s.Duration
	}
	md := fmt.Sprintf("### e2e: FIT %s on %s: %s\n\n%s", r.Version, r.OS, passedOrFailed(r.OK), report.StepsMarkdown(r.Steps))
	if r.Error != "" {
		rep.Error("e2e "+r.OS+" failed", r.Error)
	}
	return errors.Join(rep.Summary(md, report.StepsText(r.Steps)),
		setOutputs(rep, "os", r.OS, "version", r.Version, "result", passedOrFailed(r.OK && !failed), "duration", report.Seconds(total)))
}

func passedOrFailed(ok bool) string {
	if ok {
		return "passed"
	}
	return "failed"
}

func setOutputs(rep Reporter, kv ...string) error {
	var errs []error
	for i := 0; i+1 < len(kv); i += 2 {
		errs = append(errs, rep.Output(kv[i], kv[i+1]))
	}
	return errors.Join(errs...)
}

// lastJSON is the last JSON object in a failed call's stderr: the module's error ends with the
// report, which the CLI prints (once in its progress log, once as the error).
func lastJSON(s string) string {
	const start = "{\n  \"" // the report's own opening: MarshalIndent, first key at two spaces
	for i := strings.LastIndex(s, start); i >= 0; i = strings.LastIndex(s[:i], start) {
		var v json.RawMessage
		if json.NewDecoder(strings.NewReader(s[i:])).Decode(&v) == nil {
			return string(v)
		}
	}
	return ""
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// execCall runs the CLI with arguments (no shell), streaming its stderr to log line by line.
func execCall(ctx context.Context, bin string, args []string, log io.Writer) (string, string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(&stderr, pw)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if _, err := fmt.Fprintln(log, sc.Text()); err != nil {
				break // a log that refuses lines gets no more; the CLI's stderr is still drained below
			}
		}
		_, _ = io.Copy(io.Discard, pr) // drain after an over-long line: the CLI never blocks on its stderr
	}()
	err := cmd.Run()
	_ = pw.Close() // a PipeWriter's Close always returns nil
	wg.Wait()
	return stdout.String(), stderr.String(), err
}

// logWriter sends lines to the reporter's log, masked.
type logWriter struct{ rep Reporter }

func (w logWriter) Write(p []byte) (int, error) {
	w.rep.Printf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
