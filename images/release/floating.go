package release

import (
	"fmt"
	"strings"
)

// Latest says how the floating tags ({OS}, latest-{OS}, {MAJOR.MINOR}-{OS}) of a push are decided.
type Latest string

const (
	// LatestAuto moves a floating tag only when the version is the highest final release it
	// stands for, among the releases in the registry after this push.
	LatestAuto Latest = "auto"
	// LatestAlways moves every floating tag (e.g. to point them back at an older release on purpose).
	LatestAlways Latest = "always"
	// LatestNever pushes the immutable {V}-{OS} only.
	LatestNever Latest = "never"
)

// ParseLatest reads --latest; empty is auto.
func ParseLatest(s string) (Latest, error) {
	switch l := Latest(strings.ToLower(strings.TrimSpace(s))); l {
	case "":
		return LatestAuto, nil
	case LatestAuto, LatestAlways, LatestNever:
		return l, nil
	}
	return "", fmt.Errorf("unknown --latest %q: use auto (move floating tags only to the highest release), always or never", s)
}

// Allows refuses --latest always for a pre-release: a release candidate under "debian" is a
// mistake nobody means.
func (l Latest) Allows(v Version) error {
	if l == LatestAlways && v.IsPrerelease() {
		return fmt.Errorf("--latest always with pre-release %s: a pre-release never moves a floating tag; drop --latest or use never", v)
	}
	return nil
}

// Move is the decision for one floating tag.
type Move struct {
	Tag    string `json:"tag"` // without repository: "debian"
	Move   bool   `json:"move"`
	Reason string `json:"reason"`
}

// Plan is what one push of version V for one OS does to the tags of the repository.
type Plan struct {
	Version Version `json:"-"`
	OS      string  `json:"os"`
	Latest  Latest  `json:"latest"`
	// Listed tells whether the registry's tags decided (auto); false with auto is the fallback rule.
	Listed bool `json:"listed"`
	// Note says on what the decision rests, in one line.
	Note     string `json:"note"`
	Floating []Move `json:"floating"`
}

// Immutable is the tag pushed every time and never moved afterwards: "3.6.1-debian".
func (p Plan) Immutable() string { return p.Version.String() + "-" + p.OS }

// Tags are the tags to push, the immutable one first, then the floating ones that move.
func (p Plan) Tags() []string {
	tags := []string{p.Immutable()}
	for _, m := range p.Floating {
		if m.Move {
			tags = append(tags, m.Tag)
		}
	}
	return tags
}

// Refs is Tags under a registry prefix.
func (p Plan) Refs(r Registry) []string {
	tags := p.Tags()
	for i, t := range tags {
		tags[i] = r.Ref(t)
	}
	return tags
}

// floatingTags of V for one OS, most specific first.
func floatingTags(v Version, osName string) (line, os, latest string) {
	return v.MajorMinor() + "-" + osName, osName, "latest-" + osName
}

// Decide is the rule of semver "latest=auto" on the tags the repository has (have: every tag of
// {registry}fit-framework, all OSes). Only this OS's final releases ({V}-{OS} tags) count: {OS}
// and latest-{OS} move when V is the highest of them after this push, {MAJOR.MINOR}-{OS} when V
// is the highest patch of its line; so a backport or an older rebuild never moves a tag
// backwards, and a rebuild of the highest moves its tags again (to the rebuilt image).
func Decide(v Version, osName string, l Latest, have []string) Plan {
	p := Plan{Version: v, OS: osName, Latest: l}
	switch {
	case v.IsPrerelease(): // before always: a release candidate never becomes "debian"
		p.Note = fmt.Sprintf("%s is a pre-release: it moves no floating tag", v)
		return p.all(false, fmt.Sprintf("%s is a pre-release", v))
	case l == LatestNever:
		p.Note = "--latest never: only the immutable tag is pushed"
		return p.all(false, "--latest never")
	case l == LatestAlways:
		p.Note = "--latest always: every floating tag moves, whatever the registry holds"
		return p.all(true, "--latest always")
	}
	p.Listed = true
	line, os, latest := floatingTags(v, osName)
	finals := releasesOf(osName, have)
	top := highest(finals, func(Version) bool { return true })
	p.Note = fmt.Sprintf("--latest auto: decided by the registry's final %s releases (none yet)", osName)
	if top != nil {
		p.Note = fmt.Sprintf("--latest auto: decided by the registry's final %s releases (%d, the highest %s)", osName, len(finals), top)
	}
	topLine := highest(finals, func(w Version) bool { return w.MajorMinor() == v.MajorMinor() })
	p.Floating = []Move{
		decideOne(line, v, topLine, "the highest patch of "+v.MajorMinor()),
		decideOne(os, v, top, "the highest final release"),
		decideOne(latest, v, top, "the highest final release"),
	}
	return p
}

// Fallback is the rule when the registry cannot be listed (no --registry): {MAJOR.MINOR}-{OS} and
// {OS} move for every final release, latest-{OS} only for DefaultVersion (Tags). --latest always
// and never need no listing and decide as usual.
func Fallback(v Version, osName string, l Latest) Plan {
	if l != LatestAuto || v.IsPrerelease() {
		return Decide(v, osName, l, nil)
	}
	p := Plan{Version: v, OS: osName, Latest: l}
	p.Note = fmt.Sprintf("the registry's tags were not listed, so the fixed rule applies: {MAJOR.MINOR}-OS and OS move for every final release, latest-OS only for %s", DefaultVersion)
	moving := map[string]bool{}
	for _, t := range Tags(v, osName)[1:] {
		moving[t] = true
	}
	line, os, latest := floatingTags(v, osName)
	for _, t := range []string{line, os, latest} {
		why := "fixed rule: every final release moves it (the registry's releases are unknown)"
		if t == latest {
			why = "fixed rule: only " + DefaultVersion + " moves it (the registry's releases are unknown)"
			if moving[t] {
				why = "fixed rule: " + DefaultVersion + " is the default version (the registry's releases are unknown)"
			}
		}
		p.Floating = append(p.Floating, Move{Tag: t, Move: moving[t], Reason: why})
	}
	return p
}

// all sets every floating tag of the plan to the same decision.
func (p Plan) all(move bool, why string) Plan {
	line, os, latest := floatingTags(p.Version, p.OS)
	for _, t := range []string{line, os, latest} {
		p.Floating = append(p.Floating, Move{Tag: t, Move: move, Reason: why})
	}
	return p
}

// decideOne moves tag to v when v is at least top, the highest release the tag may stand for
// before this push (nil: none yet).
func decideOne(tag string, v Version, top *Version, what string) Move {
	switch {
	case top == nil:
		return Move{Tag: tag, Move: true, Reason: fmt.Sprintf("%s → %s: the first final release it stands for", tag, v)}
	case v.Compare(*top) > 0:
		return Move{Tag: tag, Move: true, Reason: fmt.Sprintf("%s → %s: newer than %s, %s before", tag, v, top, what)}
	case v.Compare(*top) == 0:
		return Move{Tag: tag, Move: true, Reason: fmt.Sprintf("%s → %s: a rebuild of %s", tag, v, what)}
	}
	return Move{Tag: tag, Reason: fmt.Sprintf("%s stays on %s: %s is older", tag, top, v)}
}

// releasesOf reads the final releases of one OS out of a repository's tags: "3.6.1-debian" is
// 3.6.1 of debian; floating tags, other OSes and pre-releases are not releases here.
func releasesOf(osName string, tags []string) []Version {
	var out []Version
	for _, t := range tags {
		s, ok := strings.CutSuffix(t, "-"+osName)
		if !ok || strings.HasPrefix(s, "v") {
			continue
		}
		if v, err := ParseVersion(s); err == nil && !v.IsPrerelease() {
			out = append(out, v)
		}
	}
	return out
}

func highest(vs []Version, keep func(Version) bool) *Version {
	var top *Version
	for i := range vs {
		if keep(vs[i]) && (top == nil || vs[i].Compare(*top) > 0) {
			top = &vs[i]
		}
	}
	return top
}
