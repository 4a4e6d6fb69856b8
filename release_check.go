package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	sdkdagger "dagger.io/dagger"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/options"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/provenance"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/releasecheck"
	"dagger/fit-images/images/size"
	"dagger/fit-images/internal/dagger"
)

// releaseCheckArgs are release-check's own arguments as typed; the recipe's are parsed by parseRecipe.
type releaseCheckArgs struct {
	recipe     recipeArgs
	sizeBudget string
	readme     *dagger.File
	timeout    string
	parallel   int
	format     string
	latest     string
	sign       bool
	githubRun  string
}

// releaseCheckQuery is releaseCheckArgs and the module's settings validated: all of it before the
// engine does any work.
type releaseCheckQuery struct {
	in     recipe
	o      releasecheck.Options
	readme *dagger.File
	format string
	latest release.Latest // recorded in the provenance; promote applies it
	sign   bool
	github *provenance.GitHub // the Actions run, recorded in the provenance; nil: none
}

// moduleRepository is this module's home, the provenance's builder (with the --revision it ran at).
const moduleRepository = "https://github.com/ModelEngine-Group/fit-images"

var fullCommit = regexp.MustCompile(`^[0-9a-f]{40}$`)

func parseReleaseCheck(ctx context.Context, m *FitImages, a releaseCheckArgs) (q releaseCheckQuery, err error) {
	o := &q.o
	if strings.TrimSpace(a.recipe.version) == "" {
		return q, fmt.Errorf("no --version given: a release names its version, e.g. --version 3.6.1")
	}
	// the labels are parsed as build, build-all and publish parse them: one commit time, one created
	if q.in, err = parseRecipe(ctx, m, a.recipe); err != nil {
		return q, err
	}
	in := q.in
	o.Version, o.OSes, o.Registry, o.Staging, o.Platforms = in.v, in.oses, in.registry.prefix, in.staging.prefix, in.platforms
	o.Java, o.Mirrors, o.Revision, o.Created = in.java, in.mirrors, in.revision, in.created
	if o.Budget, err = size.Parse(a.sizeBudget); err != nil {
		return q, fmt.Errorf("--size-budget: %w", err)
	}
	if strings.TrimSpace(a.timeout) != "" {
		if o.Timeout, err = options.Timeout(a.timeout); err != nil {
			return q, err
		}
	}
	if a.parallel < 1 {
		return q, fmt.Errorf("--parallel %d: give at least 1", a.parallel)
	}
	o.Parallel = a.parallel
	if q.format, err = checklist.ParseFormat(a.format); err != nil {
		return q, err
	}
	if in.artifact == nil { // the module was given no zip: the URL is fetched
		if _, err = release.ArtifactURL(o.Version, in.url); err != nil {
			return q, err
		}
	}
	if in.registry.username != "" && o.Registry == "" {
		return q, fmt.Errorf("--username needs --registry: say which registry the login is for")
	}
	if in.staging.username != "" && o.Staging == "" {
		return q, fmt.Errorf("--staging-username needs --staging: say where the tested images go")
	}
	if q.latest, err = release.ParseLatest(a.latest); err != nil {
		return q, err
	}
	// signing is asked for, not implied by a key: a release that must be signed fails here, before
	// anything is built or pushed, when what signing needs is missing
	if q.sign = a.sign; q.sign {
		switch {
		case in.signing.key == nil:
			return q, fmt.Errorf("--sign needs --signing-key: give the cosign private key, e.g. --signing-key env:COSIGN_KEY --signing-password env:COSIGN_PASSWORD")
		case o.Staging == "":
			return q, fmt.Errorf("--sign needs --staging: the staged images are what is signed, e.g. --staging ghcr.io/OWNER/fit-staging/")
		case !fullCommit.MatchString(o.Revision):
			return q, fmt.Errorf("--sign needs --revision with this module's full 40-hex commit (the provenance's builder), e.g. --revision $(git rev-parse HEAD)")
		}
	}
	if q.github, err = provenance.ParseGitHub(a.githubRun); err != nil {
		return q, err
	}
	q.readme = a.readme
	return q, nil
}

// run wires the registry and the artifact, and runs the checklist.
func (q releaseCheckQuery) run(ctx context.Context) (string, error) {
	o, in, c := q.o, q.in, q.in.c
	if o.Registry != "" {
		routes, err := routes(ctx, hostService{addr: registry.Addr(o.Registry), flag: "--registry-service", svc: in.registry.service})
		if err != nil {
			return "", err
		}
		password, err := plaintext(ctx, in.registry.password)
		if err != nil {
			return "", err
		}
		o.Username = in.registry.username
		tags := registry.Repo{Registry: o.Registry, Username: in.registry.username, Password: password, Transport: dial.Via(routes)}
		o.ListTags = tags.List
	}
	if in.staging.password != nil {
		s, err := secretIn(ctx, c, in.staging.password)
		if err != nil {
			return "", err
		}
		o.StagingAuth = &pipeline.Auth{Username: in.staging.username, Password: s}
	}
	if q.readme != nil {
		name, err := q.readme.Name(ctx)
		if err != nil {
			return "", err
		}
		content, err := q.readme.Contents(ctx)
		if err != nil {
			return "", err
		}
		o.Readme = &releasecheck.Readme{Name: name, Content: content}
	}
	art, err := in.artifactOptions(ctx, c, true)
	if err != nil {
		return "", err
	}
	var sum release.Sum // the zip's verified sum, for the SBOM and the provenance
	o.Artifact = func(ctx context.Context) releasecheck.Artifact {
		a := releaseArtifact(ctx, c, o.Version, art)
		sum = a.Sum
		return a.Artifact
	}
	if q.sign {
		if o.Attest, err = q.attester(ctx, func() release.Sum { return sum }); err != nil {
			return "", err
		}
	}
	r := releasecheck.Run(ctx, c, o)
	out := r.Format(q.format)
	if !r.OK() {
		return "", fmt.Errorf("release-check of FIT %s: %s\n%s", o.Version, r.Verdict(), out)
	}
	return out, nil
}

// releaseArtifact is the release zip of a release check and the two items that vouch for it: the
// release path, so the sum is required (--checksum, else the pinned sums, else GitHub's asset
// digest) and is resolved before anything is downloaded; the File answered is the verified one.
func releaseArtifact(ctx context.Context, c *sdkdagger.Client, v release.Version, o pipeline.ArtifactOptions) verifiedArtifact {
	const reach, sum = "artifact reachable", "artifact checksum"
	start := time.Now()
	var a verifiedArtifact
	item := func(name string, s checklist.Status, detail string, d time.Duration) {
		a.Items = append(a.Items, checklist.Item{Name: name, Status: s, Detail: detail, Duration: d})
	}
	o.Release = true
	f, s, err := pipeline.VerifiedArtifact(ctx, c, v, o)
	if err == nil {
		_, err = f.Size(ctx) // the download and the sum check run here
	}
	if err != nil {
		// no sum to verify against, a wrong zip, or an unreachable one: the report says which
		var mismatch *release.MismatchError
		switch msg := pipeline.Message(err); {
		case !s.Verified():
			item(reach, checklist.Skipped, "not fetched: no sum to verify it against", 0)
			item(sum, checklist.Failed, msg, time.Since(start))
		case errors.As(err, &mismatch):
			item(reach, checklist.Passed, "fetched, but not the expected zip", time.Since(start))
			item(sum, checklist.Failed, msg, time.Since(start))
		default:
			item(reach, checklist.Failed, msg, time.Since(start))
			item(sum, checklist.Skipped, "not run: no artifact", 0)
		}
		return a
	}
	where := "the given --artifact"
	if o.Local == nil {
		u, _ := release.ArtifactURL(v, o.URL)
		where = "downloaded " + u
	}
	item(reach, checklist.Passed, where, time.Since(start))
	item(sum, checklist.Passed, "verified "+s.String(), 0)
	a.File, a.Sum = f, s
	return a
}

// verifiedArtifact is the checklist's artifact and the sum it was verified against.
type verifiedArtifact struct {
	releasecheck.Artifact
	Sum release.Sum
}
