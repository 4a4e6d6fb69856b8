package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/e2e"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// ghaFiles points GITHUB_OUTPUT and GITHUB_STEP_SUMMARY at temporary files and turns Actions mode on.
func ghaFiles(t *testing.T) (output, summary string) {
	t.Helper()
	dir := t.TempDir()
	output, summary = filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	require.NoError(t, os.WriteFile(output, nil, 0o644))
	require.NoError(t, os.WriteFile(summary, nil, 0o644))
	t.Setenv("GITHUB_ACTIONS", "true")
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
func fakeConnect(t *testing.T) func(context.Context) (*dagger.Client, error) {
	return func(context.Context) (*dagger.Client, error) {
		t.Helper()
		t.Error("the engine was contacted")
		return nil, context.Canceled
	}
}

func TestSecretNeverWritten(t *testing.T) {
	const secret = "s3cr3t-Pa55word"
	for _, gha := range []bool{true, false} {
		t.Run(map[bool]string{true: "actions", false: "plain"}[gha], func(t *testing.T) {
			output, summary := ghaFiles(t)
			if !gha {
				t.Setenv("GITHUB_ACTIONS", "")
			}
			t.Setenv("REGISTRY_PASSWORD", secret)
			var stdout, stderr bytes.Buffer
			rep := NewReporter(os.Getenv, &stdout)
			o, err := parseBuildAll([]string{"--version", "3.6.0", "--os", "debian", "--registry", "localhost:5000/", "--push",
				"--username", "ci", "--password-env", "REGISTRY_PASSWORD"}, os.Getenv, rep, &stdout)
			require.NoError(t, err)
			require.NotNil(t, o.creds)
			assert.Equal(t, secret, o.creds.Password.Value())
			assert.NotContains(t, strings.Join([]string{
				fmtAll(o), fmtAll(o.creds), fmtAll(*o.creds),
			}, " "), secret, "printing the options never shows the password")

			// a push error that echoes the password (as a misbehaving registry could) is scrubbed everywhere
			res := []report.Result{{OS: "debian", Tags: []string{"localhost:5000/fit-framework:3.6.0-debian"}, Err: "push rejected for ci:" + secret}}
			err = reportBuildAll(rep, o.build.v, res)
			require.Error(t, err)
			code := exitCode("build-all", err, rep, &stderr)
			assert.Equal(t, 1, code)

			if gha {
				assert.Contains(t, stdout.String(), "::add-mask::"+secret+"\n", "GitHub is told to mask it")
				assert.Contains(t, read(t, output), "result<<")
				assert.Contains(t, read(t, summary), "push rejected for ci:***")
			}
			for _, line := range strings.Split(stdout.String(), "\n") {
				if !strings.HasPrefix(line, "::add-mask::") {
					assert.NotContains(t, line, secret, "stdout")
				}
			}
			assert.NotContains(t, read(t, output), secret, "outputs")
			assert.NotContains(t, read(t, summary), secret, "summary")
			assert.NotContains(t, stderr.String(), secret, "stderr")
		})
	}
}

func fmtAll(v any) string {
	var b strings.Builder
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		b.WriteString(fmt.Sprintf(f, v) + " ")
	}
	return b.String()
}

func TestBuildAllFailingRowStillWritten(t *testing.T) {
	output, summary := ghaFiles(t)
	var stdout bytes.Buffer
	rep := NewReporter(os.Getenv, &stdout)
	v, _ := release.ParseVersion("3.6.0")
	results := []report.Result{
		{OS: "alpine", Tags: []string{"r/fit-framework:3.6.0-alpine"}, Err: "smoke check: `fit version` should print \"Version: 3.6.0\"", Duration: 3 * time.Second},
		{OS: "debian", Tags: []string{"r/fit-framework:3.6.0-debian", "r/fit-framework:debian"}, Size: 123_400_000, Duration: 90 * time.Second},
	}
	err := reportBuildAll(rep, v, results)
	require.Error(t, err)
	assert.IsType(t, jobFailed{}, err)
	assert.Equal(t, 1, exitCode("build-all", err, rep, &bytes.Buffer{}))

	out := read(t, output)
	assert.Contains(t, out, heredoc("tags", `{"alpine":["r/fit-framework:3.6.0-alpine"],"debian":["r/fit-framework:3.6.0-debian","r/fit-framework:debian"]}`))
	assert.Contains(t, out, heredoc("digests", `{"alpine":"","debian":""}`))
	assert.Contains(t, out, heredoc("sizes", `{"alpine":0,"debian":123400000}`))
	assert.Contains(t, out, heredoc("result", "failed"))
	sum := read(t, summary)
	assert.Contains(t, sum, "| alpine |")
	assert.Contains(t, sum, "❌ smoke check")
	assert.Contains(t, sum, "| debian |")
	assert.Contains(t, sum, "123.4 MB")
	assert.Contains(t, sum, "❌ 1 of 2 failed")
	assert.Contains(t, stdout.String(), "::error title=build-all%3A alpine failed::")

	// all passed: result passed, exit 0
	output2, _ := ghaFiles(t)
	rep = NewReporter(os.Getenv, &bytes.Buffer{})
	require.NoError(t, reportBuildAll(rep, v, results[1:]))
	assert.Contains(t, read(t, output2), heredoc("result", "passed"))
}

func TestE2EReport(t *testing.T) {
	v, _ := release.ParseVersion("3.6.0")
	steps := []report.Step{
		{Name: "start registry", OK: true, Duration: 2 * time.Second, Detail: "registry:2 as a service"},
		{Name: "running: healthy", OK: false, Duration: 31 * time.Second, Detail: "expected healthy"},
	}
	t.Run("failed", func(t *testing.T) {
		output, summary := ghaFiles(t)
		var stdout bytes.Buffer
		rep := NewReporter(os.Getenv, &stdout)
		fail := &e2e.Failure{Step: "running: healthy", Expected: "the healthcheck to pass within 30s", Seen: "exit=1 port 8080 not listening", Logs: "FIT starting…\njava.net.BindException"}
		err := reportE2E(rep, "debian", v, steps, fail, 95*time.Second)
		require.Error(t, err)
		assert.Equal(t, 1, exitCode("e2e", err, rep, &bytes.Buffer{}))
		assert.Equal(t, heredoc("os", "debian")+heredoc("version", "3.6.0")+heredoc("result", "failed")+heredoc("duration", "95.0s"), read(t, output))
		sum := read(t, summary)
		assert.Contains(t, sum, "### e2e: FIT 3.6.0 on debian — ❌ failed in 95.0s")
		assert.Contains(t, sum, "| Step | Result | Time | Detail |")
		assert.Contains(t, sum, "| start registry | PASS | 2.0s |")
		assert.Contains(t, sum, "**Failed step:** running: healthy")
		out := stdout.String()
		assert.Contains(t, out, `::error title=e2e debian%3A step "running%3A healthy" failed::expected the healthcheck to pass within 30s, saw exit=1 port 8080 not listening`)
		assert.Contains(t, out, "::group::container logs (debian, FIT 3.6.0)\nFIT starting…\njava.net.BindException\n::endgroup::")
	})
	t.Run("passed", func(t *testing.T) {
		output, summary := ghaFiles(t)
		rep := NewReporter(os.Getenv, &bytes.Buffer{})
		steps := []report.Step{steps[0]}
		require.NoError(t, reportE2E(rep, "debian", v, steps, nil, 61*time.Second))
		assert.Contains(t, read(t, output), heredoc("result", "passed"))
		assert.Contains(t, read(t, summary), "✅ passed in 61.0s")
	})
}

func TestPublishReport(t *testing.T) {
	output, summary := ghaFiles(t)
	rep := NewReporter(os.Getenv, &bytes.Buffer{})
	v, _ := release.ParseVersion("3.6.0")
	r, _ := release.ParseRegistry("modelengine/")
	res := report.Result{OS: "debian", Tags: release.Refs(r, v, "debian"), Digest: "modelengine/fit-framework:3.6.0-debian@sha256:" + strings.Repeat("a", 64)}
	require.NoError(t, reportPublish(rep, r, v, res, ""))
	out := read(t, output)
	assert.Contains(t, out, heredoc("image", "modelengine/fit-framework"))
	assert.Contains(t, out, heredoc("tags", strings.Join(release.Refs(r, v, "debian"), "\n")))
	assert.Contains(t, out, heredoc("digest", "sha256:"+strings.Repeat("a", 64)))
	assert.Contains(t, read(t, summary), "### publish: FIT 3.6.0 on debian → `modelengine/fit-framework`")
}
