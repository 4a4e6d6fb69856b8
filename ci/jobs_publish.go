package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

const publishSynopsis = "publish --os OS --version V --registry PREFIX [--username U --password-env VAR] " +
	"[--image-tar DIR/OS.tar | [--platforms …] [--artifact PATH | --url U] [--checksum sha256:…]]"

type publishOptions struct {
	os        catalog.OS
	build     buildInputs
	platforms []release.Platform
	registry  release.Registry
	creds     *Credentials
	// imageTar is the absolute path of --image-tar: push that tested image instead of building.
	imageTar string
}

// buildOnlyFlags are the flags that say how to build: with --image-tar nothing is built.
var buildOnlyFlags = []string{"artifact", "url", "checksum", "platforms", "java", "apt-mirror", "apk-mirror"}

func parsePublish(args []string, getenv func(string) string, rep Reporter, stdout io.Writer) (publishOptions, error) {
	var o publishOptions
	var b buildFlags
	var osName, platforms, registry, username, passwordEnv, imageTar string
	fs := newFlags("publish", publishSynopsis, stdout)
	fs.StringVar(&osName, "os", "", "operating `system`: "+strings.Join(catalog.Names(), ", "))
	fs.StringVar(&platforms, "platforms", "", "`platforms`, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)")
	fs.StringVar(&registry, "registry", "", "registry `prefix` to push to, e.g. modelengine/ or registry.example.com/fit/ (required)")
	fs.StringVar(&username, "username", "", "registry user `name`")
	fs.StringVar(&passwordEnv, "password-env", "", "`NAME` of the environment variable holding the registry password or token")
	fs.StringVar(&imageTar, "image-tar", "", "push this tested image, an OCI `tarball` from release-check --export-dir (checked against the .json next to it), instead of building")
	b.register(fs, "") // a release names its version: no default
	if err := fs.parse(args); err != nil {
		return o, err
	}
	var err error
	if o.os, err = oneOS(osName); err != nil {
		return o, err
	}
	if o.imageTar, err = parseImageTar(fs, imageTar); err != nil {
		return o, err
	}
	if o.build, err = b.parse(); err != nil {
		return o, err
	}
	if o.platforms, err = parsePlatforms(platforms); err != nil {
		return o, err
	}
	if o.registry, err = parseRegistry(registry); err != nil {
		return o, err
	}
	if o.registry == "" {
		return o, usagef("no --registry given: publish needs a prefix such as modelengine/ or registry.example.com/fit/")
	}
	o.creds, err = readCredentials(username, passwordEnv, getenv, rep)
	return o, err
}

// parseImageTar validates --image-tar: an existing file, and none of the flags that say how to
// build (the tarball is built already).
func parseImageTar(fs *flagSet, path string) (string, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return "", nil
	}
	var conflict []string
	fs.Visit(func(f *flag.Flag) {
		if slices.Contains(buildOnlyFlags, f.Name) {
			conflict = append(conflict, "--"+f.Name)
		}
	})
	switch {
	case slices.Contains(conflict, "--artifact") || slices.Contains(conflict, "--url"):
		return "", usagef("pass either --image-tar or --artifact/--url, not both: --image-tar pushes an image built and tested already")
	case len(conflict) > 0:
		return "", usagef("%s cannot go with --image-tar: the tarball is built already, nothing is built", strings.Join(conflict, ", "))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", asUsage(err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", usagef("--image-tar %s: %v", path, errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() {
		return "", usagef("--image-tar %s is not a regular file: pass the OS tarball release-check --export-dir wrote, e.g. images-out/debian.tar", path)
	}
	return abs, nil
}

func runPublishJob(ctx context.Context, env *Env, args []string) error {
	o, err := parsePublish(args, env.Getenv, env.Rep, env.Stdout)
	if err != nil {
		return err
	}
	var r report.Result
	source := "built from " + o.build.artifact.String()
	if o.imageTar != "" {
		source = "the tested image " + o.imageTar
	}
	env.Rep.Group(fmt.Sprintf("Dagger: publish FIT %s on %s to %s (%s)", o.build.v, o.os.Name, o.registry, source), func() {
		if o.imageTar != "" {
			r, source = publishTarball(ctx, env, o)
		} else {
			r = publish(ctx, env, o)
		}
	})
	return reportPublish(env.Rep, o.registry, o.build.v, r, source)
}

func publish(ctx context.Context, env *Env, o publishOptions) report.Result {
	c, err := env.Connect(ctx)
	if err != nil {
		return failAll([]catalog.OS{o.os}, o.registry, o.build.v, err)[0]
	}
	auth := registryAuth(c, o.creds)
	artifact, err := loadArtifact(ctx, c, o.build.v, o.build.artifact)
	if err != nil {
		return failAll([]catalog.OS{o.os}, o.registry, o.build.v, err)[0]
	}
	return pipeline.BuildAll(ctx, c, pipeline.BuildAllOptions{
		Version: o.build.v, OSes: []catalog.OS{o.os}, Artifact: artifact, Platforms: o.platforms, Java: o.build.java,
		Mirrors: o.build.mirrors, Parallel: 1, Registry: o.registry, Push: true, Auth: auth,
	})[0]
}

// publishTarball pushes the image of --image-tar: verified on the host first (verifyTarball), then
// imported into the engine once per platform it holds (Container.Import takes the manifest that
// matches the importing container's platform), checked again there (platform, FIT_VERSION), and
// pushed as is. Nothing is pushed when any check fails. source describes what was pushed.
func publishTarball(ctx context.Context, env *Env, o publishOptions) (report.Result, string) {
	v := o.build.v
	start := time.Now()
	r := report.Result{OS: o.os.Name, Tags: release.Refs(o.registry, v, o.os.Name)}
	source := "the tested image " + o.imageTar
	fail := func(err error) (report.Result, string) {
		r.Err, r.Duration = err.Error()+": nothing was pushed", time.Since(start)
		return r, source
	}
	images, note, err := verifyTarball(o.imageTar, o.os.Name, v)
	if err != nil {
		return fail(err)
	}
	source = "the tested image " + note
	env.Rep.Printf("%s: %s", o.os.Name, note)
	if st, err := os.Stat(o.imageTar); err == nil {
		r.Size = st.Size()
	}
	c, err := env.Connect(ctx)
	if err != nil {
		return fail(err)
	}
	file := c.Host().File(o.imageTar)
	variants := make([]*dagger.Container, 0, len(images))
	for _, img := range images {
		ctr := c.Container(dagger.ContainerOpts{Platform: dagger.Platform(img.Platform.String())}).Import(file)
		for _, k := range slices.Sorted(maps.Keys(img.Annotations)) { // Import keeps the config, not these
			ctr = ctr.WithAnnotation(k, img.Annotations[k])
		}
		got, err := ctr.Platform(ctx)
		if err != nil {
			return fail(fmt.Errorf("cannot import the %s image of %s: %s", img.Platform, o.imageTar, report.FirstLine(err.Error())))
		}
		if p, err := release.ParsePlatform(string(got)); err != nil || !samePlatform(p, img.Platform) {
			return fail(fmt.Errorf("importing the %s image of %s gave a %s image", img.Platform, o.imageTar, got))
		}
		fv, err := ctr.EnvVariable(ctx, "FIT_VERSION")
		if err != nil {
			return fail(fmt.Errorf("cannot read the imported %s image: %s", img.Platform, report.FirstLine(err.Error())))
		}
		if fv != v.String() {
			return fail(fmt.Errorf("the imported %s image has FIT_VERSION=%q, not %s", img.Platform, fv, v))
		}
		variants = append(variants, ctr)
	}
	digests, err := pipeline.Publish(ctx, c, variants, o.registry, r.Tags, registryAuth(c, o.creds))
	r.Duration = time.Since(start)
	if len(digests) > 0 {
		r.Digest = digests[0]
	}
	if err != nil {
		r.Err = err.Error()
	}
	return r, source
}

// reportPublish writes the outputs
//
//	image   the repository, e.g. modelengine/fit-framework
//	tags    the pushed refs, one per line
//	digest  the pushed manifest digest, sha256:… ("" when the push failed)
//	result  passed | failed
//
// and the summary row.
func reportPublish(rep Reporter, r release.Registry, v release.Version, res report.Result, source string) error {
	digest := ""
	if res.Digest != "" {
		_, digest, _ = strings.Cut(res.Digest, "@")
		if digest == "" {
			digest = res.Digest
		}
	}
	image := string(r) + release.ImageName
	md := fmt.Sprintf("### publish: FIT %s on %s → `%s`\n\n%s", v, res.OS, image, report.Markdown([]report.Result{res}))
	text := fmt.Sprintf("publish: FIT %s on %s → %s\n%s", v, res.OS, image, report.Summary([]report.Result{res}))
	if source != "" {
		md += "\nSource: " + mdCell(source) + "\n"
		text += "source: " + source + "\n"
	}
	writeErr := errors.Join(rep.Summary(md, text),
		setOutputs(rep, "image", image, "tags", strings.Join(res.Tags, "\n"), "digest", digest, "result", passedOrFailed(res.OK())))
	if !res.OK() {
		rep.Error(fmt.Sprintf("publish %s failed", res.OS), res.Err)
		if writeErr != nil {
			rep.Error("ci publish: cannot write outputs", writeErr.Error())
		}
		return failedf("publish of FIT %s on %s failed: %s", v, res.OS, report.FirstLine(res.Err))
	}
	return writeErr // main reports it
}
