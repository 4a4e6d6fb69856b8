// Package options parses the arguments that the Dagger module and the CI driver share, so both
// accept and refuse exactly the same input. Pure: no engine.
package options

import (
	"fmt"
	"strings"
	"time"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/release"
)

// Mirrors validates --apt-mirror and --apk-mirror and keys them by package manager.
func Mirrors(apt, apk string) (map[catalog.PackageManager]string, error) {
	m := map[catalog.PackageManager]string{catalog.Apt: strings.TrimSpace(apt), catalog.Apk: strings.TrimSpace(apk)}
	for _, u := range []string{m[catalog.Apt], m[catalog.Apk]} {
		if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, fmt.Errorf("mirror %q must be an http(s) URL, e.g. http://mirrors.example.com/debian", u)
		}
	}
	return m, nil
}

// OSes applies --os (only these; empty: all) and --skip-os to the catalog.
func OSes(only, skip string) ([]catalog.OS, error) {
	names, err := release.Select(catalog.Names(), only, skip)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.OS, 0, len(names))
	for _, n := range names {
		o, _ := catalog.Lookup(n)
		out = append(out, o)
	}
	return out, nil
}

// Timeout parses a positive duration such as 120s or 3m.
func Timeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("malformed --timeout %q: use a duration such as 120s or 3m", s)
	}
	return d, nil
}

// Labels validates --revision and --created, the release labels. created is RFC 3339 and comes
// back in UTC, so one commit time written with any offset gives the same label (and image).
func Labels(revision, created string) (string, string, error) {
	rev := strings.TrimSpace(revision)
	if len(rev) > 200 || strings.ContainsFunc(rev, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", "", fmt.Errorf("malformed --revision %q: give the commit, e.g. a 40-hex git SHA, without spaces", revision)
	}
	c := strings.TrimSpace(created)
	if c == "" {
		return rev, "", nil
	}
	t, err := time.Parse(time.RFC3339, c)
	if err != nil {
		return "", "", fmt.Errorf("malformed --created %q: give an RFC 3339 time such as the commit's (git log -1 --format=%%cI), e.g. 2026-12-02T10:04:05Z", created)
	}
	return rev, t.UTC().Format(time.RFC3339), nil
}
