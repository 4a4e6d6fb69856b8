// Package readme finds the FIT version references in a README: the seed checklist's last item,
// "README version references updated".
package readme

import (
	"fmt"
	"regexp"
	"strings"

	"dagger/fit-images/images/release"
)

// The seed checklist's last item is "README version references updated". What counts as a
// reference, deliberately simple:
//
//   - an image reference with a full version and an OS suffix: "fit-framework:X.Y.Z-OS"
//     (with or without a registry prefix, pre-releases included: fit-framework:3.7.0-rc.1-debian);
//   - a version flag: "--version X.Y.Z" or "--version=X.Y.Z" (a leading v is allowed).
//
// Every such reference must name the version being released. Floating tags (fit-framework:debian,
// fit-framework:3.6-debian) and placeholders (fit-framework:${VERSION}-debian) are not references.
// A README without any reference passes, with a note.

// VersionRef is one version reference found in a README.
type VersionRef struct {
	Line    int    // 1-based
	Text    string // as written, e.g. "fit-framework:3.6.0-alpine"
	Version string // normalized, e.g. "3.6.0"
}

const versionPattern = `[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*)?`

var flagRefRe = regexp.MustCompile(`--version(?:=|[ \t]+)v?(` + versionPattern + `)`)

// imageRefRe matches fit-framework:VERSION-OS for the given OS names; the OS must end the tag.
func imageRefRe(osNames []string) *regexp.Regexp {
	quoted := make([]string, len(osNames))
	for i, n := range osNames {
		quoted[i] = regexp.QuoteMeta(n)
	}
	// the pre-release part is matched lazily so that "3.7.0-rc.1-debian" keeps "-debian" for the OS
	return regexp.MustCompile(regexp.QuoteMeta(release.ImageName) + `:([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+?)?)-(?:` +
		strings.Join(quoted, "|") + `)(?:[^0-9A-Za-z.-]|$)`)
}

// Scan lists the version references in a README, in order.
func Scan(content string, osNames []string) []VersionRef {
	img := imageRefRe(osNames)
	var refs []VersionRef
	for i, line := range strings.Split(content, "\n") {
		for _, m := range img.FindAllStringSubmatchIndex(line, -1) {
			text := strings.TrimRight(line[m[0]:m[1]], " \t`'\")]},;:")
			refs = append(refs, VersionRef{Line: i + 1, Text: text, Version: line[m[2]:m[3]]})
		}
		for _, m := range flagRefRe.FindAllStringSubmatchIndex(line, -1) {
			refs = append(refs, VersionRef{Line: i + 1, Text: line[m[0]:m[1]], Version: line[m[2]:m[3]]})
		}
	}
	return refs
}

// Check tells whether every reference names v, and says which do not.
func Check(name, content string, v release.Version, osNames []string) (bool, string) {
	refs := Scan(content, osNames)
	if len(refs) == 0 {
		return true, fmt.Sprintf("%s has no version reference (fit-framework:X.Y.Z-OS or --version X.Y.Z): nothing to update", name)
	}
	var wrong []string
	for _, r := range refs {
		if r.Version != v.String() {
			wrong = append(wrong, fmt.Sprintf("%s:%d: %s", name, r.Line, r.Text))
		}
	}
	if len(wrong) > 0 {
		const show = 5
		n, more := len(wrong), ""
		if len(wrong) > show {
			more = fmt.Sprintf(" … and %d more", len(wrong)-show)
			wrong = wrong[:show]
		}
		return false, fmt.Sprintf("%d of %d references do not name %s: %s%s", n, len(refs), v, strings.Join(wrong, "; "), more)
	}
	return true, fmt.Sprintf("all %d references in %s name %s", len(refs), name, v)
}
