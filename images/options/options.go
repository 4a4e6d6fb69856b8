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
