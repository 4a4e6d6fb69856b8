// Package releasecheck runs the seed guide's release checklist (发布检查清单) in the engine and
// answers it as a checklist.Report. Every rule it applies lives in a pure package (versions and
// tags in release, sizes in size, README references in readme, the report in checklist); this
// package only runs the builds, checks, e2e and the staging push, and records what they found.
//
//	确认版本号正确            version well-formed; with a registry: not published there yet
//	Release 已在 GitHub 上发布  artifact reachable (and checksum-verified)
//	本地构建测试通过          every selected OS builds and passes the structure checks
//	镜像大小合理 (< 1.5GB)    compressed size under the budget
//	健康检查功能正常 / 本地 registry 推送流程   e2e: push/pull through a throwaway registry, healthcheck, plugins
//	生产仓库的登录凭证        with a login: present, and accepted by the registry
//	README 中的版本号引用     every version reference in the README names the version
//
// With Attest (release-check --sign), each staged image is also signed, with its SBOM and
// provenance attached (issue #21), before its e2e.
package releasecheck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/e2e"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/readme"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/size"
)

// DefaultBudget is the seed checklist's "image size reasonable (< 1.5GB)".
const DefaultBudget = "1.5GB"

// Artifact is the release zip and the items that vouch for it ("artifact reachable", "artifact
// checksum"); File is nil when the builds would be pointless.
type Artifact struct {
	File  *dagger.File
	Items []checklist.Item
}

// Readme is the README whose version references are checked.
type Readme struct{ Name, Content string }

// Options is one release check; everything in it is validated already.
type Options struct {
	Version   release.Version
	OSes      []catalog.OS
	Platforms []release.Platform // empty: the engine's
	Java      catalog.Java
	Mirrors   map[catalog.PackageManager]string
	Budget    int64
	Timeout   time.Duration // e2e readiness bound; 0: e2e's default
	Parallel  int
	// Registry is where the release goes; ListTags lists its tags (nil: not checked).
	Registry release.Registry
	ListTags func(context.Context) ([]string, error)
	Username string // the login used for ListTags, "" for none
	Artifact func(context.Context) Artifact
	Readme   *Readme // nil: not checked
	// Staging, when set, receives every OS image that passed its checks, by digest; the e2e then
	// runs that staged digest and promote copies it: what is released is what was tested.
	Staging     release.Registry
	StagingAuth *pipeline.Auth
	// Revision and Created label the images (org.opencontainers.image.revision/.created).
	Revision, Created string
	// Attest, when set, signs every staged image and attaches its SBOM and provenance, right after
	// staging (item "signed"); it answers the item's detail.
	Attest func(context.Context, Staged) (string, error)
}

// Staged is one OS's image as staged: its digest reference and the variants pushed under it.
type Staged struct {
	OS       catalog.OS
	Ref      string // REPO@sha256:HEX
	Variants []*dagger.Container
}

// Run answers the checklist; it never stops at the first failed item.
func Run(ctx context.Context, c *dagger.Client, o Options) checklist.Report {
	v := o.Version
	r := checklist.Report{Title: "Release checklist: FIT " + v.String(), Version: v.String()}
	r.Pass("version well-formed", describeVersion(v, o.OSes))
	registryItems(ctx, &r, o)
	engineItems(ctx, c, &r, o)
	r.Items = append(r.Items, readmeItem(o.Readme, v))
	return r
}

func describeVersion(v release.Version, oses []catalog.OS) string {
	kind := "final release"
	if v.IsPrerelease() {
		kind = "pre-release: only the exact tag is pushed, no floating tag moves"
	}
	var tags []string
	if len(oses) > 0 {
		for _, t := range release.Tags(v, oses[0].Name) {
			tags = append(tags, strings.TrimSuffix(t, oses[0].Name)+"OS")
		}
	}
	return fmt.Sprintf("%s (%s); tags %s", v, kind, strings.Join(tags, ", "))
}

// registryItems are "not yet published" and "registry credentials ready".
func registryItems(ctx context.Context, r *checklist.Report, o Options) {
	const pub, cred = "not yet published", "registry credentials ready"
	if o.ListTags == nil {
		r.Skip(pub, "not checked: no --registry given")
		if o.Username != "" {
			r.Skip(cred, "not checked: no --registry to log in to")
		} else {
			r.Skip(cred, "not checked: no --username/--password given (publishing will need them)")
		}
		return
	}
	start := time.Now()
	tags, err := o.ListTags(ctx)
	repo := strings.TrimSuffix(o.Registry.Ref(""), ":")
	if err != nil {
		r.Add(pub, checklist.Failed, err.Error(), time.Since(start))
		if o.Username != "" && looksUnauthorized(err) {
			r.Fail(cred, fmt.Sprintf("user %s rejected by %s: %s", o.Username, o.Registry.Host(), report.FirstLine(err.Error())))
		} else if o.Username != "" {
			r.Skip(cred, "not proven: the tags could not be listed")
		} else {
			r.Skip(cred, "not checked: no --username/--password given (publishing will need them)")
		}
		return
	}
	have := map[string]bool{}
	for _, t := range tags {
		have[t] = true
	}
	var want, found []string
	for _, os := range o.OSes {
		t := release.Tags(o.Version, os.Name)[0]
		want = append(want, t)
		if have[t] {
			found = append(found, t)
		}
	}
	switch {
	case len(found) > 0:
		r.Add(pub, checklist.Failed, fmt.Sprintf("%s already has %s: this version is out; release a new version instead of overwriting", repo, strings.Join(found, ", ")), time.Since(start))
	case len(tags) == 0:
		r.Add(pub, checklist.Passed, repo+" has no tags yet: nothing published", time.Since(start))
	default:
		r.Add(pub, checklist.Passed, fmt.Sprintf("%s has %d tags, none of %s", repo, len(tags), strings.Join(want, ", ")), time.Since(start))
	}
	if o.Username == "" {
		r.Skip(cred, "not checked: no --username/--password given (publishing will need them)")
	} else {
		r.Pass(cred, fmt.Sprintf("user %s, password given as a secret; the tags of %s were listed with it", o.Username, o.Registry.Host()))
	}
}

func looksUnauthorized(err error) bool {
	low := strings.ToLower(err.Error())
	return strings.Contains(low, "401") || strings.Contains(low, "unauthorized") || strings.Contains(low, "denied")
}

// perOS are the item names of every OS, in order.
func perOS(o Options) []string {
	names := []string{"builds", "structure checks", "compressed size < " + size.Format(o.Budget)}
	if o.Staging != "" {
		names = append(names, "staged")
		if o.Attest != nil {
			names = append(names, "signed (signature, SBOM, provenance)")
		}
	}
	return append(names, "e2e (registry push/pull, healthcheck, plugins)")
}

// engineItems adds the artifact items and, for every OS, its build, structure, size, staging
// and e2e items.
func engineItems(ctx context.Context, c *dagger.Client, r *checklist.Report, o Options) {
	a := o.Artifact(ctx)
	r.Items = append(r.Items, a.Items...)
	if a.File == nil {
		for _, os := range o.OSes {
			for _, n := range perOS(o) {
				r.Skip(os.Name+": "+n, "not run: the artifact is unusable")
			}
		}
		return
	}
	results := make([]osResult, len(o.OSes))
	pipeline.ForEach(len(o.OSes), o.Parallel, func(i int) { results[i] = checkOS(ctx, c, o.OSes[i], o, a.File) })
	for _, res := range results {
		r.Items = append(r.Items, res.items...)
		if res.staged != "" {
			if r.Staged == nil {
				r.Staged = map[string]string{}
			}
			r.Staged[res.os] = res.staged
		}
		if len(res.steps) > 0 {
			r.Details = append(r.Details, fmt.Sprintf("<details><summary>e2e steps: %s</summary>\n\n%s\n</details>", res.os, report.StepsMarkdown(res.steps)))
		}
		if res.logs != "" {
			r.Details = append(r.Details, fmt.Sprintf("<details><summary>container logs: %s</summary>\n\n```\n%s\n```\n</details>", res.os, res.logs))
		}
	}
	// an OS whose e2e failed keeps its staged image (it is only a staging reference), but it is
	// not offered for promotion
	for os := range r.Staged {
		for _, it := range r.Items {
			if strings.HasPrefix(it.Name, os+": ") && it.Status == checklist.Failed {
				delete(r.Staged, os)
			}
		}
	}
}

// osResult is what the checks of one OS found.
type osResult struct {
	os     string
	items  []checklist.Item
	steps  []report.Step
	logs   string
	staged string // REPO@sha256:… when staged
}

// checkOS runs the items of one OS. Every platform (or the engine's) is built, smoke-checked,
// structure-checked and measured. With staging, the variants are pushed once as one image and
// the e2e pulls that digest back and runs it; without, the e2e builds from the same definition.
func checkOS(ctx context.Context, c *dagger.Client, osEntry catalog.OS, o Options, artifact *dagger.File) osResult {
	v := o.Version
	names := perOS(o)
	res := osResult{os: osEntry.Name}
	next := 0
	add := func(s checklist.Status, start time.Time, format string, args ...any) {
		d := time.Duration(0)
		if !start.IsZero() {
			d = time.Since(start)
		}
		res.items = append(res.items, checklist.Item{Name: osEntry.Name + ": " + names[next], Status: s, Detail: fmt.Sprintf(format, args...), Duration: d})
		next++
	}
	skipRest := func(why string) osResult {
		for next < len(names) {
			add(checklist.Skipped, time.Time{}, "not run: %s", why)
		}
		return res
	}
	platforms, multi := o.Platforms, len(o.Platforms) > 0
	if !multi {
		platforms = []release.Platform{{}}
	}
	on := func(p release.Platform) string {
		if !multi {
			return ""
		}
		return p.String() + ": "
	}
	mirror := o.Mirrors[osEntry.Manager]

	start := time.Now()
	variants := make([]*dagger.Container, 0, len(platforms))
	for _, p := range platforms {
		img, err := pipeline.Build(ctx, c, pipeline.Options{OS: osEntry, Version: v, Artifact: artifact, Platform: p, Java: o.Java, Mirror: mirror, Revision: o.Revision, Created: o.Created})
		if err == nil {
			err = pipeline.Smoke(ctx, img, v)
		}
		if err != nil {
			add(checklist.Failed, start, "%s%s", on(p), err.Error())
			return skipRest("the image did not build")
		}
		variants = append(variants, img)
	}
	if multi {
		add(checklist.Passed, start, "built for %s; `fit version` prints Version: %s on each", platformList(platforms), v)
	} else {
		add(checklist.Passed, start, "built; `fit version` prints Version: %s", v)
	}

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
	if len(problems) > 0 {
		add(checklist.Failed, start, "%s", strings.Join(problems, "; "))
	} else {
		add(checklist.Passed, start, "all %d checks passed%s (user, workdir, ports, env, labels, healthcheck, files, runtimes)", count, map[bool]string{true: " on each of " + platformList(platforms)}[multi])
	}

	start = time.Now()
	var sizes, over []string
	var sizeErr error
	for i, img := range variants {
		n, err := pipeline.CompressedSize(ctx, img)
		if err != nil {
			sizeErr = fmt.Errorf("%s%s", on(platforms[i]), report.FirstLine(err.Error()))
			break
		}
		sizes = append(sizes, on(platforms[i])+size.Format(n))
		if n >= o.Budget {
			over = append(over, on(platforms[i])+size.Format(n))
		}
	}
	switch {
	case sizeErr != nil:
		add(checklist.Failed, start, "%s", sizeErr.Error())
	case len(over) > 0:
		add(checklist.Failed, start, "%s compressed, over the budget of %s", strings.Join(over, ", "), size.Format(o.Budget))
	default:
		add(checklist.Passed, start, "%s compressed (budget %s)", strings.Join(sizes, ", "), size.Format(o.Budget))
	}

	eo := e2e.Options{OS: osEntry, Version: v, Artifact: artifact, Java: o.Java, Mirror: mirror, Timeout: o.Timeout}
	if o.Staging != "" {
		for _, it := range res.items {
			if it.Status == checklist.Failed {
				return skipRest("an item of " + osEntry.Name + " failed: nothing staged")
			}
		}
		start = time.Now()
		staged, img, err := stage(ctx, c, o, osEntry, variants, platforms, multi)
		if err != nil {
			add(checklist.Failed, start, "%s", err.Error())
			return skipRest("nothing staged")
		}
		add(checklist.Passed, start, "%s (%s)", staged, platformList(platforms))
		res.staged = staged
		eo.Image, eo.ImageRef = img, staged
		if o.Attest != nil {
			start = time.Now()
			detail, err := o.Attest(ctx, Staged{OS: osEntry, Ref: staged, Variants: variants})
			if err != nil {
				add(checklist.Failed, start, "%s", report.FirstLine(err.Error()))
			} else {
				add(checklist.Passed, start, "%s", detail)
			}
		}
	}

	start = time.Now()
	steps, err := e2e.Run(ctx, c, eo)
	res.steps = steps
	var failure *e2e.Failure
	switch {
	case errors.As(err, &failure):
		add(checklist.Failed, start, "step %q: expected %s, saw %s", failure.Step, failure.Expected, failure.Seen)
		res.logs = strings.TrimSpace(failure.Logs)
	case err != nil:
		add(checklist.Failed, start, "%s", report.FirstLine(err.Error()))
	case eo.ImageRef != "":
		add(checklist.Passed, start, "%d steps passed on %s", len(steps), eo.ImageRef)
	default:
		add(checklist.Passed, start, "%d steps passed (built from the same definition; not staged)", len(steps))
	}
	return res
}

// stage pushes the variants as one image to {staging}fit-framework:{V}-{OS} and pulls that
// digest back for the e2e, on the engine's platform, which the variants must include.
func stage(ctx context.Context, c *dagger.Client, o Options, osEntry catalog.OS, variants []*dagger.Container, platforms []release.Platform, multi bool) (string, *dagger.Container, error) {
	if multi {
		engine, err := c.DefaultPlatform(ctx)
		if err != nil {
			return "", nil, err
		}
		ep, err := release.ParsePlatform(string(engine))
		if err != nil {
			return "", nil, err
		}
		covered := false
		for _, p := range platforms {
			covered = covered || (p.OS == ep.OS && p.Arch == ep.Arch && (p.Variant == "" || ep.Variant == "" || p.Variant == ep.Variant))
		}
		if !covered {
			return "", nil, fmt.Errorf("the e2e runs on the engine's platform %s, which --platforms (%s) leaves out, so no staged image could be tested; add %s", engine, platformList(platforms), engine)
		}
	}
	ref := o.Staging.Ref(release.Tags(o.Version, osEntry.Name)[0])
	pushed, err := pipeline.Publish(ctx, c, variants, o.Staging, []string{ref}, o.StagingAuth)
	if err != nil {
		return "", nil, err
	}
	_, digest, ok := strings.Cut(pushed[0], "@")
	if !ok {
		return "", nil, fmt.Errorf("the engine pushed %s but answered no digest (%q)", ref, pushed[0])
	}
	byDigest := strings.TrimSuffix(o.Staging.Ref(""), ":") + "@" + digest
	puller := c.Container()
	if a := o.StagingAuth; a != nil {
		puller = puller.WithRegistryAuth(o.Staging.Host(), a.Username, a.Password)
	}
	return byDigest, puller.From(byDigest), nil
}

func platformList(ps []release.Platform) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
		if p == (release.Platform{}) {
			s[i] = "the engine's platform"
		}
	}
	return strings.Join(s, ", ")
}

// readmeItem is "README version references".
func readmeItem(rd *Readme, v release.Version) checklist.Item {
	const name = "README version references"
	if rd == nil {
		return checklist.Item{Name: name, Status: checklist.Skipped, Detail: "not checked: no --readme given (the README documents the pipeline, not one FIT version)"}
	}
	ok, detail := readme.Check(rd.Name, rd.Content, v, catalog.Names())
	s := checklist.Passed
	if !ok {
		s = checklist.Failed
	}
	return checklist.Item{Name: name, Status: s, Detail: detail}
}
