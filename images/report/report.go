// Package report formats what the pipeline did — checks, build results, e2e steps — as text,
// Markdown or JSON. It has no Dagger import, so the CI driver and the module share it.
package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"
)

// Check is one assertion about an image.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Checks is a list of checks with a verdict.
type Checks []Check

// Failed lists the failed checks.
func (cs Checks) Failed() Checks {
	var out Checks
	for _, c := range cs {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Text renders one line per check: "PASS  name  detail".
func (cs Checks) Text() string {
	rows := make([][]string, 0, len(cs))
	for _, c := range cs {
		rows = append(rows, []string{verdict(c.OK), c.Name, c.Detail})
	}
	return Table([]string{"RESULT", "CHECK", "DETAIL"}, rows)
}

// Result is what happened to one OS in build-all, e2e or publish.
type Result struct {
	OS       string        `json:"os"`
	Tags     []string      `json:"tags"`
	Digest   string        `json:"digest,omitempty"` // pushed digest ref, when pushed
	Size     int64         `json:"size"`             // compressed image size in bytes, 0 if unknown
	Duration time.Duration `json:"duration_ns"`
	Err      string        `json:"error,omitempty"`
	// Held: the OS built and passed, but was not (fully) pushed because something else failed;
	// Err says what. A held OS is not a failure of its own.
	Held  bool   `json:"held,omitempty"`
	Steps []Step `json:"steps,omitempty"`
	// Rule says how the floating tags were decided; Pushes is what became of every reference,
	// when a push was asked.
	Rule   string `json:"rule,omitempty"`
	Pushes []Push `json:"pushes,omitempty"`
}

// PushState is what became of one reference of a release.
type PushState string

const (
	// Pushed: the registry has the reference on the new image (pushed, or moved for a floating tag).
	Pushed PushState = "pushed"
	// PushFailed: its push was tried and failed.
	PushFailed PushState = "failed"
	// NotPushed: never tried, as an earlier push failed; the reference is where it was.
	NotPushed PushState = "not pushed"
	// PutBack: a floating tag moved, then pointed at its earlier image again as a later push failed.
	PutBack PushState = "put back"
	// Kept: a floating tag the rule does not move (e.g. a backport leaves "debian" alone).
	Kept PushState = "kept"
)

// Push is one reference of a release and what became of it.
type Push struct {
	Ref      string    `json:"ref"`
	Floating bool      `json:"floating"`
	State    PushState `json:"state"`
	Digest   string    `json:"digest,omitempty"` // the pushed digest ref, when pushed
	Detail   string    `json:"detail,omitempty"` // why it moved or not, or the error
}

// Moved tells whether the reference points at the new image now.
func (p Push) Moved() bool { return p.State == Pushed }

// Moves says what a release's pushes left behind: "moved: A, B; not moved (left where they
// were): C, D". Kept floating tags are in neither list.
func Moves(ps []Push) string {
	var moved, notMoved []string
	for _, p := range ps {
		switch p.State {
		case Pushed:
			moved = append(moved, p.Ref)
		case PushFailed, NotPushed, PutBack:
			notMoved = append(notMoved, p.Ref)
		}
	}
	m, n := "nothing", "nothing"
	if len(moved) > 0 {
		m = strings.Join(moved, ", ")
	}
	if len(notMoved) > 0 {
		n = strings.Join(notMoved, ", ")
	}
	return fmt.Sprintf("moved: %s; not moved (left where they were): %s", m, n)
}

// AllPushes is the pushes of every result, in order.
func AllPushes(rs []Result) []Push {
	var out []Push
	for _, r := range rs {
		out = append(out, r.Pushes...)
	}
	return out
}

// PushesText renders every reference of the results, one per line: "REF  STATE  DETAIL".
func PushesText(rs []Result) string {
	var rows [][]string
	for _, r := range rs {
		for _, p := range r.Pushes {
			rows = append(rows, []string{p.Ref, string(p.State), p.Detail})
		}
	}
	if len(rows) == 0 {
		return ""
	}
	return Table([]string{"REFERENCE", "STATE", "WHY"}, rows)
}

// OK tells whether the OS went through.
func (r Result) OK() bool { return r.Err == "" }

// Step is one timed step of a flow (e2e, release-check).
type Step struct {
	Name     string        `json:"name"`
	OK       bool          `json:"ok"`
	Duration time.Duration `json:"duration_ns"`
	Detail   string        `json:"detail,omitempty"`
}

// Summary renders results as a text table, one row per OS; an error of several lines (a failed
// command's output) has its first line in the table and the whole of it below.
func Summary(rs []Result) string {
	rows := make([][]string, 0, len(rs))
	var details strings.Builder
	for _, r := range rs {
		status := "ok"
		switch {
		case r.Held:
			status = "HELD: " + FirstLine(r.Err)
		case !r.OK():
			status = "FAILED: " + FirstLine(r.Err)
			if strings.Contains(strings.TrimSpace(r.Err), "\n") {
				fmt.Fprintf(&details, "\n%s: %s\n", r.OS, strings.TrimSpace(r.Err))
			}
		}
		digest := r.Digest
		if digest == "" {
			digest = "-"
		}
		rows = append(rows, []string{r.OS, strings.Join(r.Tags, " "), digest, HumanSize(r.Size), Seconds(r.Duration), status})
	}
	return Table([]string{"OS", "TAGS", "DIGEST", "SIZE", "TIME", "RESULT"}, rows) + details.String()
}

// Markdown renders results as a Markdown table (GitHub step summary).
func Markdown(rs []Result) string {
	var b strings.Builder
	b.WriteString("| OS | Tags | Digest | Size | Time | Result |\n|---|---|---|---|---|---|\n")
	for _, r := range rs {
		status := "✅ ok"
		switch {
		case r.Held:
			status = "⏸️ " + mdEscape(r.Err)
		case !r.OK():
			status = "❌ " + mdEscape(r.Err)
		}
		tags := make([]string, len(r.Tags))
		for i, t := range r.Tags {
			tags[i] = "`" + t + "`"
		}
		digest := "-"
		if r.Digest != "" {
			digest = "`" + r.Digest + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.OS, strings.Join(tags, "<br>"), digest, HumanSize(r.Size), Seconds(r.Duration), status)
	}
	return b.String()
}

// StepsText renders steps as a table.
func StepsText(steps []Step) string {
	rows := make([][]string, 0, len(steps))
	for _, s := range steps {
		rows = append(rows, []string{s.Name, verdict(s.OK), Seconds(s.Duration), s.Detail})
	}
	return Table([]string{"STEP", "RESULT", "TIME", "DETAIL"}, rows)
}

// StepsMarkdown renders steps as a Markdown table.
func StepsMarkdown(steps []Step) string {
	var b strings.Builder
	b.WriteString("| Step | Result | Time | Detail |\n|---|---|---|---|\n")
	for _, s := range steps {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", s.Name, verdict(s.OK), Seconds(s.Duration), mdEscape(s.Detail))
	}
	return b.String()
}

// Table aligns columns with two spaces between them (widths in characters, "→" is one); the last
// column is not padded.
func Table(header []string, rows [][]string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range append([][]string{header}, rows...) {
		// a strings.Builder never fails, so neither does the tabwriter that writes to it
		_, _ = io.WriteString(tw, strings.Join(r, "\t")+"\n")
	}
	_ = tw.Flush()
	return b.String()
}

// HumanSize prints bytes as "123.4 MB" (decimal units, as registries show them); 0 is "-".
func HumanSize(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// Seconds prints a duration as "12.3s".
func Seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", "<br>")
}

// FirstLine keeps a message to one line: engine errors carry long traces and logs.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TailLines is how many lines of a failed command's output an error keeps: enough for apt's,
// apk's or the JVM's cause, short enough for a summary.
const TailLines = 20

var traceparent = regexp.MustCompile(`\s*\[traceparent:[0-9a-f-]+\]`)

// CommandFailure describes a command that failed in the engine: which command (shortened), its
// exit code and the last TailLines lines of its stderr (of its stdout when stderr is empty),
// where the cause is. The engine's own message for it is only "exit code: N".
func CommandFailure(cmd []string, code int, stderr, stdout string) string {
	// on one line, so the first line of the message names the command (scripts span lines)
	shown := strings.ReplaceAll(strings.Join(cmd, " "), "\n", "; ")
	if len(shown) > 120 {
		shown = shown[:117] + "..."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "command `%s` exited with code %d", shown, code)
	out, which := strings.TrimRight(stderr, "\n"), "stderr"
	if strings.TrimSpace(out) == "" {
		out, which = strings.TrimRight(stdout, "\n"), "output"
	}
	if strings.TrimSpace(out) == "" {
		b.WriteString(" and printed nothing")
		return b.String()
	}
	lines := strings.Split(out, "\n")
	if len(lines) > TailLines {
		fmt.Fprintf(&b, "; the last %d lines of its %s:", TailLines, which)
		lines = lines[len(lines)-TailLines:]
	} else {
		fmt.Fprintf(&b, "; its %s:", which)
	}
	for _, l := range lines {
		b.WriteString("\n  | " + l)
	}
	return b.String()
}

// EngineMessage is an engine error's message without the trace ids the engine appends.
func EngineMessage(s string) string { return strings.TrimSpace(traceparent.ReplaceAllString(s, "")) }
