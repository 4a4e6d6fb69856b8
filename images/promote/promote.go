// Package promote publishes what was tested, byte for byte: it copies staged images by digest to
// their release references, in the order of images/rollout (every immutable {V}-{OS} first,
// floating tags only after all of them). The copy itself is handed in (registry.Copier).
package promote

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/rollout"
)

// Image is one staged image: the OS and its reference by digest, REPO@sha256:HEX.
type Image struct {
	OS, Ref string
}

// Digest is the sha256:… part of the reference.
func (i Image) Digest() string { return i.Ref[strings.LastIndex(i.Ref, "@")+1:] }

// Repo is the reference without its digest.
func (i Image) Repo() string { return i.Ref[:strings.LastIndex(i.Ref, "@")] }

var byDigest = regexp.MustCompile(`^[a-z0-9][^@\s]*@sha256:[0-9a-f]{64}$`)

// ParseImages reads --images "debian=REPO@sha256:…,alpine=REPO@sha256:…" (release-check's
// staged references), in the catalog's order.
func ParseImages(s string) ([]Image, error) {
	var out []Image
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		osName, ref, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("malformed --images entry %q: expected OS=REPO@sha256:HEX, e.g. debian=ghcr.io/o/staging/fit-framework@sha256:…", part)
		}
		o, err := catalog.Lookup(strings.TrimSpace(osName))
		if err != nil {
			return nil, err
		}
		ref = strings.TrimSpace(ref)
		if !byDigest.MatchString(ref) {
			return nil, fmt.Errorf("--images %s=%s is not a reference by digest: give REPO@sha256:HEX (release-check's staged output), so what is promoted is what was tested", o.Name, ref)
		}
		if seen[o.Name] {
			return nil, fmt.Errorf("--images names %s twice", o.Name)
		}
		seen[o.Name] = true
		out = append(out, Image{OS: o.Name, Ref: ref})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no --images given: pass release-check's staged references, e.g. debian=REPO@sha256:HEX")
	}
	order := map[string]int{}
	for i, n := range catalog.Names() {
		order[n] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].OS] < order[out[j].OS] })
	return out, nil
}

// StagingPrefix is the registry prefix of a staged reference ({prefix}fit-framework@sha256:…).
func StagingPrefix(ref string) (release.Registry, error) {
	repo := Image{Ref: ref}.Repo()
	prefix, ok := strings.CutSuffix(repo, "/"+release.ImageName)
	if !ok {
		return "", fmt.Errorf("%s is not a %s image: give release-check's staged reference", ref, release.ImageName)
	}
	return release.ParseRegistry(prefix)
}

// Copier copies a digest to a reference and answers the manifest digest the target serves after.
type Copier func(ctx context.Context, from, to string) (string, error)

// Pusher is the push of rollout.Run for promotion: the staged digest of the OS copied to ref,
// which must then serve exactly that digest (what was tested, byte for byte).
func Pusher(images []Image, copy Copier) rollout.Pusher {
	staged := map[string]Image{}
	for _, img := range images {
		staged[img.OS] = img
	}
	return func(ctx context.Context, osName, ref string) (string, error) {
		img, ok := staged[osName]
		if !ok {
			return "", fmt.Errorf("no staged image of %s", osName)
		}
		got, err := copy(ctx, img.Ref, ref)
		if err != nil {
			return "", err
		}
		if got != img.Digest() {
			return "", fmt.Errorf("%s serves %s, not the tested %s", ref, got, img.Digest())
		}
		return ref + "@" + got, nil
	}
}

// Report is the outcome of a promotion as a checklist, one item per reference ("debian:
// 3.6.1-debian"): moved (passed), failed, or not moved and why (skipped).
func Report(title string, r release.Registry, o rollout.Outcome) checklist.Report {
	rep := checklist.Report{Title: title}
	for _, p := range o.Pushes {
		name := p.OS + ": " + strings.TrimPrefix(p.Ref, r.Ref(""))
		switch p.State {
		case report.Pushed:
			rep.Add(name, checklist.Passed, p.Ref+" → "+release.DigestOf(p.Digest), 0)
		case report.PushFailed:
			rep.Add(name, checklist.Failed, p.Ref+" not moved: "+p.Detail, 0)
		default: // not pushed, kept, put back
			rep.Skip(name, string(p.State)+": "+p.Detail)
		}
	}
	return rep
}
