package report

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTableAligns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header []string
		rows   [][]string
		want   string
	}{
		{"two spaces between columns, the last one not padded", []string{"A", "BB", "C"}, [][]string{{"long cell", "x", "last"}, {"y", "wider cell", ""}},
			"A          BB          C\nlong cell  x           last\ny          wider cell  \n"},
		{"widths in characters, not bytes", []string{"TAG", "WHY"}, [][]string{{"debian", "x"}, {"3.6 → 3.7", "y"}},
			"TAG        WHY\ndebian     x\n3.6 → 3.7  y\n"},
		{"no rows: the header alone", []string{"OS", "BASE IMAGE"}, nil, "OS  BASE IMAGE\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Table(tc.header, tc.rows); got != tc.want {
				t.Errorf("Table =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestHumanSize(t *testing.T) {
	cases := map[int64]string{0: "-", -1: "-", 999: "999 B", 14_200: "14.2 kB", 183_300_000: "183.3 MB", 1_500_000_000: "1.50 GB"}
	for n, want := range cases {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestSummaryAndMarkdown(t *testing.T) {
	rs := []Result{
		{OS: "debian", Tags: []string{"r/fit-framework:3.6.0-debian", "r/fit-framework:debian"}, Digest: "r/fit-framework@sha256:ab", Size: 183_300_000, Duration: 12300 * time.Millisecond},
		{OS: "alpine", Tags: []string{"r/fit-framework:3.6.0-alpine"}, Err: "build failed: no | base\nimage"},
		{OS: "ubuntu", Tags: []string{"r/fit-framework:3.6.0-ubuntu"}, Err: "not pushed: 1 OS failed", Held: true},
	}
	text := Summary(rs)
	for _, want := range []string{"OS      TAGS", "debian  r/fit-framework:3.6.0-debian r/fit-framework:debian", "183.3 MB  12.3s  ok", "FAILED: build failed", "HELD: not pushed: 1 OS failed"} {
		if !strings.Contains(text, want) {
			t.Errorf("Summary lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "FAILED: build failed: no | base\n") || !strings.HasSuffix(text, "\n\nalpine: build failed: no | base\nimage\n") {
		t.Errorf("Summary shows a several-line error on one row and in whole below:\n%s", text)
	}
	md := Markdown(rs)
	for _, want := range []string{"| OS | Tags |", "`r/fit-framework:3.6.0-debian`<br>`r/fit-framework:debian`", "✅ ok", "❌ build failed: no \\| base<br>image", "⏸️ not pushed: 1 OS failed"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if !rs[0].OK() || rs[1].OK() {
		t.Errorf("OK() = %v %v", rs[0].OK(), rs[1].OK())
	}
}

func TestChecksAndSteps(t *testing.T) {
	cs := Checks{{Name: "runs as fit", OK: true, Detail: "uid=2000"}, {Name: "node --version", OK: false, Detail: "missing"}}
	if f := cs.Failed(); len(f) != 1 || f[0].Name != "node --version" {
		t.Errorf("Failed() = %v", f)
	}
	if text := cs.Text(); !strings.Contains(text, "PASS    runs as fit") || !strings.Contains(text, "FAIL    node --version  missing") {
		t.Errorf("Text() =\n%s", text)
	}
	steps := []Step{{Name: "push", OK: true, Duration: 2 * time.Second, Detail: "pushed"}, {Name: "pull", OK: false, Detail: "a|b"}}
	if text := StepsText(steps); !strings.Contains(text, "push  PASS    2.0s  pushed") {
		t.Errorf("StepsText() =\n%s", text)
	}
	if md := StepsMarkdown(steps); !strings.Contains(md, "| pull | FAIL | 0.0s | a\\|b |") {
		t.Errorf("StepsMarkdown() =\n%s", md)
	}
}

func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{"": "", "one": "one", "  two\nthree\n": "two", "\nfour": "four"} {
		if got := FirstLine(in); got != want {
			t.Errorf("FirstLine(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestCommandFailure(t *testing.T) {
	var long []string
	for i := 1; i <= 30; i++ {
		long = append(long, fmt.Sprintf("line%d", i))
	}
	got := CommandFailure([]string{"sh", "-c", "apt-get update"}, 100, strings.Join(long, "\n")+"\n", "out")
	if !strings.HasPrefix(got, "command `sh -c apt-get update` exited with code 100; the last 20 lines of its stderr:\n  | line11\n") ||
		!strings.HasSuffix(got, "\n  | line30") || strings.Contains(got, "line10\n") {
		t.Errorf("CommandFailure kept the wrong lines:\n%s", got)
	}
	if got := CommandFailure([]string{"sh", "-c", "set -e\nfalse", "x"}, 1, "", ""); got != "command `sh -c set -e; false x` exited with code 1 and printed nothing" {
		t.Errorf("CommandFailure of a script = %q", got)
	}
	if got := CommandFailure([]string{"false"}, 1, "", "only stdout\n"); got != "command `false` exited with code 1; its output:\n  | only stdout" {
		t.Errorf("CommandFailure without stderr = %q", got)
	}
	if got := CommandFailure([]string{"false"}, 1, " \n", ""); got != "command `false` exited with code 1 and printed nothing" {
		t.Errorf("CommandFailure silent = %q", got)
	}
	if got := CommandFailure([]string{"sh", "-c", strings.Repeat("x", 200)}, 2, "e", ""); !strings.Contains(got, "xxx...` exited with code 2") || len(FirstLine(got)) > 180 {
		t.Errorf("CommandFailure does not shorten a long command: %q", got)
	}
	if got := EngineMessage("exit code: 7 [traceparent:858a1d93-7ba3b606]"); got != "exit code: 7" {
		t.Errorf("EngineMessage = %q", got)
	}
}

func TestMovesAndPushesText(t *testing.T) {
	ps := []Push{
		{Ref: "r:3.6.1-alpine", State: Pushed, Detail: "the release's own reference"},
		{Ref: "r:3.6.1-debian", State: PushFailed, Detail: "push of r:3.6.1-debian failed: 403"},
		{Ref: "r:alpine", Floating: true, State: NotPushed, Detail: "left where it was"},
		{Ref: "r:latest-alpine", Floating: true, State: Kept, Detail: "latest-alpine stays on 3.7.0"},
	}
	if got, want := Moves(ps), "moved: r:3.6.1-alpine; not moved (left where they were): r:3.6.1-debian, r:alpine"; got != want {
		t.Errorf("Moves = %q; want %q", got, want)
	}
	if got := Moves(ps[1:2]); got != "moved: nothing; not moved (left where they were): r:3.6.1-debian" {
		t.Errorf("Moves = %q", got)
	}
	text := PushesText([]Result{{OS: "alpine", Pushes: ps}})
	for _, want := range []string{"REFERENCE        STATE       WHY", "r:alpine         not pushed  left where it was", "r:latest-alpine  kept        latest-alpine stays on 3.7.0"} {
		if !strings.Contains(text, want) {
			t.Errorf("PushesText lacks %q:\n%s", want, text)
		}
	}
	if PushesText([]Result{{OS: "alpine"}}) != "" {
		t.Error("PushesText without pushes is not empty")
	}
}
