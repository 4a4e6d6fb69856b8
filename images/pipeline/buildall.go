package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/rollout"
)

// BuildAllOptions is the seed's build_all.sh (ONLY_OS, SKIP_OS, PARALLEL, PUSH_IMAGE) as data.
type BuildAllOptions struct {
	Version   release.Version
	OSes      []catalog.OS
	Artifact  *dagger.File
	Platforms []release.Platform // empty: the engine's platform
	Java      catalog.Java
	// Mirrors by package manager: apt for Debian-like, apk for Alpine.
	Mirrors           map[catalog.PackageManager]string
	Parallel          int
	Registry          release.Registry
	Push              bool
	Auth              *Auth
	NoCache           bool
	Revision, Created string
	// Latest decides the floating tags (zero: auto). ListTags answers the tags of the repository
	// for auto; nil decides by the fixed rule (release.Fallback), which each result's Rule says.
	// Tagger, when given, puts moved floating tags back if a later push fails (rollout.Run).
	Latest   release.Latest
	ListTags rollout.Lister
	Tagger   rollout.Tagger
}

// Built is one OS's image variants (one per platform) after its smoke check.
type Built struct {
	OS       catalog.OS
	Variants []*dagger.Container
}

// BuildAll builds, smoke-checks and measures every selected OS concurrently (at most Parallel at
// a time). Only if every one passed does it push, all or nothing as far as a registry allows
// (rollout.Run): the immutable {V}-{OS} of every OS first, then the floating tags, decided by the
// repository's releases (release.Decide). Each OS gets a result row whatever happens to the
// others, with every reference and what became of it.
func BuildAll(ctx context.Context, c *dagger.Client, o BuildAllOptions) []report.Result {
	latest := o.Latest
	if latest == "" {
		latest = release.LatestAuto
	}
	results := make([]report.Result, len(o.OSes))
	built := make([]Built, len(o.OSes))
	par := o.Parallel
	if par < 1 {
		par = 2 // the seed's default PARALLEL
	}
	ForEach(len(o.OSes), par, func(i int) {
		osEntry, start := o.OSes[i], time.Now()
		p := release.Fallback(o.Version, osEntry.Name, latest)
		r := report.Result{OS: osEntry.Name, Tags: p.Refs(o.Registry)}
		variants, size, err := buildOne(ctx, c, o, osEntry)
		r.Size, r.Duration = size, time.Since(start)
		if err != nil {
			r.Err = err.Error()
		}
		results[i], built[i] = r, Built{OS: osEntry, Variants: variants}
	})
	if !o.Push {
		return results
	}
	failed := 0
	for _, r := range results {
		if !r.OK() {
			failed++
		}
	}
	if failed > 0 {
		hold(results, fmt.Sprintf("not pushed: %d OS failed, so nothing was published", failed))
		return results
	}
	start := time.Now()
	names := make([]string, len(o.OSes))
	for i, osEntry := range o.OSes {
		names[i] = osEntry.Name
	}
	plans, err := rollout.Plans(ctx, o.Version, names, latest, o.ListTags)
	if err != nil {
		hold(results, "not pushed: "+err.Error())
		return results
	}
	variants := map[string][]*dagger.Container{}
	for _, b := range built {
		variants[b.OS.Name] = b.Variants
	}
	out := rollout.Run(ctx, o.Registry, plans, func(ctx context.Context, osName, ref string) (string, error) {
		digests, err := Publish(ctx, c, variants[osName], o.Registry, []string{ref}, o.Auth)
		if err != nil {
			return "", err
		}
		return digests[0], nil
	}, o.Tagger)
	took := time.Since(start) / time.Duration(len(results))
	for i := range results {
		r := &results[i]
		r.Tags, r.Rule, r.Pushes = plans[i].Refs(o.Registry), plans[i].Note, out.Of(r.OS)
		r.Digest, r.Duration = out.Digest(r.OS), r.Duration+took
		if out.Failure == nil {
			continue
		}
		for _, p := range r.Pushes {
			if p.State == report.PushFailed {
				r.Err = p.Detail
			}
		}
		if r.Err == "" {
			where := "its floating tags were left where they were"
			for _, p := range r.Pushes {
				if p.Floating && p.Moved() {
					where = "some of its floating tags moved: see its references"
				}
			}
			r.Held, r.Err = true, "not all pushed: "+out.Failure.Error()+"; "+where
		}
	}
	return results
}

// hold marks every passed OS as held back, for why.
func hold(results []report.Result, why string) {
	for i := range results {
		if results[i].OK() {
			results[i].Held, results[i].Err = true, why
		}
	}
}

func buildOne(ctx context.Context, c *dagger.Client, o BuildAllOptions, osEntry catalog.OS) ([]*dagger.Container, int64, error) {
	platforms := o.Platforms
	if len(platforms) == 0 {
		platforms = []release.Platform{{}}
	}
	var variants []*dagger.Container
	for _, p := range platforms {
		img, err := Build(ctx, c, Options{
			OS: osEntry, Version: o.Version, Artifact: o.Artifact, Platform: p, Java: o.Java,
			Mirror: o.Mirrors[osEntry.Manager], NoCache: o.NoCache, Revision: o.Revision, Created: o.Created,
		})
		if err != nil {
			return nil, 0, err
		}
		// evaluate the build on its own first, so its failure is not reported as the smoke test's
		if _, err := img.Sync(ctx); err != nil {
			return nil, 0, fmt.Errorf("build failed: %s", Explain(err))
		}
		if err := Smoke(ctx, img, o.Version); err != nil {
			return nil, 0, err
		}
		variants = append(variants, img)
	}
	size, err := CompressedSize(ctx, variants[0])
	return variants, size, err
}

// CompressedSize is the size of the image as a gzip-compressed OCI tarball: close to what a
// registry stores and a pull downloads.
func CompressedSize(ctx context.Context, img *dagger.Container) (int64, error) {
	n, err := img.AsTarball(dagger.ContainerAsTarballOpts{ForcedCompression: dagger.ImageLayerCompressionGzip}).Size(ctx)
	if err != nil {
		return 0, fmt.Errorf("cannot measure the image: %s", Explain(err))
	}
	return int64(n), nil
}

// ForEach runs f(0) … f(n-1) with at most parallel of them at once, and returns when all are done.
func ForEach(n, parallel int, f func(i int)) {
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}
