package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
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
	"[--artifact PATH | --url U] [--checksum sha256:…] [--size-budget 1.5GB] [--readme README.md] [--timeout 120s] [--parallel N]"

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
	// http is the client of the registry check; nil means newRegistryClient().
	http *http.Client
}

func parseReleaseCheck(args []string, stdout io.Writer) (releaseOptions, error) {
	var o releaseOptions
	var b buildFlags
	var only, skip, registry, budget, timeout string
	fs := newFlags("release-check", releaseCheckSynopsis, stdout)
	fs.StringVar(&only, "os", "", "only these operating `systems`, comma separated (default: all of "+strings.Join(catalog.Names(), ", ")+")")
	fs.StringVar(&skip, "skip-os", "", "skip these operating `systems`, comma separated")
	fs.StringVar(&registry, "registry", "", "registry `prefix` the release goes to: checks that the version is not published there yet")
	fs.StringVar(&o.username, "username", "", "registry user `name` (checks the login is ready and accepted)")
	fs.StringVar(&o.passwordEnv, "password-env", "", "`NAME` of the environment variable holding the registry password or token")
	fs.StringVar(&budget, "size-budget", defaultSizeBudget, "largest acceptable compressed image `size`, decimal units (1.5GB, 700MB)")
	fs.StringVar(&o.readme, "readme", "README.md", "`README` whose version references (fit-framework:X.Y.Z-OS, --version X.Y.Z) must name the version")
	fs.StringVar(&timeout, "timeout", "120s", "how long FIT may take to become healthy in the e2e (a `duration`)")
	fs.IntVar(&o.parallel, "parallel", 2, "how many OS are checked at once (`N`)")
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
	return o, nil
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
// Every item is reported; any failed item fails the job (exit 1). Outputs: result, version, failed
// (the failed items' names, one per line).
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
		setOutputs(env.Rep, "result", passedOrFailed(cl.OK()), "version", v.String(), "failed", strings.Join(failed, "\n")))
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
	skipRest := func(why string) {
		for _, os := range o.oses {
			for _, n := range perOS {
				cl.skip(os.Name+": "+n, "not run: "+why)
			}
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
				cl.fail("artifact checksum", firstLine(err.Error()))
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
}

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

	rep.Printf("%s: building", o.Name)
	start := time.Now()
	img, err := pipeline.Build(ctx, c, pipeline.Options{OS: o, Version: v, Artifact: artifact, Java: opts.build.java, Mirror: opts.build.mirror(o)})
	if err == nil {
		err = pipeline.Smoke(ctx, img, v)
	}
	if err != nil {
		add(0, Fail, time.Since(start), "%s", err.Error())
		skipFrom(1, "the image did not build")
		return r
	}
	add(0, Pass, time.Since(start), "built; `fit version` prints Version: %s", v)

	rep.Printf("%s: structure checks", o.Name)
	start = time.Now()
	checks, err := pipeline.Check(ctx, img, v)
	switch failed := checks.Failed(); {
	case err != nil:
		add(1, Fail, time.Since(start), "%s", firstLine(err.Error()))
	case len(failed) > 0:
		var list []string
		for _, f := range failed {
			list = append(list, f.Name+" ("+f.Detail+")")
		}
		add(1, Fail, time.Since(start), "%d of %d failed: %s", len(failed), len(checks), strings.Join(list, "; "))
	default:
		add(1, Pass, time.Since(start), "all %d checks passed (user, workdir, ports, env, labels, healthcheck, files, runtimes)", len(checks))
	}

	rep.Printf("%s: measuring", o.Name)
	start = time.Now()
	size, err := pipeline.CompressedSize(ctx, img)
	switch {
	case err != nil:
		add(2, Fail, time.Since(start), "%s", firstLine(err.Error()))
	case size >= opts.budget:
		add(2, Fail, time.Since(start), "%s compressed, over the budget of %s", FormatSize(size), FormatSize(opts.budget))
	default:
		add(2, Pass, time.Since(start), "%s compressed (budget %s)", FormatSize(size), FormatSize(opts.budget))
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
		add(3, Fail, time.Since(start), "%s", firstLine(err.Error()))
	default:
		add(3, Pass, time.Since(start), "%d steps passed", len(steps))
	}
	return r
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
