// Package checklist is the release checklist as data: items with a typed status, the verdict and
// counts, and the report in three forms (text for a terminal, JSON for machines, Markdown for a
// GitHub step summary). The module builds it; the CI driver only reads its JSON back.
package checklist

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"dagger/fit-images/images/report"
)

// Status of one item. A skipped item does not fail the checklist: it was not asked for (no
// --registry) or could not run because an earlier item failed, which already failed it.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Mark is the item's symbol.
func (s Status) Mark() string {
	switch s {
	case Passed:
		return "✅"
	case Failed:
		return "❌"
	}
	return "➖"
}

// Item is one line of the checklist.
type Item struct {
	Name     string        `json:"name"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"` // 0 when not worth showing
}

// Counts are how many items ended in each status.
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Total   int `json:"total"`
}

// Report is the release checklist of one version.
type Report struct {
	Title   string `json:"title"`
	Version string `json:"version"`
	Items   []Item `json:"items"`
	// Staged is OS → the staged image by digest (REPO@sha256:…), for promote; only OSes whose
	// every item passed are staged.
	Staged map[string]string `json:"staged,omitempty"`
	// Details are extra Markdown sections for the step summary (e2e step tables), in order.
	Details []string `json:"details,omitempty"`
}

// Add appends an item.
func (r *Report) Add(name string, s Status, detail string, d time.Duration) {
	r.Items = append(r.Items, Item{Name: name, Status: s, Detail: detail, Duration: d})
}

func (r *Report) Pass(name, detail string) { r.Add(name, Passed, detail, 0) }
func (r *Report) Fail(name, detail string) { r.Add(name, Failed, detail, 0) }
func (r *Report) Skip(name, detail string) { r.Add(name, Skipped, detail, 0) }

// Count tells how many items passed, failed and were skipped.
func (r Report) Count() Counts {
	var c Counts
	for _, it := range r.Items {
		switch it.Status {
		case Passed:
			c.Passed++
		case Failed:
			c.Failed++
		default:
			c.Skipped++
		}
	}
	c.Total = len(r.Items)
	return c
}

// OK tells whether no item failed (an empty checklist proves nothing, so it is not OK).
func (r Report) OK() bool { c := r.Count(); return c.Failed == 0 && c.Total > 0 }

// FailedItems are the names of the failed items, in order.
func (r Report) FailedItems() []string {
	out := []string{}
	for _, it := range r.Items {
		if it.Status == Failed {
			out = append(out, it.Name)
		}
	}
	return out
}

// Verdict is the closing line: "PASSED: 9 of 9 items passed" or "FAILED: 2 of 9 items failed".
func (r Report) Verdict() string {
	c := r.Count()
	var s string
	switch {
	case c.Total == 0:
		return "FAILED: no item was checked"
	case c.Failed > 0:
		s = fmt.Sprintf("FAILED: %d of %d items failed", c.Failed, c.Total)
	default:
		s = fmt.Sprintf("PASSED: %d of %d items passed", c.Passed, c.Total)
	}
	if c.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return s
}

// Text renders the checklist for a terminal or a log.
func (r Report) Text() string {
	var b strings.Builder
	b.WriteString(r.Title + "\n")
	width := 0
	for _, it := range r.Items {
		width = max(width, len(it.Name))
	}
	for _, it := range r.Items {
		line := fmt.Sprintf("  %s %-*s  %s", it.Status.Mark(), width, it.Name, oneLine(it.Detail))
		if it.Duration > 0 {
			line += " (" + report.Seconds(it.Duration) + ")"
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	b.WriteString(r.Verdict() + "\n")
	return b.String()
}

// Markdown renders the checklist for a GitHub step summary.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", r.Title)
	b.WriteString("| | Item | Detail | Time |\n|---|---|---|---|\n")
	for _, it := range r.Items {
		t := ""
		if it.Duration > 0 {
			t = report.Seconds(it.Duration)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", it.Status.Mark(), mdCell(it.Name), mdCell(it.Detail), t)
	}
	mark := Passed.Mark()
	if !r.OK() {
		mark = Failed.Mark()
	}
	fmt.Fprintf(&b, "\n**%s %s**\n", mark, r.Verdict())
	for _, d := range r.Details {
		b.WriteString("\n" + strings.TrimRight(d, "\n") + "\n")
	}
	return b.String()
}

// wire is the JSON form: the report plus what a reader would otherwise recompute.
type wire struct {
	Report
	OK      bool     `json:"ok"`
	Verdict string   `json:"verdict"`
	Counts  Counts   `json:"counts"`
	Failed  []string `json:"failed"`
}

// JSON renders the checklist for machines (the CI driver, jq).
func (r Report) JSON() string {
	b, err := json.MarshalIndent(wire{r, r.OK(), r.Verdict(), r.Count(), r.FailedItems()}, "", "  ")
	if err != nil {
		panic(err) // strings, numbers and maps of strings always encode
	}
	return string(b) + "\n"
}

// Format renders the report as "text" or "json".
func (r Report) Format(format string) string {
	if format == "json" {
		return r.JSON()
	}
	return r.Text()
}

// ParseFormat validates a --format value.
func ParseFormat(s string) (string, error) {
	switch s {
	case "", "text":
		return "text", nil
	case "json":
		return "json", nil
	}
	return "", fmt.Errorf("unknown --format %q: use text or json", s)
}

// Parse reads the JSON form back; statuses other than the three are refused.
func Parse(s string) (Report, error) {
	var w wire
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return Report{}, fmt.Errorf("not a release checklist in JSON: %v", err)
	}
	for _, it := range w.Items {
		switch it.Status {
		case Passed, Failed, Skipped:
		default:
			return Report{}, fmt.Errorf("item %q has an unknown status %q", it.Name, it.Status)
		}
	}
	return w.Report, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// mdCell keeps a value inside one Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "|", "\\|")
	return strings.ReplaceAll(s, "\n", "<br>")
}
