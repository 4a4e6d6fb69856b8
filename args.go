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
	"dagger/fit-images/images/sbom"
	"dagger/fit-images/internal/dagger"
)

// recipeArgs are a function's own parts of the build recipe, as typed; the rest of the recipe
// (Java flavour, mirrors, the zip and what vouches for it) is the module's settings.
type recipeArgs struct {
	version, os, skipOs string
	one                 bool // a function of one image: --os names one OS
	platforms           string
	revision, created   string
}

// recipe is the build recipe parsed and validated: everything is checked before the engine does work.
type recipe struct {
	settings
	c         *sdkdagger.Client
	v         release.Version
	oses      []catalog.OS
	platforms []release.Platform
	revision  string
	created   string
	zip       *sdkdagger.File // the zip the build uses, once verify fetched it
	sum       release.Sum     // what zip was verified against; zero: not verified
}

func (in recipe) platform() release.Platform {
	if len(in.platforms) == 0 {
		return release.Platform{}
	}
	return in.platforms[0]
}

// parseRecipe is the one parser of the build recipe: the module's settings, then the function's
// own arguments; the checks that cost nothing come before any download or API call (verify).
func parseRecipe(ctx context.Context, m *FitImages, a recipeArgs) (in recipe, err error) {
	if in.settings, err = m.settings(); err != nil {
		return in, err
	}
	// the labels are parsed as every function that writes them parses them: one commit time, one created
	if in.revision, in.created, err = options.Labels(a.revision, a.created); err != nil {
		return in, err
	}
	if in.v, err = release.ParseVersion(a.version); err != nil {
		return in, err
	}
	if in.oses, err = parseOSes(a.os, a.skipOs, a.one); err != nil {
		return in, err
	}
	if in.platforms, err = release.ParsePlatforms(a.platforms); err != nil {
		return in, err
	}
	in.c, err = sdk(ctx)
	return in, err
}

// parseOSes is the one parser of --os (and --skip-os): one OS for a function of one image (one),
// else the selection of the catalog.
func parseOSes(only, skip string, one bool) ([]catalog.OS, error) {
	if !one {
		return options.OSes(only, skip)
	}
	o, err := catalog.Lookup(only)
	if err != nil {
		return nil, err
	}
	return []catalog.OS{o}, nil
}

// resolve parses the recipe of a function that builds without pushing and fetches the artifact.
func resolve(ctx context.Context, m *FitImages, a recipeArgs) (recipe, error) {
	in, err := parseRecipe(ctx, m, a)
	if err != nil {
		return in, err
	}
	return in, in.verify(ctx, false)
}

// verify resolves the expected sum of the release zip (required on the release path, push) and
// fetches the zip the build will use: the verified one.
func (in *recipe) verify(ctx context.Context, push bool) error {
	// a push is the release path: only a verified zip may be built
	o, err := in.artifactOptions(ctx, in.c, push)
	if err != nil {
		return err
	}
	if in.zip, in.sum, err = pipeline.VerifiedArtifact(ctx, in.c, in.v, o); err != nil {
		return err
	}
	if !in.sum.Verified() {
		fmt.Fprintln(os.Stderr, in.sum.Note(in.v)) // the engine shows a function's stderr with its call
	}
	return nil
}

// zipOf is the release zip as the SBOM and the provenance name it: where it came from (no URL
// for a given --artifact) and the sum it was verified against.
func (in recipe) zipOf() sbom.FIT {
	z := sbom.FIT{SHA256: in.sum.Value, SumSource: string(in.sum.Source)}
	if in.artifact == nil {
		z.URL, _ = release.ArtifactURL(in.v, in.url) // validated by the recipe's parser already
	}
	return z
}

// tool is this module as the maker of an SBOM.
var tool = sbom.Tool{Name: "fit-images"}

// auth is the registry login for a push (release.Login's rule, checked by settings).
func (in recipe) auth(ctx context.Context) (*pipeline.Auth, error) {
	if in.registry.username == "" {
		return nil, nil
	}
	s, err := secretIn(ctx, in.c, in.registry.password)
	if err != nil {
		return nil, err
	}
	return &pipeline.Auth{Username: in.registry.username, Password: s}, nil
}

func errString(err error) string { return pipeline.Message(err) }

// missingArgs are the arguments of missing-releases as typed.
type missingArgs struct {
	since, version, os, skipVersion, format string
	limit                                   int
	rebuild, stale                          bool
}

// parseMissing validates the arguments of missing-releases, before any request.
func parseMissing(s settings, a missingArgs) (q missing.Query, err error) {
	if strings.TrimSpace(a.version) != "" {
		if q.Version, err = release.ParseVersion(a.version); err != nil {
			return q, err
		}
	} else if a.rebuild {
		return q, fmt.Errorf("--rebuild needs --version: say which published version to rebuild")
	}
	if a.stale && q.Version != (release.Version{}) {
		return q, fmt.Errorf("--stale goes with the catch-up's listing, not --version: leave out --version, or use --rebuild to rebuild that version")
	}
	q.Rebuild = a.rebuild
	for _, v := range release.SplitList(a.skipVersion) {
		sv, err := release.ParseVersion(v)
		if err != nil {
			return q, fmt.Errorf("--skip-version: %w", err)
		}
		q.Skip = append(q.Skip, sv)
	}
	if q.Floor, err = release.ParseVersion(a.since); err != nil {
		return q, fmt.Errorf("--since: %w", err)
	}
	oses, err := parseOSes(a.os, "", false)
	if err != nil {
		return q, err
	}
	for _, o := range oses {
		q.OSes = append(q.OSes, o.Name)
	}
	if s.registry.prefix == "" {
		return q, fmt.Errorf("no --registry given: say which registry to compare with, e.g. modelengine/ or localhost:5000/")
	}
	q.Registry, q.API = s.registry.prefix, s.sums.api
	if q.Limit, err = missing.ParseLimit(a.limit); err != nil {
		return q, err
	}
	_, err = checklist.ParseFormat(a.format)
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
