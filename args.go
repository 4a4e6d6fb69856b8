package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	sdkdagger "dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/missing"
	"dagger/fit-images/images/options"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/upstream"
	"dagger/fit-images/internal/dagger"
)

// buildArgs are the arguments every building function shares, as the user typed them.
type buildArgs struct {
	os, version       string
	artifact          *dagger.File
	url, checksum     string
	platforms, java   string
	aptMirror, apkMir string
}

// inputs are buildArgs parsed and validated; everything is checked before the engine does work.
type inputs struct {
	c         *sdkdagger.Client
	v         release.Version
	oses      []catalog.OS
	registry  release.Registry
	platforms []release.Platform
	java      catalog.Java
	mirrors   map[catalog.PackageManager]string
	artifact  *sdkdagger.File
	sum       release.Sum // what artifact was verified against; zero: not verified
}

func (in inputs) platform() release.Platform {
	if len(in.platforms) == 0 {
		return release.Platform{}
	}
	return in.platforms[0]
}

// parse validates the three arguments of `tags`.
func parse(version, os, registry string) (release.Version, catalog.OS, release.Registry, error) {
	v, err := release.ParseVersion(version)
	if err != nil {
		return v, catalog.OS{}, "", err
	}
	o, err := catalog.Lookup(os)
	if err != nil {
		return v, o, "", err
	}
	r, err := release.ParseRegistry(registry)
	return v, o, r, err
}

// resolve validates the arguments of a one-OS function and fetches the artifact.
func resolve(ctx context.Context, a buildArgs) (inputs, error) {
	if _, err := catalog.Lookup(a.os); err != nil {
		return inputs{}, err
	}
	return resolveAll(ctx, a, "", "", false)
}

// resolveAll validates the arguments of a multi-OS function: selection, registry, platforms,
// then fetches (or takes) the artifact once for all, verified when pushing.
func resolveAll(ctx context.Context, a buildArgs, skip, registry string, push bool) (inputs, error) {
	return resolveWith(ctx, a, sumArgs{}, skip, registry, push)
}

// resolveWith is resolveAll with the sources of the expected sum of a function that has their flags.
func resolveWith(ctx context.Context, a buildArgs, s sumArgs, skip, registry string, push bool) (inputs, error) {
	in, err := parseInputs(ctx, a, skip, registry, push)
	if err != nil {
		return in, err
	}
	return in, in.verify(ctx, a, s, push)
}

// parseInputs validates every argument but the artifact, which verify fetches: the checks that
// cost nothing come before any download or API call.
func parseInputs(ctx context.Context, a buildArgs, skip, registry string, push bool) (inputs, error) {
	var in inputs
	var err error
	if in.v, err = release.ParseVersion(a.version); err != nil {
		return in, err
	}
	if in.oses, err = options.OSes(a.os, skip); err != nil {
		return in, err
	}
	if in.registry, err = release.ParseRegistry(registry); err != nil {
		return in, err
	}
	if push && in.registry == "" {
		return in, fmt.Errorf("--push needs --registry: say where to push, e.g. registry.example.com/fit/ or localhost:5000/")
	}
	if in.platforms, err = release.ParsePlatforms(a.platforms); err != nil {
		return in, err
	}
	if in.java, err = catalog.ParseJava(a.java); err != nil {
		return in, err
	}
	if in.mirrors, err = options.Mirrors(a.aptMirror, a.apkMir); err != nil {
		return in, err
	}
	if a.artifact != nil && a.url != "" {
		return in, fmt.Errorf("pass either --artifact or --url, not both")
	}
	in.c, err = sdk(ctx)
	return in, err
}

// verify resolves the expected sum of the release zip (required on the release path, push) and
// fetches the zip the build will use: the verified one.
func (in *inputs) verify(ctx context.Context, a buildArgs, s sumArgs, push bool) error {
	var err error
	// a push is the release path: only a verified zip may be built
	o := pipeline.ArtifactOptions{URL: a.url, Checksum: a.checksum, Release: push}
	if a.artifact != nil {
		if o.Local, err = fileIn(ctx, in.c, a.artifact); err != nil {
			return err
		}
	}
	if err := s.apply(ctx, &o); err != nil {
		return err
	}
	if in.artifact, in.sum, err = pipeline.VerifiedArtifact(ctx, in.c, in.v, o); err != nil {
		return err
	}
	if !in.sum.Verified() {
		fmt.Fprintln(os.Stderr, in.sum.Note(in.v)) // the engine shows a function's stderr with its call
	}
	return nil
}

// sumArgs are the sources of a release zip's expected sum besides --checksum, as typed: the
// flags of the functions that verify (artifact; release-check).
type sumArgs struct {
	checksumsFile *dagger.File // instead of the pinned sums of release.PinsPath
	apiURL        string       // the GitHub releases listing ("": upstream.DefaultAPIURL)
	apiService    *dagger.Service
	token         *dagger.Secret
}

// apply validates sumArgs into o.
func (s sumArgs) apply(ctx context.Context, o *pipeline.ArtifactOptions) error {
	if s.checksumsFile != nil {
		text, err := s.checksumsFile.Contents(ctx)
		if err != nil {
			return fmt.Errorf("cannot read --checksums-file: %w", err)
		}
		pins, err := release.ParsePins(text, "--checksums-file")
		if err != nil {
			return err
		}
		o.Pins = &pins
	}
	var err error
	if o.API, err = upstream.ParseAPIURL(s.apiURL); err != nil {
		return err
	}
	if o.Routes, err = routes(ctx, hostService{dial.HostPort(o.API), "--api-service", s.apiService}); err != nil {
		return err
	}
	o.Token, err = plaintext(ctx, s.token)
	return err
}

// auth pairs a user name with the password secret (release.Login's rule).
func (in inputs) auth(ctx context.Context, username string, password *dagger.Secret) (*pipeline.Auth, error) {
	if err := release.Login(username, password != nil, ""); err != nil || username == "" {
		return nil, err
	}
	s, err := secretIn(ctx, in.c, password)
	if err != nil {
		return nil, err
	}
	return &pipeline.Auth{Username: username, Password: s}, nil
}

func errString(err error) string { return pipeline.Message(err) }

// parseMissing validates the arguments of missing-releases, before any request.
func parseMissing(version, since, os, registry, apiURL string, limit int, format, skip string, rebuild bool) (q missing.Query, err error) {
	if strings.TrimSpace(version) != "" {
		if q.Version, err = release.ParseVersion(version); err != nil {
			return q, err
		}
	} else if rebuild {
		return q, fmt.Errorf("--rebuild needs --version: say which published version to rebuild")
	}
	q.Rebuild = rebuild
	for _, s := range release.SplitList(skip) {
		v, err := release.ParseVersion(s)
		if err != nil {
			return q, fmt.Errorf("--skip-version: %w", err)
		}
		q.Skip = append(q.Skip, v)
	}
	if q.Floor, err = release.ParseVersion(since); err != nil {
		return q, fmt.Errorf("--since: %w", err)
	}
	oses, err := options.OSes(os, "")
	if err != nil {
		return q, err
	}
	for _, o := range oses {
		q.OSes = append(q.OSes, o.Name)
	}
	if strings.TrimSpace(registry) == "" {
		return q, fmt.Errorf("no --registry given: say which registry to compare with, e.g. modelengine/ or localhost:5000/")
	}
	if q.Registry, err = release.ParseRegistry(registry); err != nil {
		return q, err
	}
	if q.API, err = upstream.ParseAPIURL(apiURL); err != nil {
		return q, err
	}
	if q.Limit, err = missing.ParseLimit(limit); err != nil {
		return q, err
	}
	_, err = checklist.ParseFormat(format)
	return q, err
}

// hostService is a server of the caller's machine handed over as a service (tcp://localhost:PORT),
// for the address it stands for and the flag that hands it over.
type hostService struct {
	addr, flag string
	svc        *dagger.Service
}

// routes starts the services the caller handed over and maps each address to the endpoint this
// function reaches it at. A loopback address without one is refused: inside the engine,
// localhost is the function's own container, not the caller's machine.
func routes(ctx context.Context, services ...hostService) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range services {
		host, _, _ := net.SplitHostPort(s.addr)
		switch {
		case s.svc != nil:
			started, err := s.svc.Start(ctx)
			if err != nil {
				return nil, fmt.Errorf("cannot start the service of %s for %s: %w", s.flag, s.addr, err)
			}
			if out[s.addr], err = started.Endpoint(ctx); err != nil {
				return nil, err
			}
		case dial.IsLoopback(host):
			return nil, fmt.Errorf("%s is on your machine, which a Dagger function does not see: add %s tcp://%s", s.addr, s.flag, s.addr)
		}
	}
	return out, nil
}

// login reads a registry login (release.Login's rule).
func login(ctx context.Context, username string, password *dagger.Secret) (string, string, error) {
	if err := release.Login(username, password != nil, ""); err != nil || username == "" {
		return "", "", err
	}
	p, err := plaintext(ctx, password)
	return username, p, err
}

func plaintext(ctx context.Context, s *dagger.Secret) (string, error) {
	if s == nil {
		return "", nil
	}
	return s.Plaintext(ctx)
}
