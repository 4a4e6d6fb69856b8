// Package stale answers which published {V}-{OS} images were built on a base image that has moved
// since: the base digest the build recorded (the org.opencontainers.image.base.digest label)
// differs from the digest the base's name resolves to now. Compare is pure; the label reader and
// the resolver are handed in (the registry, the engine).
package stale

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"dagger/fit-images/images/release"
)

// Image is one published {V}-{OS} and what became of its base.
type Image struct {
	Version  string `json:"version"`
	OS       string `json:"os"`
	Base     string `json:"base,omitempty"`     // the recorded base name; "" when none was recorded
	Recorded string `json:"recorded,omitempty"` // the recorded base digest
	Current  string `json:"current,omitempty"`  // what the base's name resolves to now
	Stale    bool   `json:"stale"`
	Reason   string `json:"reason"`
}

// Labels reads the labels of a published tag; Resolve answers the digest a base name resolves to now.
type (
	Labels  func(ctx context.Context, tag string) (map[string]string, error)
	Resolve func(ctx context.Context, name string) (string, error)
)

// Label keys of the base the build writes (pipeline uses these) and Compare reads.
const (
	LabelBaseName   = "org.opencontainers.image.base.name"
	LabelBaseDigest = "org.opencontainers.image.base.digest"
)

// Compare checks every {V}-{OS} tag among tags whose OS is one of oses (floating tags are copies of
// those and are left out), oldest version first. An image with no recorded base is stale: it
// cannot be shown current, and a rebuild records it. Each base name is resolved once.
func Compare(ctx context.Context, tags, oses []string, labels Labels, resolve Resolve) ([]Image, error) {
	type entry struct {
		v  release.Version
		os string
	}
	var found []entry
	for _, t := range tags {
		for _, o := range oses {
			raw, ok := strings.CutSuffix(t, "-"+o)
			if !ok {
				continue
			}
			if v, err := release.ParseVersion(raw); err == nil && v.String() == raw {
				found = append(found, entry{v, o})
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if c := found[i].v.Compare(found[j].v); c != 0 {
			return c < 0
		}
		return found[i].os < found[j].os
	})
	now := map[string]string{}
	var out []Image
	for _, e := range found {
		tag := release.Tags(e.v, e.os)[0]
		l, err := labels(ctx, tag)
		if err != nil {
			return out, fmt.Errorf("cannot read the labels of %s: %w", tag, err)
		}
		img := Image{Version: e.v.String(), OS: e.os, Base: l[LabelBaseName], Recorded: l[LabelBaseDigest]}
		if img.Base == "" || img.Recorded == "" {
			img.Stale, img.Reason = true, "no base digest recorded (built before the base was recorded): rebuild to record it"
			out = append(out, img)
			continue
		}
		cur, ok := now[img.Base]
		if !ok {
			if cur, err = resolve(ctx, img.Base); err != nil {
				return out, fmt.Errorf("cannot resolve the base %s of %s: %w", img.Base, tag, err)
			}
			now[img.Base] = cur
		}
		img.Current = cur
		if cur == img.Recorded {
			img.Reason = "base unchanged"
		} else {
			img.Stale, img.Reason = true, "base moved"
		}
		out = append(out, img)
	}
	return out, nil
}

// Why says in one line why img is to be rebuilt: "debian:12-slim moved from sha256:… to sha256:…"
// (a Docker Hub library image by its short name, as the catalog names it), or its Reason when its
// base cannot be compared.
func Why(img Image) string {
	if img.Current == "" || img.Recorded == "" {
		return img.Reason
	}
	return fmt.Sprintf("%s moved from %s to %s", ShortName(img.Base), img.Recorded, img.Current)
}

// ShortName drops the docker.io/library/ the engine adds to a Docker Hub official image's name.
func ShortName(base string) string {
	if n, ok := strings.CutPrefix(base, "docker.io/library/"); ok {
		return n
	}
	return base
}

// Text is one line per stale image, "VERSION OS  why", or a line saying none is.
func Text(images []Image) string {
	var b strings.Builder
	n := 0
	for _, i := range images {
		if !i.Stale {
			continue
		}
		n++
		if i.Current != "" {
			fmt.Fprintf(&b, "%s %s  base %s moved: %s → %s\n", i.Version, i.OS, i.Base, i.Recorded, i.Current)
		} else {
			fmt.Fprintf(&b, "%s %s  %s\n", i.Version, i.OS, i.Reason)
		}
	}
	if n == 0 {
		return fmt.Sprintf("no stale image: the base of each of the %d published {V}-{OS} images is current\n", len(images))
	}
	return b.String()
}
