// Package release holds the rules of FIT image releases that need no engine: version syntax,
// registry prefixes, tag sets, OS selection and artifact locations.
package release

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultVersion is the FIT release the images are built from when no version is given; only
// this version gets the latest-{os} tag.
const DefaultVersion = "3.6.0"

// ImageName is the repository name every image is pushed under.
const ImageName = "fit-framework"

// Version is a parsed FIT release version (semantic versioning, as FIT tags its releases).
type Version struct {
	Major, Minor, Patch string
	Pre                 string // "rc.1", "SNAPSHOT"; empty for a final release
	raw                 string
}

var semver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)

// ParseVersion accepts MAJOR.MINOR.PATCH with an optional -PRERELEASE, and a leading "v" as in
// the release tags (v3.6.0 → 3.6.0); white space around it is dropped, as by every flag parser
// here. Everything else is rejected, so a version can go into a URL, a tag and a shell word
// without escaping, and each version has one form.
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	m := semver.FindStringSubmatch(t)
	if m == nil {
		if strings.TrimSpace(s) == "" {
			return Version{}, fmt.Errorf("no version given: pass --version MAJOR.MINOR.PATCH, e.g. %s", DefaultVersion)
		}
		return Version{}, fmt.Errorf("malformed version %q: expected MAJOR.MINOR.PATCH with an optional -PRERELEASE, e.g. %s or 3.7.0-rc.1", s, DefaultVersion)
	}
	return Version{Major: m[1], Minor: m[2], Patch: m[3], Pre: m[4], raw: t}, nil
}

// String is the normalized version, without a leading "v".
func (v Version) String() string { return v.raw }

// MajorMinor is "3.6" for 3.6.1.
func (v Version) MajorMinor() string { return v.Major + "." + v.Minor }

// IsPrerelease tells whether the version has a -PRERELEASE part.
func (v Version) IsPrerelease() bool { return v.Pre != "" }

// IsDefault tells whether this is DefaultVersion.
func (v Version) IsDefault() bool { return v.raw == DefaultVersion }
