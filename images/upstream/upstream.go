// Package upstream tells which FIT releases have no images yet: it lists the final releases of
// the FIT repository through the GitHub releases API, the {V}-{OS} tags of a registry, and
// compares the two. The comparison is pure; the two listings are plain HTTP clients, so the
// package runs (and is tested) without an engine.
package upstream

import (
	"fmt"
	"sort"
	"strings"

	"dagger/fit-images/images/release"
)

// DefaultAPIURL lists the releases of the FIT repository.
const DefaultAPIURL = "https://api.github.com/repos/ModelEngine-Group/fit-framework/releases"

// DefaultFloor is the oldest version the catch-up considers: the images start with FIT 3.6.0.
const DefaultFloor = "3.6.0"

// Release is one entry of the GitHub releases API answer, the fields this package reads.
type Release struct {
	TagName    string `json:"tag_name"`
	Draft      bool   `json:"draft"`
	Prerelease bool   `json:"prerelease"`
}

// Finals keeps the final releases at or above floor, oldest first and each once: drafts,
// releases GitHub marks as pre-releases, versions with a -PRERELEASE part and versions below the
// floor are dropped. Tags that are not versions (a "nightly" release, say) are returned in
// skipped, so the caller can say why they are not considered.
func Finals(rs []Release, floor release.Version) (finals []release.Version, skipped []string) {
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Draft || r.Prerelease {
			continue
		}
		v, err := release.ParseVersion(r.TagName)
		if err != nil {
			skipped = append(skipped, r.TagName)
			continue
		}
		if v.IsPrerelease() || v.Compare(floor) < 0 || seen[v.String()] {
			continue
		}
		seen[v.String()] = true
		finals = append(finals, v)
	}
	sort.Slice(finals, func(i, j int) bool { return finals[i].Compare(finals[j]) < 0 })
	return finals, skipped
}

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
