package pipeline

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/scripts"
	"dagger/fit-images/images/stale"
)

// Paths and identity every FIT image shares (SPEC.md).
const (
	FitHome    = "/opt/fit-framework"
	FitJavaDir = FitHome + "/java"
	FitUser    = "fit"
	FitUID     = 2000
	HTTPPort   = 8080
	AppPort    = 8090
	// JavaOpts sizes the heap from the container's memory limit (the JVM reads the cgroup): a fixed
	// -Xmx1024m gave a 512 MiB container a heap twice its limit, so the kernel killed FIT instead of the
	// garbage collector running, and gave a 4 GiB container no more than 1 GiB. 60 % leaves room for what
	// is not heap: metaspace, code cache, thread stacks, and the node process of `fit start`.
	JavaOpts   = "-XX:MaxRAMPercentage=60.0 -Djava.awt.headless=true"
	SourceURL  = "https://github.com/ModelEngine-Group/fit-framework"
	Maintainer = "FIT Framework Team"
)

// HealthSettings are the HEALTHCHECK timings, as Docker durations.
type HealthSettings struct {
	Interval, Timeout, StartPeriod, StartInterval string
	Retries                                       int
}

// Health is the image's HEALTHCHECK: upstream's steady state (a probe every 30 s, 10 s timeout,
// unhealthy after 3 failures, failures ignored for the first 30 s) plus a start interval, so
// that during the start period Docker ≥ 25 probes every 2 s and reports a FIT that is up in a
// few seconds healthy then, not at the first 30 s probe. Older engines ignore the start interval.
var Health = HealthSettings{Interval: "30s", Timeout: "10s", StartPeriod: "30s", StartInterval: "2s", Retries: 3}

// Folders under FitJavaDir that exist, owned by fit, in every image.
var fitFolders = []string{"bin", "conf", "lib", "plugins", "logs", "data", "dynamic-plugins"}

// WritableFolders are the folders under FitJavaDir that FIT and its users write at run time. They
// belong to fit and group 0 with the owner's permissions (775), the convention of OpenShift, which
// runs a container as an arbitrary uid in group 0; with a read-only root they (and /tmp) are the
// paths that need a volume.
var WritableFolders = []string{"logs", "data", "dynamic-plugins"}

// WritableMode is the mode of WritableFolders: the group has the owner's rights (g=u).
const WritableMode = 0o775

func writable(folder string) bool {
	for _, w := range WritableFolders {
		if w == folder {
			return true
		}
	}
	return false
}

// Options is one image to build.
type Options struct {
	OS       catalog.OS
	Version  release.Version
	Artifact *dagger.File // the release zip
	// Platform to build for; zero means the engine's own platform.
	Platform release.Platform
	Java     catalog.Java
	// Mirror of the OS package repository (apt or apk, by the OS); empty keeps the distribution's.
	Mirror   string
	Timezone string // default Asia/Shanghai
	// NoCache rebuilds every layer instead of reusing the engine's cache (the seed's --no-cache).
	NoCache bool
	// Revision and Created go into the OCI labels when given (left out by default so that
	// identical inputs give identical images).
	Revision, Created string
}

// Build returns the image. The artifact is checked first (so a bad zip fails with a clear message
// before anything else runs); the rest is evaluated lazily by whoever uses the container.
func Build(ctx context.Context, c *dagger.Client, o Options) (*dagger.Container, error) {
	if o.Artifact == nil {
		return nil, fmt.Errorf("no artifact: pass --artifact FILE or let the pipeline download the release")
	}
	java := o.Java
	if java == "" {
		java = catalog.JRE
	}
	tz := o.Timezone
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	plat := o.Platform
	if plat.Arch == "" {
		p, err := c.DefaultPlatform(ctx)
		if err != nil {
			return nil, err
		}
		if plat, err = release.ParsePlatform(string(p)); err != nil {
			return nil, err
		}
	}
	javaHome, err := o.OS.JavaHomeFor(plat.Arch)
	if err != nil {
		return nil, err
	}
	if err := CheckBase(ctx, c, o.OS.BaseImage, plat); err != nil {
		return nil, err
	}
	app, err := Unpack(ctx, c, o.Artifact, o.Version)
	if err != nil {
		return nil, err
	}

	v := o.Version.String()
	title := "FIT Framework (" + o.OS.Title + ")"
	desc := "FIT Framework " + v + " base image on " + o.OS.Description + ", Java 17 " + strings.ToUpper(string(java))
	skeleton, shared := c.Directory(), c.Directory()
	for _, f := range fitFolders {
		// without explicit permissions new directories get 0644 and cannot be entered
		if writable(f) {
			shared = shared.WithNewDirectory("java/"+f, dagger.DirectoryWithNewDirectoryOpts{Permissions: WritableMode})
		} else {
			skeleton = skeleton.WithNewDirectory("java/"+f, dagger.DirectoryWithNewDirectoryOpts{Permissions: 0o755})
		}
	}
	owner := fmt.Sprintf("%d:%d", FitUID, FitUID)

	from := c.Container(dagger.ContainerOpts{Platform: dagger.Platform(plat.String())}).From(o.OS.BaseImage)
	// the engine answers the reference it resolved only right after From: the digest the base's name
	// pointed at when this build started, recorded so a moved base can be told (stale)
	resolved, err := from.ImageRef(ctx)
	if err != nil {
		return nil, fmt.Errorf("base image %s for %s: cannot resolve its digest: %s", o.OS.BaseImage, plat, Explain(err))
	}
	b, err := ParseBaseRef(resolved)
	if err != nil {
		return nil, err
	}
	base, err := withMirror(ctx, from.
		With(noCache(o.NoCache)).
		WithUser("root"), o.OS, o.Mirror)
	if err != nil {
		return nil, err
	}
	ctr := base.
		// packages first: this layer is shared by every FIT version
		WithExec(o.OS.InstallExec(java)).
		WithExec([]string{"sh", "-c", zoneAndUser, "zone-and-user", tz, strconv.Itoa(FitUID), FitUser, FitHome}).
		With(installScripts).
		WithDirectory(FitHome, skeleton, dagger.ContainerWithDirectoryOpts{Owner: owner}).
		WithDirectory(FitHome, shared, dagger.ContainerWithDirectoryOpts{Owner: fmt.Sprintf("%d:0", FitUID)}).
		WithDirectory(FitJavaDir, app, dagger.ContainerWithDirectoryOpts{Owner: owner})

	env := map[string]string{
		"FIT_VERSION":  v,
		"FIT_HOME":     FitHome,
		"FIT_JAVA_DIR": FitJavaDir,
		"JAVA_HOME":    javaHome,
		"JAVA_OPTS":    JavaOpts,
		"TZ":           tz,
	}
	for k, val := range o.OS.Env {
		if k != "TZ" {
			env[k] = val
		}
	}
	for _, k := range sortedKeys(env) {
		ctr = ctr.WithEnvVariable(k, env[k])
	}
	ctr = ctr.WithEnvVariable("PATH", FitJavaDir+"/bin:"+javaHome+"/bin:${PATH}", dagger.ContainerWithEnvVariableOpts{Expand: true})

	for _, kv := range Labels(o.Version, title, desc, b, o.Revision, o.Created) {
		ctr = ctr.WithLabel(kv[0], kv[1])
		if strings.HasPrefix(kv[0], "org.opencontainers.") {
			ctr = ctr.WithAnnotation(kv[0], kv[1])
		}
	}
	return ctr.
		WithoutEnvVariable(nonceVar).
		WithExposedPort(HTTPPort, dagger.ContainerWithExposedPortOpts{Description: "FIT framework HTTP"}).
		WithExposedPort(AppPort, dagger.ContainerWithExposedPortOpts{Description: "application"}).
		WithDockerHealthcheck([]string{scripts.HealthcheckPath}, dagger.ContainerWithDockerHealthcheckOpts{
			Interval: Health.Interval, Timeout: Health.Timeout, StartPeriod: Health.StartPeriod,
			StartInterval: Health.StartInterval, Retries: Health.Retries,
		}).
		// numeric, so that Kubernetes' runAsNonRoot can verify it without a runAsUser
		WithUser(strconv.Itoa(FitUID)).
		WithWorkdir(FitJavaDir + "/dynamic-plugins").
		WithEntrypoint([]string{scripts.EntrypointPath}).
		WithDefaultArgs([]string{"fit", "start"}), nil
}

// zoneAndUser sets the time zone ($1) and creates the user and group $3 with id $2 and home $4
// (both bases have shadow's tools). A constant: the values come as arguments.
const zoneAndUser = `set -e
ln -snf "/usr/share/zoneinfo/$1" /etc/localtime
echo "$1" > /etc/timezone
groupadd --gid "$2" "$3"
useradd --uid "$2" --gid "$3" --home-dir "$4" --no-create-home --shell /bin/bash "$3"`

// withMirror points the base's package repository files at mirror. The files are read and
// written here, in Go, so the mirror never becomes part of a command; a base whose files do
// not name the distribution's repository is an error, not a mirror silently unused.
func withMirror(ctx context.Context, ctr *dagger.Container, o catalog.OS, mirror string) (*dagger.Container, error) {
	if mirror == "" {
		return ctr, nil
	}
	var found []string
	var lastErr error
	for _, pattern := range o.Sources {
		dir, glob := path.Split(pattern)
		names, err := ctr.Directory(dir).Glob(ctx, glob)
		if err != nil {
			lastErr = err // a base without this folder keeps its sources elsewhere
			continue
		}
		for _, n := range names {
			p := path.Join(dir, n)
			content, err := ctr.File(p).Contents(ctx)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s of %s to set the mirror: %s", p, o.BaseImage, Explain(err))
			}
			if out, ok := o.Mirrored(content, mirror); ok {
				ctr = ctr.WithNewFile(p, out, dagger.ContainerWithNewFileOpts{Permissions: 0o644})
				found = append(found, p)
			}
		}
	}
	if len(found) == 0 {
		why := ""
		if lastErr != nil {
			why = " (" + report.FirstLine(Explain(lastErr)) + ")"
		}
		return nil, fmt.Errorf("the mirror %s cannot be set: no file of %s (%s) names the repository %s%s", mirror, o.BaseImage, strings.Join(o.Sources, ", "), o.Upstream, why)
	}
	return ctr, nil
}

// installScripts adds the entrypoint, the healthcheck and the library they source (scripts.Files).
func installScripts(c *dagger.Container) *dagger.Container {
	for _, f := range scripts.Files() {
		c = c.WithNewFile(f.Path, f.Content, dagger.ContainerWithNewFileOpts{Permissions: f.Mode})
	}
	return c
}

const nonceVar = "FIT_BUILD_NONCE"

// noCache makes every later step unique to this build; the variable is removed again before the
// image is returned, so it never reaches the image config.
func noCache(on bool) dagger.WithContainerFunc {
	return func(c *dagger.Container) *dagger.Container {
		if !on {
			return c
		}
		return c.WithEnvVariable(nonceVar, strconv.FormatInt(time.Now().UnixNano(), 36))
	}
}

// Base is the base image a build started from, as the engine resolved it: the normalized name
// (docker.io/library/debian:12-slim) and the digest that name resolved to, which for a
// multi-platform base is its index's digest (the one `docker pull NAME@DIGEST` and cosign take),
// the same for every platform of the build.
type Base struct{ Name, Digest string }

// Labels of the base image (OCI image-spec annotations), on the image and its manifest: the keys
// stale reads, declared there once.
const (
	LabelBaseName   = stale.LabelBaseName
	LabelBaseDigest = stale.LabelBaseDigest
)

// ParseBaseRef splits the engine's resolved reference NAME[:TAG]@sha256:HEX.
func ParseBaseRef(ref string) (Base, error) {
	n, d, ok := strings.Cut(strings.TrimSpace(ref), "@")
	if !ok || n == "" || !sha256Digest.MatchString(d) {
		return Base{}, fmt.Errorf("the engine resolved the base image to %q, not NAME@sha256:<64 hex digits>", ref)
	}
	return Base{Name: n, Digest: d}, nil
}

var sha256Digest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Labels are the image labels in a stable order; OCI keys also become manifest annotations.
func Labels(v release.Version, title, desc string, base Base, revision, created string) [][2]string {
	l := [][2]string{
		{"maintainer", Maintainer},
		{"description", desc},
		{"org.opencontainers.image.title", title},
		{"org.opencontainers.image.description", desc},
		{"org.opencontainers.image.source", SourceURL},
		{"org.opencontainers.image.url", SourceURL},
		{"org.opencontainers.image.vendor", "ModelEngine-Group"},
		{"org.opencontainers.image.version", v.String()},
		{LabelBaseName, base.Name},
		{LabelBaseDigest, base.Digest},
	}
	if revision != "" {
		l = append(l, [2]string{"org.opencontainers.image.revision", revision})
	}
	if created != "" {
		l = append(l, [2]string{"org.opencontainers.image.created", created})
	}
	return l
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
