package release

import (
	"fmt"
	"sort"
	"strings"
)

// SplitList splits a comma or space separated option value, dropping empty items and
// duplicates while keeping the order given.
func SplitList(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		f = strings.ToLower(f)
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// Select applies --os (only these; empty means all) and --skip-os to the supported names, as the
// seed's ONLY_OS and SKIP_OS did. Unknown names are an error that lists the supported ones, and
// so is a selection that leaves nothing to build.
func Select(supported []string, only, skip string) ([]string, error) {
	known := map[string]bool{}
	for _, s := range supported {
		known[s] = true
	}
	onlyL, skipL := SplitList(only), SplitList(skip)
	var unknown []string
	for _, n := range append(append([]string{}, onlyL...), skipL...) {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown OS %s: supported are %s", strings.Join(unknown, ", "), strings.Join(supported, ", "))
	}
	base := onlyL
	if len(base) == 0 {
		base = supported
	}
	skipped := map[string]bool{}
	for _, n := range skipL {
		skipped[n] = true
	}
	var out []string
	for _, n := range base {
		if !skipped[n] {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("nothing to build: --os %q minus --skip-os %q selects no OS", only, skip)
	}
	return out, nil
}
