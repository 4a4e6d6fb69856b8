// FIT Framework base images: list, tag, build, check, end-to-end test and publish them.
//
// The functions here are the table of contents of the pipeline: they parse arguments (images/release,
// images/catalog, images/options), then hand over to images/pipeline and images/e2e, which are written
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
	// the functions' --registry argument would shadow the package
	fitregistry "dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/rollout"
	"dagger/fit-images/internal/dagger"
)

// FitImages builds the FIT Framework Docker base images.
type FitImages struct{}

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
	// FIT version, e.g. 3.6.0
	// +default="3.6.0"
	version string,
	// operating system, e.g. debian (dagger call list shows them all)
	os string,
	// registry prefix such as localhost:5000/ or registry.example.com/fit/ (a trailing / is added); its tags decide the floating ones
	// +optional
	registry string,
	// floating tags: auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
	// registry user name (public images list without one)
	// +optional
	username string,
	// registry password or token
	// +optional
	password *dagger.Secret,
	// the registry when it runs on your machine, e.g. tcp://localhost:5000 (the host:port of --registry), spoken to over plain http
	// +optional
	registryService *dagger.Service,
) (string, error) {
	v, o, r, err := parse(version, os, registry)
	if err != nil {
		return "", err
	}
	l, tags, err := pushArgs{latest: latest, username: username, password: password, registryService: registryService, decideOnly: true}.floating(ctx, v, r)
	if err != nil {
		return "", err
	}
	var list rollout.Lister
	if tags != nil {
		list = tags.List
	}
	plans, err := rollout.Plans(ctx, v, []string{o.Name}, l, list)
	if err != nil {
		return "", err
	}
	if r == "" && l == release.LatestAuto && !v.IsPrerelease() {
		plans[0].Note += " (no --registry given)"
	}
	return rollout.PlanText(r, plans[0]), nil
}

// The verified FIT release zip (downloaded once, cached by the engine): its sha256 must match --checksum, else the pinned sums (images/release/checksums.txt), else the GitHub release API's digest of the asset; fails when none has one.
func (m *FitImages) Artifact(
	ctx context.Context,
	// FIT version, e.g. 3.6.0
	// +default="3.6.0"
	version string,
	// download URL; {version} is replaced (default: the GitHub release of that version)
	// +optional
	url string,
	// expected sha256 of the zip: sha256:HEX or HEX
	// +optional
	checksum string,
	// pinned sums to use instead of the repository's images/release/checksums.txt (lines "VERSION sha256:HEX")
	// +optional
	checksumsFile *dagger.File,
	// the GitHub "list releases" API of FIT; the release's digests are read from {api-url}/tags/v{version}
	// +default="https://api.github.com/repos/ModelEngine-Group/fit-framework/releases"
	apiUrl string,
	// GitHub token for the API (higher rate limit), e.g. env:GITHUB_TOKEN
	// +optional
	token *dagger.Secret,
	// the API server when it runs on your machine, e.g. tcp://localhost:8080 (the host:port of --api-url)
	// +optional
	apiService *dagger.Service,
) (*dagger.File, error) {
	v, err := release.ParseVersion(version)
	if err != nil {
		return nil, err
	}
	c, err := sdk(ctx)
	if err != nil {
		return nil, err
	}
	o := pipeline.ArtifactOptions{URL: url, Checksum: checksum, Release: true}
	if err := (sumArgs{checksumsFile, apiUrl, apiService, token}).apply(ctx, &o); err != nil {
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
	// operating system, e.g. debian (dagger call list shows them all)
	os string,
	// FIT version, e.g. 3.6.0
	// +default="3.6.0"
	version string,
	// the release zip, instead of downloading it (e.g. --artifact ./3.6.0.zip)
	// +optional
	artifact *dagger.File,
	// download URL of the release zip when no --artifact; {version} is replaced
	// +optional
	url string,
	// expected sha256 of the zip, downloaded or --artifact: sha256:HEX or HEX (without it the zip is not verified)
	// +optional
	checksum string,
	// target platform such as linux/arm64 (default: the engine's)
	// +optional
	platform string,
	// Java 17 flavour: jre (default, smaller) or jdk (upstream parity)
	// +default="jre"
	java string,
	// Debian mirror replacing deb.debian.org, e.g. http://mirrors.example.com/debian
	// +optional
	aptMirror string,
	// Alpine mirror replacing dl-cdn.alpinelinux.org/alpine, e.g. https://mirrors.example.com/alpine
	// +optional
	apkMirror string,
	// VCS revision for the org.opencontainers.image.revision label
	// +optional
	revision string,
	// build time (RFC 3339) for the org.opencontainers.image.created label
	// +optional
	created string,
	// rebuild every layer instead of reusing the engine's cache
	// +optional
	noCache bool,
) (*dagger.Container, error) {
	revision, created, err := options.Labels(revision, created)
	if err != nil {
		return nil, err
	}
	in, err := resolve(ctx, buildArgs{os, version, artifact, url, checksum, platform, java, aptMirror, apkMirror})
	if err != nil {
		return nil, err
	}
	img, err := pipeline.Build(ctx, in.c, pipeline.Options{
		OS: in.oses[0], Version: in.v, Artifact: in.artifact, Platform: in.platform(), Java: in.java,
		Mirror: in.mirrors[in.oses[0].Manager], Revision: revision, Created: created, NoCache: noCache,
	})
	if err != nil {
		return nil, err
	}
	return containerBack(ctx, img)
}

// Check the structure of a built image (user, workdir, ports, env, labels, healthcheck, files, runtimes); fails on any miss.
func (m *FitImages) Check(
	ctx context.Context,
	// operating system, e.g. debian (dagger call list shows them all)
	os string,
	// FIT version, e.g. 3.6.0
	// +default="3.6.0"
	version string,
	// the release zip, instead of downloading it
	// +optional
	artifact *dagger.File,
	// download URL of the release zip when no --artifact
	// +optional
	url string,
	// expected sha256 of the zip, downloaded or --artifact (without it the zip is not verified)
	// +optional
	checksum string,
	// Java 17 flavour: jre or jdk
	// +default="jre"
	java string,
	// Debian mirror replacing deb.debian.org
	// +optional
	aptMirror string,
	// Alpine mirror replacing dl-cdn.alpinelinux.org/alpine
	// +optional
	apkMirror string,
) (string, error) {
	in, err := resolve(ctx, buildArgs{os, version, artifact, url, checksum, "", java, aptMirror, apkMirror})
	if err != nil {
		return "", err
	}
	img, err := pipeline.Build(ctx, in.c, pipeline.Options{OS: in.oses[0], Version: in.v, Artifact: in.artifact, Java: in.java, Mirror: in.mirrors[in.oses[0].Manager]})
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

// Build the selected operating systems concurrently, smoke-test each, push every tag when asked, and print a summary table; fails if any OS failed (and then pushes nothing).
// +cache="never"
func (m *FitImages) BuildAll(
	ctx context.Context,
	// FIT version, e.g. 3.6.0
	// +default="3.6.0"
	version string,
	// only these operating systems, comma separated (default: all)
	// +optional
	os string,
	// skip these operating systems, comma separated
	// +optional
	skipOs string,
	// how many OS builds run at once
	// +default=2
	parallel int,
	// platforms, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)
	// +optional
	platforms string,
	// registry prefix for the tags, e.g. registry.example.com/fit/
	// +optional
	registry string,
	// push every tag after all builds passed
	// +optional
	push bool,
	// registry user name
	// +optional
	username string,
	// registry password or token
	// +optional
	password *dagger.Secret,
	// the release zip, instead of downloading it
	// +optional
	artifact *dagger.File,
	// download URL of the release zip when no --artifact
	// +optional
	url string,
	// expected sha256 of the downloaded zip
	// +optional
	checksum string,
	// Java 17 flavour: jre or jdk
	// +default="jre"
	java string,
	// Debian mirror replacing deb.debian.org
	// +optional
	aptMirror string,
	// Alpine mirror replacing dl-cdn.alpinelinux.org/alpine
	// +optional
	apkMirror string,
	// rebuild every layer instead of reusing the engine's cache
	// +optional
	noCache bool,
	// floating tags when pushing: auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
	// the registry when it runs on your machine, e.g. tcp://localhost:5000 (the host:port of --registry): read to decide the floating tags and put them back after a failed push
	// +optional
	registryService *dagger.Service,
	// VCS revision for the org.opencontainers.image.revision label, e.g. the release commit
	// +optional
	revision string,
	// time (RFC 3339) for the org.opencontainers.image.created label, e.g. the release commit's (not now: reproducible)
	// +optional
	created string,
) (string, error) {
	revision, created, err := options.Labels(revision, created)
	if err != nil {
		return "", err
	}
	a := buildArgs{os, version, artifact, url, checksum, platforms, java, aptMirror, apkMirror}
	in, err := parseInputs(ctx, a, skipOs, registry, push)
	if err != nil {
		return "", err
	}
	l, tags, err := pushArgs{latest: latest, username: username, password: password, registryService: registryService}.floating(ctx, in.v, pushTarget(in.registry, push))
	if err != nil {
		return "", err
	}
	if err := in.verify(ctx, a, sumArgs{}, push); err != nil {
		return "", err
	}
	auth, err := in.auth(ctx, username, password)
	if err != nil {
		return "", err
	}
	o := pipeline.BuildAllOptions{
		Version: in.v, OSes: in.oses, Artifact: in.artifact, Platforms: in.platforms, Java: in.java,
		Mirrors: in.mirrors, Parallel: parallel, Registry: in.registry, Push: push, Auth: auth, NoCache: noCache,
		Revision: revision, Created: created,
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

// Push every tag of one image (a multi-arch index when several platforms) and return the pushed digest refs.
// +cache="never"
func (m *FitImages) Publish(
	ctx context.Context,
	// operating system, e.g. debian (dagger call list shows them all)
	os string,
	// FIT version, e.g. 3.6.0
	// +default="3.6.0"
	version string,
	// registry prefix, e.g. registry.example.com/fit/ or modelengine/
	registry string,
	// registry user name
	// +optional
	username string,
	// registry password or token
	// +optional
	password *dagger.Secret,
	// platforms, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)
	// +optional
	platforms string,
	// the release zip, instead of downloading it
	// +optional
	artifact *dagger.File,
	// download URL of the release zip when no --artifact
	// +optional
	url string,
	// expected sha256 of the downloaded zip
	// +optional
	checksum string,
	// Java 17 flavour: jre or jdk
	// +default="jre"
	java string,
	// Debian mirror replacing deb.debian.org
	// +optional
	aptMirror string,
	// Alpine mirror replacing dl-cdn.alpinelinux.org/alpine
	// +optional
	apkMirror string,
	// floating tags: auto (only to the highest release in the registry), always or never
	// +default="auto"
	latest string,
	// the registry when it runs on your machine, e.g. tcp://localhost:5000 (the host:port of --registry): read to decide the floating tags and put them back after a failed push
	// +optional
	registryService *dagger.Service,
	// VCS revision for the org.opencontainers.image.revision label, e.g. the release commit
	// +optional
	revision string,
	// time (RFC 3339) for the org.opencontainers.image.created label, e.g. the release commit's (not now: reproducible)
	// +optional
	created string,
) (string, error) {
	revision, created, err := options.Labels(revision, created)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(registry) == "" {
		return "", fmt.Errorf("no --registry given: publish needs a prefix such as registry.example.com/fit/ or modelengine/")
	}
	a := buildArgs{os, version, artifact, url, checksum, platforms, java, aptMirror, apkMirror}
	in, err := parseInputs(ctx, a, "", registry, true)
	if err != nil {
		return "", err
	}
	if len(in.oses) != 1 {
		return "", fmt.Errorf("publish takes one --os; use build-all --push for several")
	}
	l, tags, err := pushArgs{latest: latest, username: username, password: password, registryService: registryService}.floating(ctx, in.v, in.registry)
	if err != nil {
		return "", err
	}
	if err := in.verify(ctx, a, sumArgs{}, true); err != nil {
		return "", err
	}
	auth, err := in.auth(ctx, username, password)
	if err != nil {
		return "", err
	}
	o := pipeline.BuildAllOptions{
		Version: in.v, OSes: in.oses, Artifact: in.artifact, Platforms: in.platforms, Java: in.java,
		Mirrors: in.mirrors, Parallel: 1, Registry: in.registry, Push: true, Auth: auth, Revision: revision, Created: created,
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

// A throwaway registry:2 to try pushes locally: `dagger call registry up --ports 5000:5000`, then `build-all --registry localhost:5000/ --push --registry-service tcp://localhost:5000`.
func (m *FitImages) Registry(ctx context.Context) (*dagger.Service, error) {
	c, err := sdk(ctx)
	if err != nil {
		return nil, err
	}
	return serviceBack(ctx, fitregistry.Service(c, ""))
}

// Run the end-to-end test inside the engine: a throwaway registry, push, pull back, run as a service, assert the plugins (root plugin included), health where the version serves it, a hot-loaded dynamic plugin, healthcheck, version, banner, uid, and FIT_HTTP_PORT with a shipped, mounted and read-only conf.
// +cache="never"
func (m *FitImages) EndToEnd(
	ctx context.Context,
	// operating system, e.g. debian (dagger call list shows them all)
	os string,
	// FIT version, e.g. 3.6.0
	// +default="3.6.0"
	version string,
	// the release zip, instead of downloading it
	// +optional
	artifact *dagger.File,
	// download URL of the release zip when no --artifact
	// +optional
	url string,
	// expected sha256 of the zip, downloaded or --artifact (without it the zip is not verified)
	// +optional
	checksum string,
	// how long the app may take to become healthy, e.g. 120s or 3m (default: 120s, 10m on an emulated --platform)
	// +optional
	timeout string,
	// report format: text or json
	// +default="text"
	format string,
	// Java 17 flavour: jre or jdk
	// +default="jre"
	java string,
	// Debian mirror replacing deb.debian.org
	// +optional
	aptMirror string,
	// Alpine mirror replacing dl-cdn.alpinelinux.org/alpine
	// +optional
	apkMirror string,
	// platform of the image such as linux/arm64 (default: the engine's; another one runs emulated)
	// +optional
	platform string,
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
	in, err := resolve(ctx, buildArgs{os, version, artifact, url, checksum, platform, java, aptMirror, apkMirror})
	if err != nil {
		return "", err
	}
	steps, runErr := e2e.Run(ctx, in.c, e2e.Options{OS: in.oses[0], Version: in.v, Artifact: in.artifact, Java: in.java, Mirror: in.mirrors[in.oses[0].Manager], Platform: in.platform(), Timeout: d})
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

// FIT releases with no images yet: the final releases ≥ --since (GitHub API) whose {V}-{OS} tag the registry lacks, oldest first; with --version, only that version (a pre-release too), without the API.
// +cache="never"
func (m *FitImages) MissingReleases(
	ctx context.Context,
	// registry prefix the images are pushed to, e.g. modelengine/ or localhost:5000/
	registry string,
	// oldest FIT version considered (the catch-up floor)
	// +default="3.6.0"
	since string,
	// check only this version, as a dispatched release would push it; the API is not asked and --since does not apply
	// +optional
	version string,
	// only these operating systems, comma separated (default: all)
	// +optional
	os string,
	// the GitHub "list releases" API of FIT
	// +default="https://api.github.com/repos/ModelEngine-Group/fit-framework/releases"
	apiUrl string,
	// GitHub token for the API (higher rate limit), e.g. env:GITHUB_TOKEN
	// +optional
	token *dagger.Secret,
	// answer at most this many versions, the oldest (0: all)
	// +optional
	limit int,
	// leave these versions out, comma separated (the scheduled catch-up passes those whose release is running)
	// +optional
	skipVersion string,
	// with --version: answer every selected OS, the published ones too, to rebuild and push {V}-{OS} again
	// +optional
	rebuild bool,
	// text (one "VERSION OS" line per missing image) or json (the release matrix: [{"version","os"}], OSes comma separated)
	// +default="text"
	format string,
	// registry user name (public images list without one)
	// +optional
	username string,
	// registry password or token
	// +optional
	password *dagger.Secret,
	// the API server when it runs on your machine, e.g. tcp://localhost:8080 (the host:port of --api-url)
	// +optional
	apiService *dagger.Service,
	// the registry when it runs on your machine, e.g. tcp://localhost:5000 (the host:port of --registry), spoken to over plain http
	// +optional
	registryService *dagger.Service,
) (string, error) {
	q, err := parseMissing(version, since, os, registry, apiUrl, limit, format, skipVersion, rebuild)
	if err != nil {
		return "", err
	}
	// servers of the caller's machine come as services, reached under the caller's address for them
	if q.Routes, err = routes(ctx, hostService{dial.HostPort(q.API), "--api-service", apiService},
		hostService{fitregistry.Addr(q.Registry), "--registry-service", registryService}); err != nil {
		return "", err
	}
	if q.Token, err = plaintext(ctx, token); err != nil {
		return "", err
	}
	if q.Username, q.Password, err = login(ctx, username, password); err != nil {
		return "", err
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

// Run the release checklist of one FIT version: version, not yet published (with --registry), login, artifact and its checksum, then per OS build, structure checks, compressed size, staging (with --staging) and the e2e of the staged digest, and the README's version references; fails, with the report, when an item failed.
// +cache="never"
func (m *FitImages) ReleaseCheck(
	ctx context.Context,
	// FIT version being released, e.g. 3.6.1
	version string,
	// only these operating systems, comma separated (default: all)
	// +optional
	os string,
	// skip these operating systems, comma separated
	// +optional
	skipOs string,
	// registry prefix the release goes to: checks that {V}-{OS} is not there yet, e.g. modelengine/
	// +optional
	registry string,
	// the registry when it runs on your machine, e.g. tcp://localhost:5000 (the host:port of --registry), spoken to over plain http
	// +optional
	registryService *dagger.Service,
	// registry user name (checks the login is accepted)
	// +optional
	username string,
	// registry password or token
	// +optional
	password *dagger.Secret,
	// the release zip, instead of downloading it
	// +optional
	artifact *dagger.File,
	// download URL of the release zip when no --artifact; {version} is replaced
	// +optional
	url string,
	// expected sha256 of the release zip (sha256:HEX or HEX), verified for --artifact too; default: the pinned sums, else GitHub's asset digest
	// +optional
	checksum string,
	// pinned sums (VERSION sha256:HEX a line) instead of the module's images/release/checksums.txt
	// +optional
	checksumsFile *dagger.File,
	// GitHub releases API of FIT, for the asset digest (default https://api.github.com/repos/ModelEngine-Group/fit-framework/releases)
	// +optional
	apiUrl string,
	// the API when it runs on your machine, e.g. tcp://localhost:8080 (the host:port of --api-url)
	// +optional
	apiService *dagger.Service,
	// GitHub token for the API (rate limits)
	// +optional
	token *dagger.Secret,
	// platforms, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's); the e2e runs on the engine's
	// +optional
	platforms string,
	// largest acceptable compressed image size, decimal units (1.5GB, 700MB)
	// +default="1.5GB"
	sizeBudget string,
	// README whose version references (fit-framework:X.Y.Z-OS, --version X.Y.Z) must name the version (default: not checked)
	// +optional
	readme *dagger.File,
	// how long FIT may take to become healthy in the e2e, e.g. 120s
	// +optional
	timeout string,
	// how many OSes are checked at once
	// +default=2
	parallel int,
	// Java 17 flavour: jre or jdk
	// +default="jre"
	java string,
	// Debian mirror replacing deb.debian.org
	// +optional
	aptMirror string,
	// Alpine mirror replacing dl-cdn.alpinelinux.org/alpine
	// +optional
	apkMirror string,
	// registry prefix the tested images are pushed to by digest, for promote, e.g. ghcr.io/OWNER/fit-staging/ (default: not staged)
	// +optional
	staging string,
	// user name for --staging
	// +optional
	stagingUsername string,
	// password or token for --staging
	// +optional
	stagingPassword *dagger.Secret,
	// VCS revision for the org.opencontainers.image.revision label (the release commit)
	// +optional
	revision string,
	// time (RFC 3339) for the org.opencontainers.image.created label: the release commit's time, for reproducible images
	// +optional
	created string,
	// report format: text or json
	// +default="text"
	format string,
) (string, error) {
	q, err := parseReleaseCheck(releaseCheckArgs{version, os, skipOs, registry, username, password, url, checksum, platforms,
		sizeBudget, timeout, parallel, java, aptMirror, apkMirror, staging, stagingUsername, stagingPassword, revision, created, format}, artifact)
	if err != nil {
		return "", err
	}
	return q.run(ctx, registryService, artifact, readme, sumArgs{checksumsFile, apiUrl, apiService, token})
}

// Promote tested images by digest to their release tags: every {V}-{OS} first, then the floating tags, only when all of those succeeded; the target serves the staged manifest digest byte for byte. Fails, with the report of what moved and what did not, on any failure.
// +cache="never"
func (m *FitImages) Promote(
	ctx context.Context,
	// FIT version being released, e.g. 3.6.1
	version string,
	// the staged images, as release-check answers them: OS=REPO@sha256:HEX, comma separated
	images string,
	// registry prefix to publish to, e.g. modelengine/
	registry string,
	// the registry when it runs on your machine, e.g. tcp://localhost:5000 (the host:port of --registry), spoken to over plain http
	// +optional
	registryService *dagger.Service,
	// registry user name
	// +optional
	username string,
	// registry password or token
	// +optional
	password *dagger.Secret,
	// the staging registry when it runs on your machine (default: --registry-service when it is the same address)
	// +optional
	stagingService *dagger.Service,
	// user name for the staging registry
	// +optional
	stagingUsername string,
	// password or token for the staging registry
	// +optional
	stagingPassword *dagger.Secret,
	// floating tags ({OS}, latest-{OS}, {MAJOR.MINOR}-{OS}): auto, always or never
	// +default="auto"
	latest string,
	// report format: text or json
	// +default="text"
	format string,
) (string, error) {
	q, err := parsePromote(version, images, registry, username, password, stagingUsername, stagingPassword, latest, format)
	if err != nil {
		return "", err
	}
	return q.run(ctx, registryService, stagingService)
}
