package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

const publishSynopsis = "publish --os OS --version V --registry PREFIX [--username U --password-env VAR] [--platforms …] " +
	"[--artifact PATH | --url U] [--checksum sha256:…]"

type publishOptions struct {
	os        catalog.OS
	build     buildInputs
	platforms []release.Platform
	registry  release.Registry
	creds     *Credentials
}

func parsePublish(args []string, getenv func(string) string, rep Reporter, stdout io.Writer) (publishOptions, error) {
	var o publishOptions
	var b buildFlags
	var osName, platforms, registry, username, passwordEnv string
	fs := newFlags("publish", publishSynopsis, stdout)
	fs.StringVar(&osName, "os", "", "operating `system`: "+strings.Join(catalog.Names(), ", "))
	fs.StringVar(&platforms, "platforms", "", "`platforms`, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)")
	fs.StringVar(&registry, "registry", "", "registry `prefix` to push to, e.g. modelengine/ or registry.example.com/fit/ (required)")
	fs.StringVar(&username, "username", "", "registry user `name`")
	fs.StringVar(&passwordEnv, "password-env", "", "`NAME` of the environment variable holding the registry password or token")
	b.register(fs, "") // a release names its version: no default
	if err := fs.parse(args); err != nil {
		return o, err
	}
	var err error
	if o.os, err = oneOS(osName); err != nil {
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

func runPublishJob(ctx context.Context, env *Env, args []string) error {
	o, err := parsePublish(args, env.Getenv, env.Rep, env.Stdout)
	if err != nil {
		return err
	}
	var r report.Result
	env.Rep.Group(fmt.Sprintf("Dagger: publish FIT %s on %s to %s", o.build.v, o.os.Name, o.registry), func() {
		r = publish(ctx, env, o)
	})
	return reportPublish(env.Rep, o.registry, o.build.v, r)
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

// reportPublish writes the outputs
//
//	image   the repository, e.g. modelengine/fit-framework
//	tags    the pushed refs, one per line
//	digest  the pushed manifest digest, sha256:… ("" when the push failed)
//	result  passed | failed
//
// and the summary row.
func reportPublish(rep Reporter, r release.Registry, v release.Version, res report.Result) error {
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
	writeErr := errors.Join(rep.Summary(md, text),
		setOutputs(rep, "image", image, "tags", strings.Join(res.Tags, "\n"), "digest", digest, "result", passedOrFailed(res.OK())))
	if !res.OK() {
		rep.Error(fmt.Sprintf("publish %s failed", res.OS), res.Err)
		if writeErr != nil {
			rep.Error("ci publish: cannot write outputs", writeErr.Error())
		}
		return failedf("publish of FIT %s on %s failed: %s", v, res.OS, firstLine(res.Err))
	}
	return writeErr // main reports it
}
