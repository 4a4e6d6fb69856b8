package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/options"
	"dagger/fit-images/images/provenance"
)

// ghaFiles points GITHUB_OUTPUT and GITHUB_STEP_SUMMARY at temporary files and turns Actions mode on.
func ghaFiles(t *testing.T) (output, summary string) {
	t.Helper()
	dir := t.TempDir()
	output, summary = filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	require.NoError(t, os.WriteFile(output, nil, 0o644))
	require.NoError(t, os.WriteFile(summary, nil, 0o644))
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_RUN_ID", "") // no run to record, even when these tests run in Actions
	t.Setenv("GITHUB_OUTPUT", output)
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	return output, summary
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// heredoc is how one output looks in GITHUB_OUTPUT.
func heredoc(name, value string) string {
	return name + "<<" + ghaDelimiter + "\n" + value + "\n" + ghaDelimiter + "\n"
}

func TestGHAReporterWritesOutputsAndSummary(t *testing.T) {
	output, summary := ghaFiles(t)
	var stdout bytes.Buffer
	rep := NewReporter(os.Getenv, &stdout)
	require.IsType(t, &ghaReporter{}, rep)

	require.NoError(t, rep.Output("result", "passed"))
	require.NoError(t, rep.Output("tags", "fit-framework:3.6.0-debian\nfit-framework:debian"))
	require.NoError(t, rep.Summary("### Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "TITLE a=1 b=2"))
	rep.Group("container logs", func() { rep.Printf("line one\nline two") })
	rep.Error("e2e debian: step \"push\" failed", "expected tag x\nsaw nothing")

	assert.Equal(t, heredoc("result", "passed")+heredoc("tags", "fit-framework:3.6.0-debian\nfit-framework:debian"), read(t, output))
	assert.Equal(t, "### Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n", read(t, summary))
	out := stdout.String()
	assert.Contains(t, out, "TITLE a=1 b=2\n", "the text summary goes to the log too")
	assert.Contains(t, out, "::group::container logs\nline one\nline two\n::endgroup::\n")
	assert.Contains(t, out, "::error title=e2e debian%3A step \"push\" failed::expected tag x%0Asaw nothing\n")

	assert.Error(t, rep.Output("bad name!", "x"), "output names are checked")
	assert.Error(t, rep.Output("x", "a\n"+ghaDelimiter+"\nb"), "a value cannot close the heredoc early")
}

func TestGHAReporterWithoutFiles(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_OUTPUT", "")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	var stdout bytes.Buffer
	rep := NewReporter(os.Getenv, &stdout)
	err := rep.Output("result", "passed")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GITHUB_OUTPUT is not set")
	assert.Contains(t, stdout.String(), "result=passed", "the value is still shown in the log")
	assert.Error(t, rep.Summary("x", "y"))
}

func TestPlainReporter(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	output, summary := filepath.Join(t.TempDir(), "o"), filepath.Join(t.TempDir(), "s")
	t.Setenv("GITHUB_OUTPUT", output)
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	var stdout bytes.Buffer
	rep := NewReporter(os.Getenv, &stdout)
	require.IsType(t, &plainReporter{}, rep)

	require.NoError(t, rep.Output("result", "failed"))
	require.NoError(t, rep.Output("tags", "a\nb"))
	require.NoError(t, rep.Summary("| md |", "plain table"))
	rep.Group("logs", func() { rep.Printf("inside") })
	rep.Error("title", "message")
	rep.Mask("hunter22")
	rep.Printf("password is hunter22")

	assert.Equal(t, "output result=failed\noutput tags:\n    a\n    b\nplain table\n── logs ──\ninside\n── end of logs ──\nERROR: title: message\npassword is ***\n", stdout.String())
	assert.NotContains(t, stdout.String(), "::", "no workflow commands outside Actions")
	// the files given are written as in Actions, secrets scrubbed
	out, err := os.ReadFile(output)
	require.NoError(t, err)
	assert.Regexp(t, `result<<\S+\nfailed\n`, string(out))
	assert.Regexp(t, `tags<<\S+\na\nb\n`, string(out))
	sum, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Equal(t, "| md |", strings.TrimSpace(string(sum)))
	require.NoError(t, rep.Output("leak", "password is hunter22"))
	out, err = os.ReadFile(output)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "hunter22")
}

func TestPlainReporterWithoutFiles(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITHUB_OUTPUT", "")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	var stdout bytes.Buffer
	rep := NewReporter(os.Getenv, &stdout)
	require.NoError(t, rep.Output("result", "passed"))
	require.NoError(t, rep.Summary("| md |", "plain table"))
	assert.Equal(t, "output result=passed\nplain table\n", stdout.String())
}

// fakeConnect is an engine that must not be reached.
// fakeCall answers one recorded call: stdout on success, the CLI's stderr on failure.
func fakeCall(t *testing.T, wantFn string, stdout, stderr string, fail bool) (caller, *[]string) {
	var got []string
	return func(_ context.Context, args []string, log io.Writer) (string, string, error) {
		got = args
		assert.Equal(t, options.CallArgs(args), args, "the module's flags come first")
		assert.Contains(t, args, wantFn)
		_, err := fmt.Fprintln(log, "engine progress line")
		require.NoError(t, err)
		if fail {
			return "", stderr, errors.New("exit status 1")
		}
		return stdout, "", nil
	}, &got
}

func checklistJSON(ok bool) string {
	r := checklist.Report{Title: "Release checklist: FIT 3.6.1", Version: "3.6.1",
		Staged: map[string]string{"debian": "s/fit-framework@sha256:" + strings.Repeat("a", 64), "alpine": "s/fit-framework@sha256:" + strings.Repeat("b", 64)}}
	r.Pass("version well-formed", "3.6.1")
	if !ok {
		r.Fail("artifact checksum", "mismatch: expected sha256:00, got sha256:11")
		r.Staged = nil
	}
	return r.JSON()
}

func TestReleaseCheckAdapted(t *testing.T) {
	outFile, sumFile := ghaFiles(t)
	t.Setenv("REG_PW", "s3cr3t-pw")
	call, args := fakeCall(t, "release-check", checklistJSON(true), "", false)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"release-check", "--version", "3.6.1", "--password", "env:REG_PW"}, os.Getenv, call, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, []string{"--password", "env:REG_PW", "release-check", "--version", "3.6.1", "--format", "json"}, *args, "arguments, no shell string; the module's flags before the function")
	out := read(t, outFile)
	assert.Contains(t, out, heredoc("result", "passed")+heredoc("version", "3.6.1")+heredoc("failed", ""))
	assert.Contains(t, out, heredoc("images", "alpine=s/fit-framework@sha256:"+strings.Repeat("b", 64)+",debian=s/fit-framework@sha256:"+strings.Repeat("a", 64)))
	assert.Contains(t, read(t, sumFile), "**✅ PASSED: 1 of 1 items passed**")
	assert.Contains(t, stdout.String(), "::add-mask::s3cr3t-pw")
	assert.Contains(t, stdout.String(), "::group::dagger call --password env:REG_PW release-check --version 3.6.1 --format json")
}

// In Actions, release-check is given the run for its provenance: the run's GITHUB_* values the
// module takes, as one JSON argument, and never the token beside them.
func TestReleaseCheckRecordsRun(t *testing.T) {
	ghaFiles(t)
	vars := map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/fit-images", "GITHUB_RUN_ID": "42",
		"GITHUB_RUN_ATTEMPT": "1", "GITHUB_SHA": strings.Repeat("c", 40), "GITHUB_WORKFLOW_REF": "o/fit-images/.github/workflows/release.yml@refs/heads/main"}
	for _, k := range provenance.GitHubKeys() { // the real runner's, when this runs in Actions
		t.Setenv(k, "")
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	t.Setenv("GITHUB_TOKEN", "ghs_not_this")
	call, args := fakeCall(t, "release-check", checklistJSON(true), "", false)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"release-check", "--version", "3.6.1", "--sign"}, os.Getenv, call, &stdout, &stderr), stderr.String())
	got := *args
	i := slices.Index(got, "--github-run")
	require.Greater(t, i, slices.Index(got, "release-check"), "a flag of release-check: %v", got)
	var sent map[string]string
	require.NoError(t, json.Unmarshal([]byte(got[i+1]), &sent))
	assert.Equal(t, vars, sent)
	g, err := provenance.ParseGitHub(got[i+1])
	require.NoError(t, err, "the module takes what the driver sends")
	assert.Equal(t, "https://github.com/o/fit-images/actions/runs/42/attempts/1", g.RunURL())
	assert.NotContains(t, strings.Join(got, " "), "ghs_not_this")

	// a run given on the command line is the caller's: the driver adds none
	call, args = fakeCall(t, "release-check", checklistJSON(true), "", false)
	given := `{"GITHUB_SERVER_URL":"https://github.com","GITHUB_REPOSITORY":"o/r","GITHUB_RUN_ID":"7"}`
	require.Equal(t, 0, run(context.Background(), []string{"release-check", "--version", "3.6.1", "--github-run", given}, os.Getenv, call, &stdout, &stderr))
	assert.Equal(t, 1, strings.Count(strings.Join(*args, " "), "--github-run"))
	assert.Contains(t, *args, given)

	// promote signs nothing: no run
	call, args = fakeCall(t, "promote", checklistJSON(true), "", false)
	require.Equal(t, 0, run(context.Background(), []string{"promote", "--version", "3.6.1", "--images", "debian=r@sha256:" + strings.Repeat("a", 64)}, os.Getenv, call, &stdout, &stderr))
	assert.NotContains(t, *args, "--github-run")
}

func TestReleaseCheckFailureAdapted(t *testing.T) {
	outFile, sumFile := ghaFiles(t)
	// the CLI prints the module's error (verdict line, then the report) after its progress log
	stderr := "13  : releaseCheck ERROR\nError: release-check of FIT 3.6.1: FAILED: 1 of 2 items failed\n" + checklistJSON(false) + " [traceparent:x]\n"
	call, _ := fakeCall(t, "release-check", "", stderr, true)
	var so, se bytes.Buffer
	code := run(context.Background(), []string{"release-check", "--version", "3.6.1"}, os.Getenv, call, &so, &se)
	assert.Equal(t, 1, code)
	assert.Contains(t, read(t, outFile), heredoc("result", "failed")+heredoc("version", "3.6.1")+heredoc("failed", "artifact checksum")+heredoc("staged", "{}"))
	assert.Contains(t, read(t, sumFile), "**❌ FAILED: 1 of 2 items failed**")
	assert.Contains(t, so.String(), "::error title=release-check%3A artifact checksum::mismatch: expected sha256:00, got sha256:11")
}

func TestNoReportIsBadInput(t *testing.T) {
	ghaFiles(t)
	call, _ := fakeCall(t, "release-check", "", "Error: --parallel 0: give at least 1\n", true)
	var so, se bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"release-check", "--parallel", "0"}, os.Getenv, call, &so, &se))
	assert.Contains(t, se.String(), "--parallel 0: give at least 1", "the module's message")
	assert.Equal(t, 2, run(context.Background(), []string{"release-check", "--format", "text"}, os.Getenv, call, &so, &se))
	assert.Equal(t, 2, run(context.Background(), []string{"publish"}, os.Getenv, call, &so, &se))
}

func TestPromoteAdapted(t *testing.T) {
	outFile, _ := ghaFiles(t)
	r := checklist.Report{Title: "Promotion", Version: "3.6.1"}
	r.Pass("debian: 3.6.1-debian", "r/fit-framework:3.6.1-debian → sha256:aa")
	r.Skip("debian: debian", "not moved")
	call, _ := fakeCall(t, "promote", r.JSON(), "", false)
	var so, se bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"promote", "--version", "3.6.1"}, os.Getenv, call, &so, &se), se.String())
	assert.Contains(t, read(t, outFile), heredoc("moved", "r/fit-framework:3.6.1-debian"))
}
