// FIT Framework base images: list, tag, build, check, end-to-end test and publish them.
//
// The functions here are the table of contents of the pipeline: each declares only its own arguments
// (the shared settings are the constructor's, settings.go), parses them (images/release,
// images/catalog, images/options), then hands over to images/pipeline and images/e2e, which are written
// against the published Go SDK so the tests drive exactly the same code. The CI driver (ci/) runs these
// functions themselves, through `dagger call`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/e2e"
	"dagger/fit-images/images/missing"
	"dagger/fit-images/images/options"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/rollout"
	"dagger/fit-images/images/stale"
	"dagger/fit-images/internal/dagger"
)

// List the supported operating systems with their base image.
func (m *FitImages) List() string {
	rows := [][]string{}
	for _, o := range catalog.All() {
		rows = append(rows, []string{o.Name, o.BaseImage, o.Description})
	}
	return report.Table([]string{"OS", "BASE IMAGE", "DESCRIPTION"}, rows)
}

// The references of one image and what a push would do to each, and why: {V}-{OS} always; {OS}, latest-{OS} and {MAJOR.MINOR}-{OS} move only to the highest release the registry holds (--latest auto); without --registry the fixed rule, said.
// +cache="never"
func (m *FitImages) Tags(
	ctx context.Context,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	os string,
	// floating tags ({OS}, latest-{OS}, {MAJOR.MINOR}-{OS}): auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
) (string, error) {
	s, err := m.settings()
	if err != nil {
		return "", err
	}
	v, err := release.ParseVersion(version)
	if err != nil {
		return "", err
	}
	o, err := parseOSes(os, "", true)
	if err != nil {
		return "", err
	}
	r := s.registry.prefix
	l, tags, err := pushArgs{latest: latest, registry: s.registry, decideOnly: true}.floating(ctx, v, r)
	if err != nil {
		return "", err
	}
	var list rollout.Lister
	if tags != nil {
		list = tags.List
	}
	plans, err := rollout.Plans(ctx, v, []string{o[0].Name}, l, list)
	if err != nil {
		return "", err
	}
	if r == "" && l == release.LatestAuto && !v.IsPrerelease() {
		plans[0].Note += " (no --registry given)"
	}
	return rollout.PlanText(r, plans[0]), nil
}

// The verified FIT release zip (downloaded once, cached by the engine, or the module's --artifact): its sha256 must match --checksum, else the pinned sums (images/release/checksums.txt or --checksums-file), else the GitHub release API's digest of the asset; fails when none has one.
func (m *FitImages) Artifact(
	ctx context.Context,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
) (*dagger.File, error) {
	s, err := m.settings()
	if err != nil {
		return nil, err
	}
	v, err := release.ParseVersion(version)
	if err != nil {
		return nil, err
	}
	c, err := sdk(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.artifactOptions(ctx, c, true)
	if err != nil {
		return nil, err
	}
	f, sum, err := pipeline.VerifiedArtifact(ctx, c, v, o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, sum.Note(v))
	return fileBack(ctx, f)
}

// Build one FIT image and return it as a container (chain export-image, publish, as-tarball, terminal…).
// +cache="session"
func (m *FitImages) Build(
	ctx context.Context,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	os string,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
	// target platform such as linux/arm64 (default: the engine's; another one is emulated)
	// +optional
	platform string,
	// VCS revision for the org.opencontainers.image.revision label, e.g. the release commit
	// +optional
	revision string,
	// time (RFC 3339) for the org.opencontainers.image.created label, e.g. the release commit's (not now: reproducible)
	// +optional
	created string,
	// rebuild every layer instead of reusing the engine's cache
	// +optional
	noCache bool,
) (*dagger.Container, error) {
	in, err := resolve(ctx, m, recipeArgs{version: version, os: os, one: true, platforms: platform, revision: revision, created: created})
	if err != nil {
		return nil, err
	}
	img, err := pipeline.Build(ctx, in.c, pipeline.Options{
		OS: in.oses[0], Version: in.v, Artifact: in.zip, Platform: in.platform(), Java: in.java,
		Mirror: in.mirrors[in.oses[0].Manager], Revision: in.revision, Created: in.created, NoCache: noCache,
	})
	if err != nil {
		return nil, err
	}
	return containerBack(ctx, img)
}

// The CycloneDX 1.6 SBOM (JSON) of one FIT image, built as build builds it: every OS package, the Java runtime, Node, the release zip with its verified sum and every jar with its sha256, read from the image's own files.
// +cache="session"
func (m *FitImages) Sbom(
	ctx context.Context,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	os string,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
	// target platform such as linux/arm64 (default: the engine's; another one is emulated)
	// +optional
	platform string,
	// time (RFC 3339) for the org.opencontainers.image.created label, e.g. the release commit's (not now: reproducible)
	// +optional
	created string,
) (string, error) {
	in, err := resolve(ctx, m, recipeArgs{version: version, os: os, one: true, platforms: platform, created: created})
	if err != nil {
		return "", err
	}
	img, err := pipeline.Build(ctx, in.c, pipeline.Options{
		OS: in.oses[0], Version: in.v, Artifact: in.zip, Platform: in.platform(), Java: in.java,
		Mirror: in.mirrors[in.oses[0].Manager], Created: in.created,
	})
	if err != nil {
		return "", err
	}
	b, err := pipeline.SBOM(ctx, img, pipeline.SBOMOptions{OS: in.oses[0], Version: in.v, Zip: in.zipOf(), Created: in.created, Tool: tool})
	return string(b), err
}

// Check the structure of a built image (user, workdir, ports, env, labels, healthcheck, files, runtimes); fails on any miss.
func (m *FitImages) Check(
	ctx context.Context,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	os string,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
) (string, error) {
	in, err := resolve(ctx, m, recipeArgs{version: version, os: os, one: true})
	if err != nil {
		return "", err
	}
	img, err := pipeline.Build(ctx, in.c, pipeline.Options{OS: in.oses[0], Version: in.v, Artifact: in.zip, Java: in.java, Mirror: in.mirrors[in.oses[0].Manager]})
	if err != nil {
		return "", err
	}
	checks, err := pipeline.Check(ctx, img, in.v)
	if err != nil {
		return "", err
	}
	if failed := checks.Failed(); len(failed) > 0 {
		return "", fmt.Errorf("%d of %d checks failed for %s %s:\n%s%s", len(failed), len(checks), in.oses[0].Name, in.v, checks.Text(), in.sum.Note(in.v))
	}
	return checks.Text() + in.sum.Note(in.v) + "\n", nil
}

// Build the selected operating systems concurrently, smoke-test each, push every tag to the module's --registry when asked, and print a summary table; fails if any OS failed (and then pushes nothing).
// +cache="never"
func (m *FitImages) BuildAll(
	ctx context.Context,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	// +optional
	os string,
	// skip these operating systems, comma separated
	// +optional
	skipOs string,
	// how many OSes are built and checked at once
	// +default=2
	parallel int,
	// platforms, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)
	// +optional
	platforms string,
	// push every tag after all builds passed
	// +optional
	push bool,
	// rebuild every layer instead of reusing the engine's cache
	// +optional
	noCache bool,
	// floating tags ({OS}, latest-{OS}, {MAJOR.MINOR}-{OS}): auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
	// VCS revision for the org.opencontainers.image.revision label, e.g. the release commit
	// +optional
	revision string,
	// time (RFC 3339) for the org.opencontainers.image.created label, e.g. the release commit's (not now: reproducible)
	// +optional
	created string,
) (string, error) {
	in, err := parseRecipe(ctx, m, recipeArgs{version: version, os: os, skipOs: skipOs, platforms: platforms, revision: revision, created: created})
	if err != nil {
		return "", err
	}
	if push && in.registry.prefix == "" {
		return "", fmt.Errorf("--push needs --registry: say where to push, e.g. registry.example.com/fit/ or localhost:5000/")
	}
	l, tags, err := pushArgs{latest: latest, registry: in.registry}.floating(ctx, in.v, pushTarget(in.registry.prefix, push))
	if err != nil {
		return "", err
	}
	if err := in.verify(ctx, push); err != nil {
		return "", err
	}
	auth, err := in.auth(ctx)
	if err != nil {
		return "", err
	}
	o := pipeline.BuildAllOptions{
		Version: in.v, OSes: in.oses, Artifact: in.zip, Platforms: in.platforms, Java: in.java,
		Mirrors: in.mirrors, Parallel: parallel, Registry: in.registry.prefix, Push: push, Auth: auth, NoCache: noCache,
		Revision: in.revision, Created: in.created,
	}
	access(&o, l, tags)
	results := pipeline.BuildAll(ctx, in.c, o)
	out := pushed(results)
	failed, held := 0, 0
	for _, r := range results {
		switch {
		case r.Held:
			held++
		case !r.OK():
			failed++
		}
	}
	switch {
	case failed > 0 && len(report.AllPushes(results)) > 0:
		return "", fmt.Errorf("build-all: a push failed; %s\n%s", report.Moves(report.AllPushes(results)), out)
	case failed > 0 && held > 0:
		return "", fmt.Errorf("build-all: %d of %d failed, so nothing was pushed\n%s", failed, len(results), out)
	case failed > 0:
		return "", fmt.Errorf("build-all: %d of %d failed\n%s", failed, len(results), out)
	case held > 0: // every OS passed, and the push could not start (e.g. the registry could not be read)
		return "", fmt.Errorf("build-all: %s\n%s", results[0].Err, out)
	}
	return out, nil
}

// Push every tag of one image to the module's --registry (a multi-arch index when several platforms) and return the pushed digest refs.
// +cache="never"
func (m *FitImages) Publish(
	ctx context.Context,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	os string,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
	// platforms, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)
	// +optional
	platforms string,
	// floating tags ({OS}, latest-{OS}, {MAJOR.MINOR}-{OS}): auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
	// VCS revision for the org.opencontainers.image.revision label, e.g. the release commit
	// +optional
	revision string,
	// time (RFC 3339) for the org.opencontainers.image.created label, e.g. the release commit's (not now: reproducible)
	// +optional
	created string,
) (string, error) {
	in, err := parseRecipe(ctx, m, recipeArgs{version: version, os: os, platforms: platforms, revision: revision, created: created})
	if err != nil {
		return "", err
	}
	if in.registry.prefix == "" {
		return "", fmt.Errorf("no --registry given: publish needs a prefix such as registry.example.com/fit/ or modelengine/")
	}
	if len(in.oses) != 1 {
		return "", fmt.Errorf("publish takes one --os; use build-all --push for several")
	}
	l, tags, err := pushArgs{latest: latest, registry: in.registry}.floating(ctx, in.v, in.registry.prefix)
	if err != nil {
		return "", err
	}
	if err := in.verify(ctx, true); err != nil {
		return "", err
	}
	auth, err := in.auth(ctx)
	if err != nil {
		return "", err
	}
	o := pipeline.BuildAllOptions{
		Version: in.v, OSes: in.oses, Artifact: in.zip, Platforms: in.platforms, Java: in.java,
		Mirrors: in.mirrors, Parallel: 1, Registry: in.registry.prefix, Push: true, Auth: auth, Revision: in.revision, Created: in.created,
	}
	access(&o, l, tags)
	r := pipeline.BuildAll(ctx, in.c, o)[0]
	if !r.OK() {
		if len(r.Pushes) > 0 {
			return "", fmt.Errorf("publish %s %s: %s\n%s\n%s", r.OS, in.v, r.Err, report.Moves(r.Pushes), report.PushesText([]report.Result{r}))
		}
		return "", fmt.Errorf("publish %s %s: %s", r.OS, in.v, r.Err)
	}
	// one digest ref per pushed reference (floating tags the rule keeps are not among them)
	var refs []string
	for _, p := range r.Pushes {
		if p.Moved() {
			refs = append(refs, p.Ref+"@"+release.DigestOf(p.Digest))
		}
	}
	return strings.Join(refs, "\n") + "\n", nil
}

// A throwaway registry:2 to try pushes locally: `dagger call registry up --ports 5000:5000`, then `dagger call --registry localhost:5000/ --registry-service tcp://localhost:5000 build-all --push`.
func (m *FitImages) Registry(ctx context.Context) (*dagger.Service, error) {
	c, err := sdk(ctx)
	if err != nil {
		return nil, err
	}
	return serviceBack(ctx, registry.Service(c, ""))
}

// Run the end-to-end test inside the engine: a throwaway registry, push, pull back, run as a service, assert the plugins (root plugin included), health where the version serves it, a hot-loaded dynamic plugin, healthcheck, version, banner, uid, and FIT_HTTP_PORT with a shipped, mounted and read-only conf.
// +cache="never"
func (m *FitImages) EndToEnd(
	ctx context.Context,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	os string,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +default="3.6.0"
	version string,
	// target platform such as linux/arm64 (default: the engine's; another one is emulated)
	// +optional
	platform string,
	// how long FIT may take to become healthy in the e2e, e.g. 120s or 3m (default: 120s, 10m on an emulated platform)
	// +optional
	timeout string,
	// report format: text or json
	// +default="text"
	format string,
) (string, error) {
	var d time.Duration // zero: e2e's default for the platform
	var err error
	if timeout != "" {
		if d, err = options.Timeout(timeout); err != nil {
			return "", err
		}
	}
	if format, err = checklist.ParseFormat(format); err != nil {
		return "", err
	}
	in, err := resolve(ctx, m, recipeArgs{version: version, os: os, one: true, platforms: platform})
	if err != nil {
		return "", err
	}
	steps, runErr := e2e.Run(ctx, in.c, e2e.Options{OS: in.oses[0], Version: in.v, Artifact: in.zip, Java: in.java, Mirror: in.mirrors[in.oses[0].Manager], Platform: in.platform(), Timeout: d})
	out := report.StepsText(steps) + in.sum.Note(in.v) + "\n"
	if format == "json" {
		b, _ := json.MarshalIndent(struct {
			OS       string        `json:"os"`
			Version  string        `json:"version"`
			OK       bool          `json:"ok"`
			Error    string        `json:"error,omitempty"`
			Artifact string        `json:"artifact"`
			Steps    []report.Step `json:"steps"`
		}{in.oses[0].Name, in.v.String(), runErr == nil, errString(runErr), in.sum.Note(in.v), steps}, "", "  ")
		out = string(b) + "\n"
	}
	if runErr != nil {
		return "", fmt.Errorf("%w\n%s", runErr, out)
	}
	return out, nil
}

// FIT releases with no images yet in the module's --registry: the final releases ≥ --since (GitHub API) whose {V}-{OS} tag the registry lacks, oldest first; with --version, only that version (a pre-release too), without the API; with --stale, also the published {V}-{OS} whose base moved (see stale), to rebuild, with why. --format text answers one "VERSION OS" line per image, json the release matrix ([{"version","os","republish","reason"}], OSes comma separated).
// +cache="never"
func (m *FitImages) MissingReleases(
	ctx context.Context,
	// oldest FIT version considered (the catch-up floor)
	// +default="3.6.0"
	since string,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	// +optional
	version string,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	// +optional
	os string,
	// answer at most this many versions, the oldest (0: all)
	// +optional
	limit int,
	// leave these versions out, comma separated (the scheduled catch-up passes those whose release is running)
	// +optional
	skipVersion string,
	// with --version: answer every selected OS, the published ones too, to rebuild and push {V}-{OS} again
	// +optional
	rebuild bool,
	// also answer the published {V}-{OS} whose base image moved since their build (see stale), to rebuild, with why (the scheduled catch-up)
	// +optional
	stale bool,
	// report format: text or json
	// +default="text"
	format string,
) (string, error) {
	s, err := m.settings()
	if err != nil {
		return "", err
	}
	q, err := parseMissing(s, missingArgs{since: since, version: version, os: os, skipVersion: skipVersion, format: format, limit: limit, rebuild: rebuild, stale: stale})
	if err != nil {
		return "", err
	}
	// servers of the caller's machine come as services, reached under the caller's address for them
	if q.Routes, err = routes(ctx, hostService{addr: dial.HostPort(q.API), flag: "--api-service", svc: s.sums.apiService},
		hostService{addr: registry.Addr(q.Registry), flag: "--registry-service", svc: s.registry.service}); err != nil {
		return "", err
	}
	if q.Token, err = plaintext(ctx, s.sums.token); err != nil {
		return "", err
	}
	if q.Username, q.Password, err = login(ctx, s.registry.username, s.registry.password); err != nil {
		return "", err
	}
	if stale {
		q.Stale = staleCheck(registry.Repo{Registry: q.Registry, Username: q.Username, Password: q.Password, Transport: dial.Via(q.Routes)}, q.OSes)
	}
	ms, err := q.Run(ctx)
	if err != nil {
		return "", err
	}
	if format == "json" {
		b, err := json.Marshal(missing.Matrix(ms))
		return string(b) + "\n", err
	}
	return missing.Text(ms), nil
}

// Published {V}-{OS} images in the module's --registry whose base image moved since they were built: the recorded org.opencontainers.image.base.digest differs from what the base's name resolves to now (or none was recorded). --format text answers one line per stale image, json every published image with its recorded and current base digest.
// +cache="never"
func (m *FitImages) Stale(
	ctx context.Context,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	// +optional
	os string,
	// report format: text or json
	// +default="text"
	format string,
) (string, error) {
	s, err := m.settings()
	if err != nil {
		return "", err
	}
	oses, err := parseOSes(os, "", false)
	if err != nil {
		return "", err
	}
	if format, err = checklist.ParseFormat(format); err != nil {
		return "", err
	}
	if s.registry.prefix == "" {
		return "", fmt.Errorf("no --registry given: say which registry's images to check, e.g. modelengine/ or localhost:5000/")
	}
	rt, err := routes(ctx, hostService{addr: registry.Addr(s.registry.prefix), flag: "--registry-service", svc: s.registry.service})
	if err != nil {
		return "", err
	}
	user, pw, err := login(ctx, s.registry.username, s.registry.password)
	if err != nil {
		return "", err
	}
	repo := registry.Repo{Registry: s.registry.prefix, Username: user, Password: pw, Transport: dial.Via(rt)}
	tags, err := repo.List(ctx)
	if err != nil {
		return "", err
	}
	names := make([]string, len(oses))
	for i, o := range oses {
		names[i] = o.Name
	}
	images, err := staleCheck(repo, names)(ctx, tags)
	if err != nil {
		return "", err
	}
	if format == "json" {
		if images == nil {
			images = []stale.Image{}
		}
		b, err := json.MarshalIndent(images, "", "  ")
		return string(b) + "\n", err
	}
	return stale.Text(images), nil
}

// staleCheck compares the bases of repo's published {V}-{OS} tags of oses (stale and
// missing-releases --stale): the engine resolves each recorded base as a build does (its mirrors and
// logins), so the digests compare.
func staleCheck(repo registry.Repo, oses []string) func(ctx context.Context, tags []string) ([]stale.Image, error) {
	return func(ctx context.Context, tags []string) ([]stale.Image, error) {
		c, err := sdk(ctx)
		if err != nil {
			return nil, err
		}
		resolve := func(ctx context.Context, name string) (string, error) {
			ref, err := c.Container().From(name).ImageRef(ctx)
			if err != nil {
				return "", fmt.Errorf("%s", pipeline.Explain(err))
			}
			b, err := pipeline.ParseBaseRef(ref)
			return b.Digest, err
		}
		return stale.Compare(ctx, tags, oses, repo.Labels, resolve)
	}
}

// Run the release checklist of one FIT version: version, not yet published (with the module's --registry), login, artifact and its checksum, then per OS build, structure checks, compressed size, staging (with the module's --staging), signing with its SBOM and provenance (--sign) and the e2e of the staged digest, and the README's version references; fails, with the report, when an item failed.
// +cache="never"
func (m *FitImages) ReleaseCheck(
	ctx context.Context,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	version string,
	// operating systems, comma separated, e.g. debian or alpine,debian (dagger call list shows them; a function of one image takes one)
	// +optional
	os string,
	// skip these operating systems, comma separated
	// +optional
	skipOs string,
	// platforms, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)
	// +optional
	platforms string,
	// largest acceptable compressed image size, decimal units (1.5GB, 700MB)
	// +default="1.5GB"
	sizeBudget string,
	// README whose version references (fit-framework:X.Y.Z-OS, --version X.Y.Z) must name the version (default: not checked)
	// +optional
	readme *dagger.File,
	// how long FIT may take to become healthy in the e2e, e.g. 120s or 3m (default: 120s, 10m on an emulated platform)
	// +optional
	timeout string,
	// how many OSes are built and checked at once
	// +default=2
	parallel int,
	// VCS revision for the org.opencontainers.image.revision label, e.g. the release commit
	// +optional
	revision string,
	// time (RFC 3339) for the org.opencontainers.image.created label, e.g. the release commit's (not now: reproducible)
	// +optional
	created string,
	// report format: text or json
	// +default="text"
	format string,
	// floating tags ({OS}, latest-{OS}, {MAJOR.MINOR}-{OS}): auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
	// sign each staged image with the module's --signing-key and attach its SBOM and provenance (needs --staging and the module's full 40-hex --revision); without a key it fails before anything is built
	// +optional
	sign bool,
	// the GitHub Actions run that signs, recorded in the provenance: a JSON object of its GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID (and GITHUB_RUN_ATTEMPT, GITHUB_WORKFLOW, GITHUB_WORKFLOW_REF, GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA); go run ./ci release-check passes it in Actions
	// +optional
	githubRun string,
) (string, error) {
	q, err := parseReleaseCheck(ctx, m, releaseCheckArgs{
		recipe:     recipeArgs{version: version, os: os, skipOs: skipOs, platforms: platforms, revision: revision, created: created},
		sizeBudget: sizeBudget, readme: readme, timeout: timeout, parallel: parallel, format: format, latest: latest, sign: sign, githubRun: githubRun,
	})
	if err != nil {
		return "", err
	}
	return q.run(ctx)
}

// Promote tested images by digest from the module's --staging to its --registry: every {V}-{OS} first, then the floating tags, only when all of those succeeded; the target serves the staged manifest digest byte for byte. Fails, with the report of what moved and what did not, on any failure.
// +cache="never"
func (m *FitImages) Promote(
	ctx context.Context,
	// FIT version, e.g. 3.6.0 (a leading v is dropped)
	version string,
	// the staged images, as release-check answers them: OS=REPO@sha256:HEX, comma separated
	images string,
	// floating tags ({OS}, latest-{OS}, {MAJOR.MINOR}-{OS}): auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
	// report format: text or json
	// +default="text"
	format string,
) (string, error) {
	s, err := m.settings()
	if err != nil {
		return "", err
	}
	q, err := parsePromote(s, promoteArgs{version: version, images: images, latest: latest, format: format})
	if err != nil {
		return "", err
	}
	return q.run(ctx)
}
