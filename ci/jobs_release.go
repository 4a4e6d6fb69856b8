package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/e2e"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

const releaseCheckSynopsis = "release-check --version V [--os a,b] [--skip-os c] [--registry PREFIX [--username U --password-env VAR]] " +
	"[--artifact PATH | --url U] [--checksum sha256:…] [--platforms …] [--size-budget 1.5GB] [--readme README.md] [--timeout 120s] [--parallel N] " +
	"[--export-dir DIR]"

// defaultSizeBudget is the seed checklist's "image size reasonable (< 1.5GB)".
const defaultSizeBudget = "1.5GB"

type releaseOptions struct {
	build          buildInputs
	oses           []catalog.OS
	registry       release.Registry
	username       string
	passwordEnv    string
	budget         int64
	readme         string
	readmeExplicit bool
	timeout        time.Duration
	parallel       int
	platforms      []release.Platform
	// exportDir, when set, receives <os>.tar and <os>.json of every OS that passed all its items.
	exportDir string
	// http is the client of the registry check; nil means newRegistryClient().
	http *http.Client
	// exportErr is set when the export directory could not be prepared: every export fails.
	exportErr error
}

func parseReleaseCheck(args []string, stdout io.Writer) (releaseOptions, error) {
	var o releaseOptions
	var b buildFlags
	var only, skip, registry, budget, timeout, platforms string
	fs := newFlags("release-check", releaseCheckSynopsis, stdout)
	fs.selection(&only, &skip)
	fs.StringVar(&registry, "registry", "", "registry `prefix` the release goes to: checks that the version is not published there yet")
	fs.StringVar(&o.username, "username", "", "registry user `name` (checks the login is ready and accepted)")
	fs.StringVar(&o.passwordEnv, "password-env", "", "`NAME` of the environment variable holding the registry password or token")
	fs.StringVar(&budget, "size-budget", defaultSizeBudget, "largest acceptable compressed image `size`, decimal units (1.5GB, 700MB)")
	fs.StringVar(&o.readme, "readme", "README.md", "`README` whose version references (fit-framework:X.Y.Z-OS, --version X.Y.Z) must name the version")
	fs.StringVar(&timeout, "timeout", "120s", "how long FIT may take to become healthy in the e2e (a `duration`)")
	fs.IntVar(&o.parallel, "parallel", 2, "how many OS are checked at once (`N`)")
	fs.StringVar(&platforms, "platforms", "", "build for these `platforms`, comma separated, e.g. linux/amd64,linux/arm64 (default: the engine's); the e2e runs on the engine's")
	fs.StringVar(&o.exportDir, "export-dir", "", "write every OS image that passed all its items to `DIR`/<os>.tar (OCI tarball) and DIR/<os>.json, for publish --image-tar")
	b.register(fs, "") // a release names its version: no default
	if err := fs.parse(args); err != nil {
		return o, err
	}
	fs.Visit(func(f *flag.Flag) { o.readmeExplicit = o.readmeExplicit || f.Name == "readme" })
	var err error
	if o.build, err = b.parse(); err != nil {
		return o, err
	}
	if o.oses, err = selectOSes(only, skip); err != nil {
		return o, err
	}
	if o.registry, err = parseRegistry(registry); err != nil {
		return o, err
	}
	if o.budget, err = ParseSize(budget); err != nil {
		return o, usagef("--size-budget: %v", err)
	}
	if o.timeout, err = parseTimeout(timeout); err != nil {
		return o, err
	}
	if o.parallel < 1 {
		return o, usagef("--parallel %d: give at least 1", o.parallel)
	}
	if o.platforms, err = parsePlatforms(platforms); err != nil {
		return o, err
	}
	if o.exportDir, err = parseExportDir(o.exportDir); err != nil {
		return o, err
	}
	return o, nil
}

// parseExportDir accepts a directory or a path that does not exist yet (it is created).
func parseExportDir(dir string) (string, error) {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return "", nil
	}
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return "", usagef("--export-dir %s is a file, not a directory", dir)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return "", usagef("--export-dir %s: %v", dir, errors.Unwrap(err))
	}
	return filepath.Clean(dir), nil
}

func runReleaseCheckJob(ctx context.Context, env *Env, args []string) error {
	o, err := parseReleaseCheck(args, env.Stdout)
	if err != nil {
		return err
	}
	return runReleaseCheck(ctx, env, o)
}

// runReleaseCheck automates the seed guide's release checklist (生产发布流程 / 发布检查清单):
//
//	确认版本号正确            version well-formed; with --registry: not published there yet
//	Release 已在 GitHub 上发布  artifact reachable (and checksum-verified when --checksum is given)
//	本地构建测试通过          every selected OS builds and passes the structure checks
//	健康检查功能正常 / 本地 registry 推送流程   e2e: push/pull through a throwaway registry, healthcheck, plugins
//	镜像大小合理 (< 1.5GB)    compressed size under --size-budget
//	生产仓库的登录凭证        with --username/--password-env: present, and accepted by the registry
//	README 中的版本号引用     every version reference in --readme names the version
//
// With --export-dir, every OS that passed all its items is written out as the exact image checked
// (exportImage) and gets an "exported" item.
//
// Every item is reported; any failed item fails the job (exit 1). Outputs: result, version, failed
// (the failed items' names, one per line), images (JSON object OS → tarball path, {} without
// --export-dir or when no OS passed).
func runReleaseCheck(ctx context.Context, env *Env, o releaseOptions) error {
	v := o.build.v
	cl := &Checklist{Title: "Release checklist: FIT " + v.String()}
	cl.pass("version well-formed", describeVersion(v, o.oses))

	creds, credItem := checkCredentials(o.username, o.passwordEnv, env.Getenv, env.Rep)
	if o.registry == "" {
		cl.skip("not yet published", "not checked: no --registry given")
	} else {
		hc := o.http
		if hc == nil {
			hc = newRegistryClient()
		}
		item, loggedIn, authErr := checkNotPublished(ctx, hc, o.registry, v, o.oses, creds)
		cl.Items = append(cl.Items, item)
		switch {
		case authErr != nil && creds != nil:
			credItem = Item{Name: credItem.Name, Status: Fail, Detail: "rejected: " + authErr.Error()}
		case loggedIn:
			credItem.Detail += "; accepted by " + o.registry.Host()
		case creds != nil:
			credItem.Detail += "; " + o.registry.Host() + " did not ask for a login, so it was not tried"
		}
	}
	cl.Items = append(cl.Items, credItem)

	var logs []osCheck
	env.Rep.Group(fmt.Sprintf("Dagger: release checks of FIT %s on %s", v, osNames(o.oses)), func() {
		logs = engineChecks(ctx, env, o, cl)
	})
	images := map[string]string{}
	for _, r := range logs {
		if r.exported != "" {
			images[r.os] = r.exported
		}
	}
	for _, r := range logs { // after the engine's group: GitHub does not nest groups
		if r.logs != "" {
			env.Rep.Group(fmt.Sprintf("container logs (%s, FIT %s)", r.os, v), func() { env.Rep.Printf("%s", r.logs) })
		}
	}
	cl.Items = append(cl.Items, checkReadmeFile(o.readme, o.readmeExplicit, v))

	failed := []string{}
	for _, it := range cl.Items {
		if it.Status == Fail {
			failed = append(failed, it.Name)
		}
	}
	writeErr := errors.Join(env.Rep.Summary(cl.Markdown(), cl.Text()),
		setOutputs(env.Rep, "result", passedOrFailed(cl.OK()), "version", v.String(), "failed", strings.Join(failed, "\n"), "images", mustJSON(images)))
	for _, it := range cl.Items {
		if it.Status == Fail {
			env.Rep.Error("release-check: "+it.Name, it.Detail)
		}
	}
	if !cl.OK() {
		if writeErr != nil {
			env.Rep.Error("ci release-check: cannot write outputs", writeErr.Error())
		}
		return failedf("release-check of FIT %s: %s", v, cl.Verdict())
	}
	return writeErr // main reports it
}

func describeVersion(v release.Version, oses []catalog.OS) string {
	kind := "final release"
	if v.IsPrerelease() {
		kind = "pre-release: only the exact tag is pushed, no floating tag moves"
	}
	var tags []string
	if len(oses) > 0 {
		tags = release.Tags(v, oses[0].Name)
		for i, t := range tags {
			tags[i] = strings.TrimSuffix(t, oses[0].Name) + "OS"
		}
	}
	return fmt.Sprintf("%s (%s); tags %s", v, kind, strings.Join(tags, ", "))
}

func osNames(oses []catalog.OS) string {
	names := make([]string, len(oses))
	for i, o := range oses {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

// checkCredentials is the "production registry login ready" item: a user name and a non-empty
// password variable (the password is masked at once), or a skip when neither was given.
func checkCredentials(username, passwordEnv string, getenv func(string) string, rep Reporter) (*Credentials, Item) {
	const name = "registry credentials ready"
	creds, err := readCredentials(username, passwordEnv, getenv, rep)
	switch {
	case err != nil:
		return nil, Item{Name: name, Status: Fail, Detail: err.Error()}
	case creds == nil:
		return nil, Item{Name: name, Status: Skip, Detail: "not checked: no --username/--password-env given (publishing will need them)"}
	}
	return creds, Item{Name: name, Status: Pass, Detail: fmt.Sprintf("user %s, password from $%s", creds.Username, strings.TrimSpace(passwordEnv))}
}

// checkNotPublished asks the registry for the tags of the image and fails when {V}-{OS} is there
// for any selected OS. An unreachable registry fails the item: "not published" is not proven.
// loggedIn tells that the registry asked for and accepted the login; authErr that it refused it.
func checkNotPublished(ctx context.Context, hc *http.Client, r release.Registry, v release.Version, oses []catalog.OS, creds *Credentials) (it Item, loggedIn bool, authErr error) {
	const name = "not yet published"
	start := time.Now()
	tl, err := listTags(ctx, hc, r, creds)
	if err != nil {
		var ae authError
		if errors.As(err, &ae) {
			return Item{Name: name, Status: Fail, Detail: "cannot list the tags: " + err.Error(), Duration: time.Since(start)}, false, ae
		}
		return Item{Name: name, Status: Fail, Detail: "cannot list the tags: " + err.Error(), Duration: time.Since(start)}, false, nil
	}
	have := map[string]bool{}
	for _, t := range tl.Tags {
		have[t] = true
	}
	var want, found []string
	for _, o := range oses {
		t := v.String() + "-" + o.Name
		want = append(want, t)
		if have[t] {
			found = append(found, t)
		}
	}
	it = Item{Name: name, Status: Pass, Duration: time.Since(start)}
	switch {
	case len(found) > 0:
		it.Status = Fail
		it.Detail = fmt.Sprintf("%s already has %s: this version is out; release a new version instead of overwriting", tl.Repo, strings.Join(found, ", "))
	case !tl.Exists:
		it.Detail = tl.Repo + " does not exist yet: nothing published"
	default:
		it.Detail = fmt.Sprintf("%s has %d tags, none of %s", tl.Repo, len(tl.Tags), strings.Join(want, ", "))
	}
	return it, tl.LoggedIn, nil
}

// engineChecks adds the artifact items and, for every OS, build, structure, size and e2e items; it
// returns what each OS found, for the container logs of a failed e2e.
func engineChecks(ctx context.Context, env *Env, o releaseOptions, cl *Checklist) []osCheck {
	v := o.build.v
	perOS := []string{"builds", "structure checks", "compressed size < " + FormatSize(o.budget), "e2e (registry push/pull, healthcheck, plugins)"}
	if o.exportDir != "" {
		perOS = append(perOS, "exported")
	}
	skipRest := func(why string) {
		for _, os := range o.oses {
			for _, n := range perOS {
				cl.skip(os.Name+": "+n, "not run: "+why)
			}
		}
	}
	if o.exportDir != "" {
		// first of all: a failing OS must not leave an older tarball behind
		if err := clearExports(o.exportDir, strings.Split(osNames(o.oses), ", ")); err != nil {
			o.exportErr = fmt.Errorf("cannot prepare --export-dir %s: %v", o.exportDir, err)
		}
	}
	c, err := env.Connect(ctx)
	if err != nil {
		cl.fail("artifact reachable", err.Error())
		cl.skip("artifact checksum", "not run: no engine")
		skipRest("no engine")
		return nil
	}
	artifact, ok := checkArtifact(ctx, c, v, o.build.artifact, cl)
	if !ok {
		skipRest("the artifact is unusable")
		return nil
	}

	results := make([]osCheck, len(o.oses))
	sem := make(chan struct{}, o.parallel)
	var wg sync.WaitGroup
	for i, osEntry := range o.oses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = checkOS(ctx, env.Rep, c, osEntry, o, artifact, perOS)
		}()
	}
	wg.Wait()
	for _, r := range results {
		cl.Items = append(cl.Items, r.items...)
		if len(r.steps) > 0 {
			cl.Details = append(cl.Details, fmt.Sprintf("<details><summary>e2e steps: %s</summary>\n\n%s\n</details>", r.os, report.StepsMarkdown(r.steps)))
		}
	}
	return results
}

// checkArtifact adds "artifact reachable" and "artifact checksum"; ok is false when the builds
// would be pointless (unreachable, or not the file the checksum names).
func checkArtifact(ctx context.Context, c *dagger.Client, v release.Version, a artifactSpec, cl *Checklist) (*dagger.File, bool) {
	start := time.Now()
	var f *dagger.File
	var got string
	if a.path != "" {
		st, err := os.Stat(a.path)
		if err != nil {
			cl.fail("artifact reachable", err.Error())
			cl.skip("artifact checksum", "not run: no artifact")
			return nil, false
		}
		if a.checksum != "" {
			if got, err = fileSHA256(a.path); err != nil {
				cl.fail("artifact reachable", err.Error())
				cl.skip("artifact checksum", "not run: no artifact")
				return nil, false
			}
		}
		f = c.Host().File(a.path)
		cl.add("artifact reachable", Pass, fmt.Sprintf("local file %s (%s)", a.path, FormatSize(st.Size())), time.Since(start))
	} else {
		var err error
		if f, err = pipeline.Download(ctx, c, v, a.url, ""); err != nil {
			cl.add("artifact reachable", Fail, err.Error(), time.Since(start))
			cl.skip("artifact checksum", "not run: no artifact")
			return nil, false
		}
		size, _ := f.Size(ctx)
		cl.add("artifact reachable", Pass, fmt.Sprintf("downloaded %s (%s)", a.url, FormatSize(int64(size))), time.Since(start))
		if a.checksum != "" {
			// the download is cached: this only hashes it (pipeline.Download's sha256sum of the bytes)
			if _, err := pipeline.Download(ctx, c, v, a.url, a.checksum); err != nil {
				cl.fail("artifact checksum", report.FirstLine(err.Error()))
				return nil, false
			}
			got = a.checksum
		}
	}
	switch {
	case a.checksum == "":
		cl.skip("artifact checksum", "not verified: no checksum (pass --checksum sha256:…)")
	case got != a.checksum:
		cl.fail("artifact checksum", fmt.Sprintf("mismatch: expected %s, got %s", a.checksum, got))
		return nil, false
	default:
		cl.pass("artifact checksum", "verified "+got)
	}
	return f, true
}

// osCheck is what the checks of one OS found.
type osCheck struct {
	os    string
	items []Item
	steps []report.Step
	logs  string
	// exported is the path of the tarball written for this OS, "" when none was.
	exported string
}

// checkOS runs the items of one OS. Every platform of --platforms (or the engine's) is built,
// smoke-checked, structure-checked and measured; the e2e runs on the engine's platform, from the
// same build definition, which the engine evaluates once: the e2e pushes and runs the very image
// checked here. With --export-dir, an OS whose items all passed is exported (exportImage).
func checkOS(ctx context.Context, rep Reporter, c *dagger.Client, o catalog.OS, opts releaseOptions, artifact *dagger.File, names []string) osCheck {
	v := opts.build.v
	r := osCheck{os: o.Name}
	add := func(i int, s Status, d time.Duration, detail string, args ...any) {
		r.items = append(r.items, Item{Name: o.Name + ": " + names[i], Status: s, Detail: fmt.Sprintf(detail, args...), Duration: d})
	}
	skipFrom := func(i int, why string) {
		for ; i < len(names); i++ {
			add(i, Skip, 0, "not run: %s", why)
		}
	}
	platforms := opts.platforms
	multi := len(platforms) > 0
	if !multi {
		platforms = []release.Platform{{}} // the engine's
	}
	// on names the platform in a detail when --platforms was given
	on := func(p release.Platform) string {
		if !multi {
			return ""
		}
		return p.String() + ": "
	}

	rep.Printf("%s: building", o.Name)
	start := time.Now()
	variants := make([]*dagger.Container, 0, len(platforms))
	for _, p := range platforms {
		img, err := pipeline.Build(ctx, c, pipeline.Options{OS: o, Version: v, Artifact: artifact, Platform: p, Java: opts.build.java, Mirror: opts.build.mirror(o)})
		if err == nil {
			err = pipeline.Smoke(ctx, img, v)
		}
		if err != nil {
			add(0, Fail, time.Since(start), "%s%s", on(p), err.Error())
			skipFrom(1, "the image did not build")
			return r
		}
		variants = append(variants, img)
	}
	if multi {
		add(0, Pass, time.Since(start), "built for %s; `fit version` prints Version: %s on each", platformList(platforms), v)
	} else {
		add(0, Pass, time.Since(start), "built; `fit version` prints Version: %s", v)
	}

	rep.Printf("%s: structure checks", o.Name)
	start = time.Now()
	var problems []string
	count := 0
	for i, img := range variants {
		checks, err := pipeline.Check(ctx, img, v)
		count = len(checks)
		if err != nil {
			problems = append(problems, on(platforms[i])+report.FirstLine(err.Error()))
			continue
		}
		if failed := checks.Failed(); len(failed) > 0 {
			var list []string
			for _, f := range failed {
				list = append(list, f.Name+" ("+f.Detail+")")
			}
			problems = append(problems, fmt.Sprintf("%s%d of %d failed: %s", on(platforms[i]), len(failed), len(checks), strings.Join(list, "; ")))
		}
	}
	switch {
	case len(problems) > 0:
		add(1, Fail, time.Since(start), "%s", strings.Join(problems, "; "))
	case multi:
		add(1, Pass, time.Since(start), "all %d checks passed on each of %s (user, workdir, ports, env, labels, healthcheck, files, runtimes)", count, platformList(platforms))
	default:
		add(1, Pass, time.Since(start), "all %d checks passed (user, workdir, ports, env, labels, healthcheck, files, runtimes)", count)
	}

	rep.Printf("%s: measuring", o.Name)
	start = time.Now()
	var sizes, over []string
	var sizeErr error
	for i, img := range variants {
		size, err := pipeline.CompressedSize(ctx, img)
		if err != nil {
			sizeErr = fmt.Errorf("%s%s", on(platforms[i]), report.FirstLine(err.Error()))
			break
		}
		sizes = append(sizes, on(platforms[i])+FormatSize(size))
		if size >= opts.budget {
			over = append(over, on(platforms[i])+FormatSize(size))
		}
	}
	switch {
	case sizeErr != nil:
		add(2, Fail, time.Since(start), "%s", sizeErr.Error())
	case len(over) > 0:
		add(2, Fail, time.Since(start), "%s compressed, over the budget of %s", strings.Join(over, ", "), FormatSize(opts.budget))
	default:
		add(2, Pass, time.Since(start), "%s compressed (budget %s)", strings.Join(sizes, ", "), FormatSize(opts.budget))
	}

	// the e2e builds for the engine's platform: with --platforms, say which one that is
	e2ePlatform, e2eCovered := "", true
	if multi {
		if p, err := c.DefaultPlatform(ctx); err == nil {
			e2ePlatform = string(p)
			e2eCovered = false
			if ep, err := release.ParsePlatform(e2ePlatform); err == nil {
				for _, q := range platforms {
					e2eCovered = e2eCovered || samePlatform(ep, q)
				}
			}
		}
	}
	rep.Printf("%s: e2e", o.Name)
	start = time.Now()
	steps, err := e2e.Run(ctx, c, e2e.Options{OS: o, Version: v, Artifact: artifact, Java: opts.build.java, Mirror: opts.build.mirror(o), Timeout: opts.timeout})
	r.steps = steps
	var failure *e2e.Failure
	switch {
	case errors.As(err, &failure):
		add(3, Fail, time.Since(start), "step %q: expected %s, saw %s", failure.Step, failure.Expected, failure.Seen)
		r.logs = strings.TrimSpace(failure.Logs)
	case err != nil:
		add(3, Fail, time.Since(start), "%s", report.FirstLine(err.Error()))
	case e2ePlatform != "":
		add(3, Pass, time.Since(start), "%d steps passed on %s (the engine's platform)", len(steps), e2ePlatform)
	default:
		add(3, Pass, time.Since(start), "%d steps passed", len(steps))
	}

	if opts.exportDir == "" {
		return r
	}
	for _, it := range r.items {
		if it.Status == Fail {
			add(4, Skip, 0, "not exported: an item of %s failed", o.Name)
			return r
		}
	}
	switch {
	case opts.exportErr != nil:
		add(4, Fail, 0, "%s", opts.exportErr.Error())
		return r
	case !e2eCovered:
		add(4, Fail, 0, "not exported: the e2e ran on the engine's platform %s, which --platforms (%s) leaves out, so no exported image went through it; add %s",
			e2ePlatform, platformList(platforms), e2ePlatform)
		return r
	}
	rep.Printf("%s: exporting", o.Name)
	start = time.Now()
	e, err := exportImage(ctx, c, opts.exportDir, o.Name, v, variants)
	if err != nil {
		add(4, Fail, time.Since(start), "%s", report.FirstLine(err.Error()))
		return r
	}
	tarball, _ := exportPaths(opts.exportDir, o.Name)
	r.exported = tarball
	add(4, Pass, time.Since(start), "%s (%s, %s, %s) and %s", tarball, FormatSize(e.Size), strings.Join(e.Platforms, ", "), e.SHA256, e.OS+".json")
	return r
}

func platformList(ps []release.Platform) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// checkReadmeFile is the "README version references updated" item.
func checkReadmeFile(path string, explicit bool, v release.Version) Item {
	const name = "README version references"
	b, err := os.ReadFile(path)
	switch {
	case err != nil && errors.Is(err, os.ErrNotExist) && !explicit:
		return Item{Name: name, Status: Skip, Detail: "no " + path + " here: nothing to check (pass --readme PATH)"}
	case err != nil:
		return Item{Name: name, Status: Fail, Detail: err.Error()}
	}
	ok, detail := CheckReadme(path, string(b), v, catalog.Names())
	s := Pass
	if !ok {
		s = Fail
	}
	return Item{Name: name, Status: s, Detail: detail}
}
