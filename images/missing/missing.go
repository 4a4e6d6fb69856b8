// Package missing answers missing-releases: which {V}-{OS} images FIT's final releases
// (images/upstream) lack in a registry (images/registry). The comparison and its text and JSON
// forms are pure; Query.Run does the two listings.
package missing

import (
	"fmt"
	"sort"
	"strings"

	"dagger/fit-images/images/release"
)

// DefaultFloor is the oldest version the catch-up considers: the images start with FIT 3.6.0.
const DefaultFloor = "3.6.0"

// Missing is one version whose {V}-{OS} tag is absent from the registry for OSes. In a rebuild,
// OSes also has the published ones, listed again in Republish.
type Missing struct {
	Version   release.Version
	OSes      []string
	Republish []string
}

// Compare answers, oldest version first, the versions that lack a {V}-{OS} tag among tags for
// one or more of oses (in the order given). limit > 0 keeps the oldest limit versions only.
func Compare(versions []release.Version, oses []string, tags []string, limit int) []Missing {
	have := map[string]bool{}
	for _, t := range tags {
		have[t] = true
	}
	sorted := append([]release.Version(nil), versions...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Compare(sorted[j]) < 0 })
	var out []Missing
	for _, v := range sorted {
		var lacking []string
		for _, o := range oses {
			if !have[release.Tags(v, o)[0]] { // the immutable {V}-{OS} tag comes first
				lacking = append(lacking, o)
			}
		}
		if len(lacking) == 0 {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, Missing{Version: v, OSes: lacking})
	}
	return out
}

// Rebuild is the plan of an explicit rebuild of v: every selected OS, the ones whose {V}-{OS}
// is published already in Republish too, so the summary can say they are pushed again.
func Rebuild(v release.Version, oses []string, tags []string) Missing {
	have := map[string]bool{}
	for _, t := range tags {
		have[t] = true
	}
	m := Missing{Version: v, OSes: append([]string(nil), oses...)}
	for _, o := range oses {
		if have[release.Tags(v, o)[0]] {
			m.Republish = append(m.Republish, o)
		}
	}
	return m
}

// Without drops the versions of skip (those whose release is running already, say).
func Without(vs []release.Version, skip []release.Version) []release.Version {
	drop := map[string]bool{}
	for _, s := range skip {
		drop[s.String()] = true
	}
	var out []release.Version
	for _, v := range vs {
		if !drop[v.String()] {
			out = append(out, v)
		}
	}
	return out
}

// Text is one "VERSION OS" line per missing pair, oldest first; empty when nothing is missing.
func Text(ms []Missing) string {
	var b strings.Builder
	for _, m := range ms {
		for _, o := range m.OSes {
			note := ""
			if contains(m.Republish, o) {
				note = " (published: rebuilt and pushed again)"
			}
			fmt.Fprintf(&b, "%s %s%s\n", m.Version, o, note)
		}
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MatrixEntry is one release to run, as a GitHub Actions matrix entry: the version and its
// OSes to release, comma separated (the --os syntax of every function), and in a rebuild the
// ones among them that are published already.
type MatrixEntry struct {
	Version   string `json:"version"`
	OS        string `json:"os"`
	Republish string `json:"republish,omitempty"`
}

// Matrix is the JSON form the scheduled workflow feeds to its release matrix.
func Matrix(ms []Missing) []MatrixEntry {
	out := make([]MatrixEntry, 0, len(ms))
	for _, m := range ms {
		out = append(out, MatrixEntry{Version: m.Version.String(), OS: strings.Join(m.OSes, ","), Republish: strings.Join(m.Republish, ",")})
	}
	return out
}

// ParseLimit validates --limit: 0 means no bound.
func ParseLimit(n int) (int, error) {
	if n < 0 {
		return 0, fmt.Errorf("--limit %d is negative: pass the most versions to answer, or 0 for all", n)
	}
	return n, nil
}
