package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	sdkdagger "dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/options"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/releasecheck"
	"dagger/fit-images/images/size"
	"dagger/fit-images/internal/dagger"
)

// releaseCheckArgs are the arguments of release-check as typed.
type releaseCheckArgs struct {
	version, os, skipOs, registry string
	username                      string
	password                      *dagger.Secret
	url, checksum, platforms      string
	sizeBudget, timeout           string
	parallel                      int
	java, aptMirror, apkMirror    string
	staging, stagingUser          string
	stagingPassword               *dagger.Secret
	revision, created             string
	format                        string
}

// releaseCheckQuery is releaseCheckArgs validated: all of it before the engine does any work.
type releaseCheckQuery struct {
	a        releaseCheckArgs
	o        releasecheck.Options
	format   string
	checksum string
}

func parseReleaseCheck(a releaseCheckArgs, artifact *dagger.File) (q releaseCheckQuery, err error) {
	q.a = a
	o := &q.o
	if strings.TrimSpace(a.version) == "" {
		return q, fmt.Errorf("no --version given: a release names its version, e.g. --version 3.6.1")
	}
	if o.Version, err = release.ParseVersion(a.version); err != nil {
		return q, err
	}
	if o.OSes, err = options.OSes(a.os, a.skipOs); err != nil {
		return q, err
	}
	if o.Registry, err = release.ParseRegistry(a.registry); err != nil {
		return q, err
	}
	if o.Staging, err = release.ParseRegistry(a.staging); err != nil {
		return q, fmt.Errorf("--staging: %w", err)
	}
	if o.Platforms, err = release.ParsePlatforms(a.platforms); err != nil {
		return q, err
	}
	if o.Java, err = catalog.ParseJava(a.java); err != nil {
		return q, err
	}
	if o.Mirrors, err = options.Mirrors(a.aptMirror, a.apkMirror); err != nil {
		return q, err
	}
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
	// the labels are parsed as build, build-all and publish parse them: one commit time, one created
	if o.Revision, o.Created, err = options.Labels(a.revision, a.created); err != nil {
		return q, err
	}
	if q.format, err = checklist.ParseFormat(a.format); err != nil {
		return q, err
	}
	if q.checksum, err = release.ParseChecksum(a.checksum); err != nil {
		return q, err
	}
	if artifact != nil && strings.TrimSpace(a.url) != "" {
		return q, fmt.Errorf("pass either --artifact or --url, not both")
	}
	if artifact == nil {
		if _, err = release.ArtifactURL(o.Version, a.url); err != nil {
			return q, err
		}
	}
	if err = release.Login(a.username, a.password != nil, ""); err != nil {
		return q, err
	}
	if a.username != "" && o.Registry == "" {
		return q, fmt.Errorf("--username needs --registry: say which registry the login is for")
	}
	if err = release.Login(a.stagingUser, a.stagingPassword != nil, "staging-"); err != nil {
		return q, err
	}
	if a.stagingUser != "" && o.Staging == "" {
		return q, fmt.Errorf("--staging-username needs --staging: say where the tested images go")
	}
	return q, nil
}

// run connects, wires the registry and the artifact, and runs the checklist.
func (q releaseCheckQuery) run(ctx context.Context, svc *dagger.Service, artifact, readmeFile *dagger.File, sums sumArgs) (string, error) {
	o := q.o
	c, err := sdk(ctx)
	if err != nil {
		return "", err
	}
	if o.Registry != "" {
		routes, err := routes(ctx, hostService{registry.Addr(o.Registry), "--registry-service", svc})
		if err != nil {
			return "", err
		}
		password, err := plaintext(ctx, q.a.password)
		if err != nil {
			return "", err
		}
		o.Username = q.a.username
		tags := registry.Repo{Registry: o.Registry, Username: q.a.username, Password: password, Transport: dial.Via(routes)}
		o.ListTags = tags.List
	}
	if q.a.stagingPassword != nil {
		s, err := secretIn(ctx, c, q.a.stagingPassword)
		if err != nil {
			return "", err
		}
		o.StagingAuth = &pipeline.Auth{Username: q.a.stagingUser, Password: s}
	}
	if readmeFile != nil {
		name, err := readmeFile.Name(ctx)
		if err != nil {
			return "", err
		}
		content, err := readmeFile.Contents(ctx)
		if err != nil {
			return "", err
		}
		o.Readme = &releasecheck.Readme{Name: name, Content: content}
	}
	var local *sdkdagger.File
	if artifact != nil {
		if local, err = fileIn(ctx, c, artifact); err != nil {
			return "", err
		}
	}
	art := pipeline.ArtifactOptions{Local: local, URL: q.a.url, Checksum: q.checksum}
	if err := sums.apply(ctx, &art); err != nil {
		return "", err
	}
	o.Artifact = func(ctx context.Context) releasecheck.Artifact {
		return releaseArtifact(ctx, c, o.Version, art)
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
func releaseArtifact(ctx context.Context, c *sdkdagger.Client, v release.Version, o pipeline.ArtifactOptions) releasecheck.Artifact {
	const reach, sum = "artifact reachable", "artifact checksum"
	start := time.Now()
	var a releasecheck.Artifact
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
	a.File = f
	return a
}
