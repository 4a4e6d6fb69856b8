// Package upstream is FIT's releases as GitHub publishes them: the releases listing (every
// page), the final releases among them, and the digest GitHub computed for a release asset. A
// plain HTTP client of the GitHub API, so it runs (and is tested) without an engine.
package upstream

import (
	"sort"

	"dagger/fit-images/images/release"
)

// DefaultAPIURL lists the releases of the FIT repository.
const DefaultAPIURL = "https://api.github.com/repos/ModelEngine-Group/fit-framework/releases"

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
