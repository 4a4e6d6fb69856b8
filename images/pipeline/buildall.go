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
}

// NotPushed starts the error of an OS that built fine but was held back because another failed.
const NotPushed = "not pushed:"

// Built is one OS's image variants (one per platform) after its smoke check.
type Built struct {
	OS       catalog.OS
	Variants []*dagger.Container
}

// BuildAll builds, smoke-checks and measures every selected OS concurrently (at most Parallel at
// a time), then pushes all of them only if every one passed: a release never goes out half-built.
// Each OS gets a result row whatever happens to the others.
func BuildAll(ctx context.Context, c *dagger.Client, o BuildAllOptions) []report.Result {
	results := make([]report.Result, len(o.OSes))
	built := make([]Built, len(o.OSes))
	par := o.Parallel
	if par < 1 {
		par = 2 // the seed's default PARALLEL
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, osEntry := range o.OSes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			r := report.Result{OS: osEntry.Name, Tags: release.Refs(o.Registry, o.Version, osEntry.Name)}
			variants, size, err := buildOne(ctx, c, o, osEntry)
			r.Size, r.Duration = size, time.Since(start)
			if err != nil {
				r.Err = err.Error()
			}
			results[i], built[i] = r, Built{OS: osEntry, Variants: variants}
		}()
	}
	wg.Wait()
	if !o.Push {
		return results
	}
	failed := 0
	for _, r := range results {
		if !r.OK() {
			failed++
		}
	}
	for i := range results {
		if failed > 0 {
			if results[i].OK() {
				results[i].Err = fmt.Sprintf("%s %d OS failed, so nothing was published", NotPushed, failed)
			}
			continue
		}
		start := time.Now()
		digests, err := Publish(ctx, c, built[i].Variants, o.Registry, results[i].Tags, o.Auth)
		results[i].Duration += time.Since(start)
		if len(digests) > 0 {
			results[i].Digest = digests[0]
		}
		if err != nil {
			results[i].Err = err.Error()
		}
	}
	return results
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
