// Package promote publishes what was tested, byte for byte: it copies staged images by digest to
// their release references. Every immutable {V}-{OS} reference is copied first; floating tags
// move only after all of them succeeded, so a failure leaves every floating tag where it was.
// The plan and the report are pure; Copier does the registry work (go-containerregistry).
package promote

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/checklist"
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

// Copy is one reference to set to a staged digest.
type Copy struct {
	OS       string
	From     string // REPO@sha256:…
	To       string // REPO:TAG
	Floating bool
}

// Tag is the tag part of To.
func (c Copy) Tag() string { return c.To[strings.LastIndex(c.To, ":")+1:] }

// Plan orders the copies: every OS's immutable reference, then every floating one. refs answers
// an OS's immutable reference and its floating ones.
func Plan(images []Image, refs func(osName string) (immutable string, floating []string)) []Copy {
	var first, then []Copy
	for _, img := range images {
		imm, fl := refs(img.OS)
		first = append(first, Copy{OS: img.OS, From: img.Ref, To: imm})
		for _, f := range fl {
			then = append(then, Copy{OS: img.OS, From: img.Ref, To: f, Floating: true})
		}
	}
	return append(first, then...)
}

// Copier copies a digest to a reference and answers the manifest digest the target serves after.
type Copier func(ctx context.Context, from, to string) (string, error)

// Run carries the plan out and reports every reference: moved (with its digest), failed, or not
// moved and why. A target that serves another digest than the staged one counts as failed.
func Run(ctx context.Context, title string, plan []Copy, copy Copier) checklist.Report {
	r := checklist.Report{Title: title}
	failed := false
	for _, c := range plan {
		name := c.OS + ": " + c.Tag()
		if c.Floating && failed {
			r.Skip(name, "not moved: an immutable reference failed, so every floating tag stays where it was")
			continue
		}
		start := time.Now()
		got, err := copy(ctx, c.From, c.To)
		switch {
		case err != nil:
			r.Add(name, checklist.Failed, fmt.Sprintf("%s not moved: %v", c.To, err), time.Since(start))
			failed = true
		case got != digestOf(c.From):
			r.Add(name, checklist.Failed, fmt.Sprintf("%s serves %s, not the tested %s", c.To, got, digestOf(c.From)), time.Since(start))
			failed = true
		default:
			r.Add(name, checklist.Passed, fmt.Sprintf("%s → %s", c.To, got), time.Since(start))
		}
	}
	return r
}

func digestOf(ref string) string { return ref[strings.LastIndex(ref, "@")+1:] }
