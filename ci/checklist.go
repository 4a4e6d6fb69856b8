package main

import (
	"fmt"
	"strings"
	"time"

	"dagger/fit-images/images/report"
)

// Status of one checklist item. A skipped item does not fail the checklist: it was not asked for
// (no --registry) or could not run because an earlier item failed, which already failed it.
type Status int

const (
	Pass Status = iota
	Fail
	Skip
)

// Mark is the item's symbol in the checklist.
func (s Status) Mark() string {
	switch s {
	case Pass:
		return "✅"
	case Fail:
		return "❌"
	}
	return "➖"
}

// Item is one line of the release checklist.
type Item struct {
	Name     string
	Status   Status
	Detail   string
	Duration time.Duration // 0 when not worth showing
}

// Checklist is the seed guide's release checklist (发布检查清单), item by item.
type Checklist struct {
	Title string
	Items []Item
	// Details are extra Markdown sections for the step summary (e2e step tables), in order.
	Details []string
}

func (c *Checklist) add(name string, s Status, detail string, d time.Duration) {
	c.Items = append(c.Items, Item{Name: name, Status: s, Detail: detail, Duration: d})
}

func (c *Checklist) pass(name, detail string) { c.add(name, Pass, detail, 0) }
func (c *Checklist) fail(name, detail string) { c.add(name, Fail, detail, 0) }
func (c *Checklist) skip(name, detail string) { c.add(name, Skip, detail, 0) }

// Count returns how many items passed, failed and were skipped.
func (c Checklist) Count() (passed, failed, skipped int) {
	for _, it := range c.Items {
		switch it.Status {
		case Pass:
			passed++
		case Fail:
			failed++
		default:
			skipped++
		}
	}
	return
}

// OK tells whether no item failed.
func (c Checklist) OK() bool {
	_, failed, _ := c.Count()
	return failed == 0
}

// Verdict is the closing line: "PASSED: 9 of 9 items passed" or "FAILED: 2 of 9 items failed".
func (c Checklist) Verdict() string {
	passed, failed, skipped := c.Count()
	total := passed + failed + skipped
	var s string
	if failed > 0 {
		s = fmt.Sprintf("FAILED: %d of %d items failed", failed, total)
	} else {
		s = fmt.Sprintf("PASSED: %d of %d items passed", passed, total)
	}
	if skipped > 0 {
		s += fmt.Sprintf(", %d skipped", skipped)
	}
	return s
}

// Text renders the checklist for a terminal or the log.
func (c Checklist) Text() string {
	var b strings.Builder
	b.WriteString(c.Title + "\n")
	width := 0
	for _, it := range c.Items {
		width = max(width, len(it.Name))
	}
	for _, it := range c.Items {
		line := fmt.Sprintf("  %s %-*s  %s", it.Status.Mark(), width, it.Name, oneLine(it.Detail))
		if it.Duration > 0 {
			line += " (" + report.Seconds(it.Duration) + ")"
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	b.WriteString(c.Verdict() + "\n")
	return b.String()
}

// Markdown renders the checklist for the GitHub step summary.
func (c Checklist) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", c.Title)
	b.WriteString("| | Item | Detail | Time |\n|---|---|---|---|\n")
	for _, it := range c.Items {
		t := ""
		if it.Duration > 0 {
			t = report.Seconds(it.Duration)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", it.Status.Mark(), mdCell(it.Name), mdCell(it.Detail), t)
	}
	mark := Pass.Mark()
	if !c.OK() {
		mark = Fail.Mark()
	}
	fmt.Fprintf(&b, "\n**%s %s**\n", mark, c.Verdict())
	for _, d := range c.Details {
		b.WriteString("\n" + strings.TrimRight(d, "\n") + "\n")
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// mdCell keeps a value inside one Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "|", "\\|")
	return strings.ReplaceAll(s, "\n", "<br>")
}
