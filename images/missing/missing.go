// Package missing answers missing-releases: which {V}-{OS} images FIT's final releases
// (images/upstream) lack in a registry (images/registry). The comparison and its text and JSON
// forms are pure; Query.Run does the two listings.
package missing

import (
	"fmt"
	"sort"
	"strings"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/stale"
)

// DefaultFloor is the oldest version the catch-up considers: the images start with FIT 3.6.0.
const DefaultFloor = "3.6.0"

// Missing is one version whose {V}-{OS} tag is absent from the registry for OSes. In a rebuild,
// OSes also has the published ones, listed again in Republish, and Reasons says why each of those
// is rebuilt, when it is not asked for by hand (a moved base).
type Missing struct {
	Version   release.Version
	OSes      []string
	Republish []string
	Reasons   []string
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

// WithStale adds to ms (missing images, oldest first) the stale published images of images/stale, to
// be rebuilt with their reason (stale.Why): one row per version, oldest first, a version missing
// one OS and stale in another in one row. Versions below floor or in skip (their release is
// running) are left out, as in the catch-up's own listing; limit > 0 keeps the oldest limit rows.
func WithStale(ms []Missing, images []stale.Image, floor release.Version, skip []release.Version, limit int) ([]Missing, error) {
	rows := map[string]*Missing{}
	var order []release.Version
	add := func(m Missing) *Missing {
		if r, ok := rows[m.Version.String()]; ok {
			return r
		}
		order = append(order, m.Version)
		rows[m.Version.String()] = &m
		return &m
	}
	for _, m := range ms {
		add(m)
	}
	skipped := map[string]bool{}
	for _, v := range skip {
		skipped[v.String()] = true
	}
	for _, img := range images {
		if !img.Stale {
			continue
		}
		v, err := release.ParseVersion(img.Version)
		if err != nil {
			return nil, fmt.Errorf("stale image %s-%s: %w", img.Version, img.OS, err)
		}
		if v.Compare(floor) < 0 || skipped[v.String()] {
			continue
		}
		r := add(Missing{Version: v})
		if contains(r.OSes, img.OS) {
			continue // missing already: the release builds it anyway
		}
		r.OSes = append(r.OSes, img.OS)
		r.Republish = append(r.Republish, img.OS)
		r.Reasons = append(r.Reasons, img.OS+": "+stale.Why(img))
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].Compare(order[j]) < 0 })
	out := make([]Missing, 0, len(order))
	for _, v := range order {
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, *rows[v.String()])
	}
	return out, nil
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
			for _, r := range m.Reasons {
				if why, ok := strings.CutPrefix(r, o+": "); ok {
					note = " (published: rebuilt and pushed again, " + why + ")"
				}
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
// ones among them that are published already, and why they are rebuilt ("; " between OSes).
type MatrixEntry struct {
	Version   string `json:"version"`
	OS        string `json:"os"`
	Republish string `json:"republish,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Matrix is the JSON form the scheduled workflow feeds to its release matrix.
func Matrix(ms []Missing) []MatrixEntry {
	out := make([]MatrixEntry, 0, len(ms))
	for _, m := range ms {
		out = append(out, MatrixEntry{Version: m.Version.String(), OS: strings.Join(m.OSes, ","), Republish: strings.Join(m.Republish, ","), Reason: strings.Join(m.Reasons, "; ")})
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
