package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// githubKeys are the GITHUB_* variables ParseGitHub takes, each with its field and its rule.
var githubKeys = map[string]struct {
	field func(*GitHub) *string
	valid *regexp.Regexp // nil: any text without control characters
}{
	"GITHUB_SERVER_URL":   {func(g *GitHub) *string { return &g.ServerURL }, nil}, // parsed with net/url below
	"GITHUB_REPOSITORY":   {func(g *GitHub) *string { return &g.Repository }, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$`)},
	"GITHUB_RUN_ID":       {func(g *GitHub) *string { return &g.RunID }, regexp.MustCompile(`^[0-9]{1,20}$`)},
	"GITHUB_RUN_ATTEMPT":  {func(g *GitHub) *string { return &g.RunAttempt }, regexp.MustCompile(`^[0-9]{1,6}$`)},
	"GITHUB_WORKFLOW":     {func(g *GitHub) *string { return &g.Workflow }, nil},
	"GITHUB_WORKFLOW_REF": {func(g *GitHub) *string { return &g.WorkflowRef }, nil},
	"GITHUB_EVENT_NAME":   {func(g *GitHub) *string { return &g.EventName }, regexp.MustCompile(`^[a-z_]+$`)},
	"GITHUB_REF":          {func(g *GitHub) *string { return &g.Ref }, regexp.MustCompile(`^refs/[^\x00-\x1f\x7f ]+$`)},
	"GITHUB_SHA":          {func(g *GitHub) *string { return &g.SHA }, regexp.MustCompile(`^[0-9a-f]{40}$`)},
}

// GitHubKeys are the names ParseGitHub takes, sorted: what a caller copies from the runner's
// environment.
func GitHubKeys() []string { return slices.Sorted(maps.Keys(githubKeys)) }

// ParseGitHub reads a GitHub Actions run given as a JSON object of its GITHUB_* variables
// ({"GITHUB_SERVER_URL":"https://github.com","GITHUB_REPOSITORY":"o/r","GITHUB_RUN_ID":"1",…}).
// Empty input is no run (nil). Unknown names are refused rather than ignored, so that nothing
// else of the runner's environment (a token) is taken along by mistake; a refused value is not
// repeated in the message.
func ParseGitHub(s string) (*GitHub, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	var m map[string]string
	if err := dec.Decode(&m); err != nil || dec.More() {
		return nil, fmt.Errorf("--github-run is not a JSON object of strings: give {\"GITHUB_SERVER_URL\":…,\"GITHUB_REPOSITORY\":…,\"GITHUB_RUN_ID\":…}")
	}
	g := &GitHub{}
	for k, v := range m {
		key, ok := githubKeys[k]
		if !ok {
			return nil, fmt.Errorf("--github-run: unknown name %q: give only %s", k, strings.Join(GitHubKeys(), ", "))
		}
		if v == "" {
			continue
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) || len(v) > 1024 {
			return nil, fmt.Errorf("--github-run: %s has control characters or is too long: give the runner's value", k)
		}
		if key.valid != nil && !key.valid.MatchString(v) {
			return nil, fmt.Errorf("--github-run: %s is not what GitHub sets there (%s): give the runner's value", k, key.valid)
		}
		*key.field(g) = v
	}
	if g.ServerURL == "" || g.Repository == "" || g.RunID == "" {
		return nil, fmt.Errorf("--github-run needs GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID")
	}
	u, err := url.Parse(g.ServerURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("--github-run: GITHUB_SERVER_URL is not an https server URL with no login or path, such as https://github.com")
	}
	g.ServerURL = u.Scheme + "://" + u.Host
	return g, nil
}
