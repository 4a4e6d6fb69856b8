package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"
)

// Reporter is where a job sends what it wants seen: step outputs, the step summary, log groups,
// error annotations and the secrets to hide. Inside GitHub Actions it speaks the runner's
// protocol (workflow commands on stdout, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files); anywhere
// else it prints the same information as plain text, so a local run shows what CI would.
//
// Every reporter removes the masked values from everything it writes, outputs and summary
// included: GitHub masks only the log, and a secret must not leak through a file either.
type Reporter interface {
	// Mask hides value from everything written from now on.
	Mask(value string)
	// Output sets a step output; a multi-line value is fine.
	Output(name, value string) error
	// Summary appends to the step summary: Markdown for GitHub, text for the log.
	Summary(markdown, text string) error
	// Group wraps what fn prints (and the engine's log meanwhile) in a collapsible log group.
	Group(title string, fn func())
	// Error raises an error annotation with a title.
	Error(title, message string)
	// Printf writes a log line.
	Printf(format string, args ...any)
}

// NewReporter picks the GitHub Actions reporter when GITHUB_ACTIONS=true, the plain one otherwise.
// A plain run that is given GITHUB_OUTPUT or GITHUB_STEP_SUMMARY files still writes them (no
// workflow commands on stdout), so a local run can produce exactly what CI would.
func NewReporter(getenv func(string) string, stdout io.Writer) Reporter {
	if getenv("GITHUB_ACTIONS") == "true" {
		return newGHA(getenv, stdout)
	}
	p := newPlain(stdout)
	if getenv("GITHUB_OUTPUT") != "" || getenv("GITHUB_STEP_SUMMARY") != "" {
		p.files, p.getenv = newGHA(getenv, io.Discard), getenv
	}
	return p
}

// masker remembers secret values and scrubs them from text.
type masker struct {
	mu     sync.Mutex
	values []string
}

// minMaskLen keeps a one- or two-letter "secret" from turning every such letter into ***; GitHub
// still masks it in the log (AddMask), and such a password would be refused anyway.
const minMaskLen = 3

func (m *masker) add(v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, line := range strings.Split(v, "\n") {
		if line = strings.TrimSpace(line); len(line) >= minMaskLen {
			m.values = append(m.values, line)
		}
	}
}

func (m *masker) scrub(s string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.values {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}

var outputName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func checkOutputName(name string) error {
	if !outputName.MatchString(name) {
		return fmt.Errorf("invalid output name %q", name)
	}
	return nil
}

// --- GitHub Actions -----------------------------------------------------------------------------

// ghaDelimiter is the heredoc delimiter go-githubactions writes around every file command value.
const ghaDelimiter = "_GitHubActionsFileCommandDelimeter_"

type ghaReporter struct {
	a      *githubactions.Action
	getenv func(string) string
	out    io.Writer
	mask   masker
	mu     sync.Mutex // one workflow command at a time: jobs report from several goroutines
}

func newGHA(getenv func(string) string, stdout io.Writer) *ghaReporter {
	return &ghaReporter{
		a:      githubactions.New(githubactions.WithWriter(stdout), githubactions.WithGetenv(getenv)),
		getenv: getenv,
		out:    stdout,
	}
}

func (r *ghaReporter) Mask(value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	r.mask.add(value)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, line := range strings.Split(value, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			r.a.AddMask(line)
		}
	}
}

// fileCommand runs a go-githubactions call that writes an environment file; the library panics
// when the file cannot be written, which becomes an error here.
func (r *ghaReporter) fileCommand(env string, fn func()) (err error) {
	if r.getenv(env) == "" {
		return fmt.Errorf("%s is not set: cannot write it outside a GitHub Actions step", env)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("writing %s: %v", env, p)
		}
	}()
	r.mu.Lock()
	defer r.mu.Unlock()
	fn()
	return nil
}

func (r *ghaReporter) Output(name, value string) error {
	if err := checkOutputName(name); err != nil {
		return err
	}
	value = r.mask.scrub(value)
	if strings.Contains(value, ghaDelimiter) {
		return fmt.Errorf("output %s contains the file command delimiter", name)
	}
	if err := r.fileCommand("GITHUB_OUTPUT", func() { r.a.SetOutput(name, value) }); err != nil {
		r.Printf("warning: %v; output %s=%s", err, name, value)
		return err
	}
	return nil
}

func (r *ghaReporter) Summary(markdown, text string) error {
	r.Printf("%s", strings.TrimRight(text, "\n"))
	markdown = r.mask.scrub(markdown)
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	return r.fileCommand("GITHUB_STEP_SUMMARY", func() { r.a.AddStepSummary(markdown) })
}

func (r *ghaReporter) Group(title string, fn func()) {
	r.mu.Lock()
	r.a.Group(r.mask.scrub(title))
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.a.EndGroup()
		r.mu.Unlock()
	}()
	fn()
}

func (r *ghaReporter) Error(title, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.a
	if title != "" {
		a = a.WithFieldsMap(map[string]string{"title": r.mask.scrub(title)})
	}
	a.Errorf("%s", r.mask.scrub(message))
}

func (r *ghaReporter) Printf(format string, args ...any) {
	s := r.mask.scrub(fmt.Sprintf(format, args...))
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = fmt.Fprintln(r.out, s) // the log is best effort
}

// --- plain text ---------------------------------------------------------------------------------

type plainReporter struct {
	out  io.Writer
	mask masker
	mu   sync.Mutex
	// files writes GITHUB_OUTPUT / GITHUB_STEP_SUMMARY when they are set; nil otherwise
	files  *ghaReporter
	getenv func(string) string
}

func newPlain(stdout io.Writer) *plainReporter { return &plainReporter{out: stdout} }

func (r *plainReporter) Mask(value string) {
	r.mask.add(value)
	if r.files != nil {
		r.files.mask.add(value) // scrub only: no ::add-mask:: outside Actions
	}
}

func (r *plainReporter) write(s string) {
	s = r.mask.scrub(s)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = io.WriteString(r.out, s) // the log is best effort
}

// Output prints "output NAME=VALUE", or for a multi-line value "output NAME:" and the lines indented.
func (r *plainReporter) Output(name, value string) error {
	if err := checkOutputName(name); err != nil {
		return err
	}
	if !strings.Contains(value, "\n") {
		r.write("output " + name + "=" + value)
	} else {
		r.write("output " + name + ":\n    " + strings.ReplaceAll(strings.TrimRight(value, "\n"), "\n", "\n    "))
	}
	if r.files != nil && r.getenv("GITHUB_OUTPUT") != "" {
		return r.files.Output(name, value)
	}
	return nil
}

func (r *plainReporter) Summary(markdown, text string) error {
	r.write(text)
	if r.files != nil && r.getenv("GITHUB_STEP_SUMMARY") != "" {
		return r.files.Summary(markdown, text)
	}
	return nil
}

func (r *plainReporter) Group(title string, fn func()) {
	r.write("── " + title + " ──")
	defer r.write("── end of " + title + " ──")
	fn()
}

func (r *plainReporter) Error(title, message string) {
	if title != "" {
		message = title + ": " + message
	}
	r.write("ERROR: " + message)
}

func (r *plainReporter) Printf(format string, args ...any) { r.write(fmt.Sprintf(format, args...)) }
