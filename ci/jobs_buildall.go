package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

const buildAllSynopsis = "build-all [--version V] [--os a,b] [--skip-os c] [--parallel N] [--platforms linux/amd64,…] " +
	"[--registry PREFIX] [--push] [--username U --password-env VAR] [--artifact PATH | --url U] [--checksum sha256:…]"

type buildAllOptions struct {
	build     buildInputs
	oses      []catalog.OS
	parallel  int
	platforms []release.Platform
	registry  release.Registry
	push      bool
	creds     *Credentials
}

func parseBuildAll(args []string, getenv func(string) string, rep Reporter, stdout io.Writer) (buildAllOptions, error) {
	var o buildAllOptions
	var b buildFlags
	var only, skip, platforms, registry, username, passwordEnv string
	fs := newFlags("build-all", buildAllSynopsis, stdout)
	fs.selection(&only, &skip)
	fs.IntVar(&o.parallel, "parallel", 2, "how many OS builds run at once (`N`)")
	fs.StringVar(&platforms, "platforms", "", "`platforms`, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's)")
	fs.StringVar(&registry, "registry", "", "registry `prefix` for the tags, e.g. registry.example.com/fit/ or modelengine/")
	fs.BoolVar(&o.push, "push", false, "push every tag after all builds passed (needs --registry)")
	fs.StringVar(&username, "username", "", "registry user `name`")
	fs.StringVar(&passwordEnv, "password-env", "", "`NAME` of the environment variable holding the registry password or token")
	b.register(fs, release.DefaultVersion)
	if err := fs.parse(args); err != nil {
		return o, err
	}
	var err error
	if o.build, err = b.parse(); err != nil {
		return o, err
	}
	if o.oses, err = selectOSes(only, skip); err != nil {
		return o, err
	}
	if o.parallel < 1 {
		return o, usagef("--parallel %d: give at least 1", o.parallel)
	}
	if o.platforms, err = parsePlatforms(platforms); err != nil {
		return o, err
	}
	if o.registry, err = parseRegistry(registry); err != nil {
		return o, err
	}
	if o.push && o.registry == "" {
		return o, usagef("--push needs --registry: say where to push, e.g. registry.example.com/fit/ or localhost:5000/")
	}
	o.creds, err = readCredentials(username, passwordEnv, getenv, rep)
	return o, err
}

func runBuildAllJob(ctx context.Context, env *Env, args []string) error {
	o, err := parseBuildAll(args, env.Getenv, env.Rep, env.Stdout)
	if err != nil {
		return err
	}
	var results []report.Result
	env.Rep.Group(fmt.Sprintf("Dagger: build-all FIT %s (%d OS)", o.build.v, len(o.oses)), func() {
		results = buildAll(ctx, env, o)
	})
	return reportBuildAll(env.Rep, o.build.v, results)
}

func buildAll(ctx context.Context, env *Env, o buildAllOptions) []report.Result {
	c, err := env.Connect(ctx)
	if err != nil {
		return failAll(o.oses, o.registry, o.build.v, err)
	}
	auth := registryAuth(c, o.creds)
	artifact, err := loadArtifact(ctx, c, o.build.v, o.build.artifact)
	if err != nil {
		return failAll(o.oses, o.registry, o.build.v, err)
	}
	return pipeline.BuildAll(ctx, c, pipeline.BuildAllOptions{
		Version: o.build.v, OSes: o.oses, Artifact: artifact, Platforms: o.platforms, Java: o.build.java,
		Mirrors: o.build.mirrors, Parallel: o.parallel, Registry: o.registry, Push: o.push, Auth: auth,
	})
}

// failAll is a result row per OS when the run stopped before any build (no engine, no artifact).
func failAll(oses []catalog.OS, r release.Registry, v release.Version, err error) []report.Result {
	out := make([]report.Result, len(oses))
	for i, o := range oses {
		out[i] = report.Result{OS: o.Name, Tags: release.Refs(r, v, o.Name), Err: report.FirstLine(err.Error())}
	}
	return out
}

// reportBuildAll writes one row per OS, failed ones included, and the outputs:
//
//	tags     JSON object OS → list of refs   {"debian":["fit-framework:3.6.0-debian",…]}
//	digests  JSON object OS → pushed digest ref ("" when not pushed)
//	sizes    JSON object OS → compressed image size in bytes (0 when unknown)
//	result   passed | failed
//
// Any failed OS fails the job.
func reportBuildAll(rep Reporter, v release.Version, results []report.Result) error {
	tags := map[string][]string{}
	digests := map[string]string{}
	sizes := map[string]int64{}
	failed := 0
	for _, r := range results {
		tags[r.OS] = append([]string{}, r.Tags...)
		digests[r.OS] = r.Digest
		sizes[r.OS] = r.Size
		if !r.OK() {
			failed++
		}
	}
	ok := failed == 0 && len(results) > 0
	verdict := fmt.Sprintf("%s all %d passed", Pass.Mark(), len(results))
	if !ok {
		verdict = fmt.Sprintf("%s %d of %d failed", Fail.Mark(), failed, len(results))
	}
	md := fmt.Sprintf("### build-all: FIT %s\n\n%s\n**%s**\n", v, report.Markdown(results), verdict)
	text := fmt.Sprintf("build-all: FIT %s\n%s%s\n", v, report.Summary(results), strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(verdict, Pass.Mark()), Fail.Mark())))
	writeErr := errors.Join(rep.Summary(md, text),
		setOutputs(rep, "tags", mustJSON(tags), "digests", mustJSON(digests), "sizes", mustJSON(sizes), "result", passedOrFailed(ok)))

	for _, r := range results {
		if !r.OK() {
			rep.Error(fmt.Sprintf("build-all: %s failed", r.OS), r.Err)
		}
	}
	if !ok {
		if writeErr != nil {
			rep.Error("ci build-all: cannot write outputs", writeErr.Error())
		}
		return failedf("build-all: %d of %d OS failed", failed, len(results))
	}
	return writeErr // main reports it
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return string(b)
}
