// Package e2e runs the seed's test-e2e.sh flow inside the engine: a throwaway registry, a push
// and a pull through it, the pulled image running as a service, and assertions on what it serves.
// Nothing touches the host: no ports, no Docker, nothing left behind.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// Options is one e2e run.
type Options struct {
	OS       catalog.OS
	Version  release.Version
	Artifact *dagger.File
	Java     catalog.Java
	Mirror   string
	// Platform of the image; zero means the engine's own. Another one runs emulated (QEMU): slower.
	Platform release.Platform
	Timeout  time.Duration // readiness bound; default 120s, or EmulatedTimeout on another platform
	// Image, when set, is the image under test (a staged image pulled by digest): nothing is built,
	// so what passes is exactly what a release promotes. ImageRef names it in the report.
	Image    *dagger.Container
	ImageRef string
}

// Default readiness bounds: FIT starts in seconds natively, many times slower under emulation.
const (
	NativeTimeout   = 120 * time.Second
	EmulatedTimeout = 600 * time.Second
)

// Failure is an e2e failure with its evidence.
type Failure struct {
	Step, Expected, Seen string
	Logs                 string // last lines of the container's console
}

func (f *Failure) Error() string {
	msg := fmt.Sprintf("e2e step %q failed: expected %s, saw %s", f.Step, f.Expected, f.Seen)
	if strings.TrimSpace(f.Logs) != "" {
		msg += "\n--- last log lines of the FIT container ---\n" + f.Logs
	}
	return msg
}

// run keeps the state of one e2e run.
type run struct {
	c      *dagger.Client
	o      Options
	nonce  string // busts the engine's cache: every run really runs
	steps  []report.Step
	client *dagger.Container
	logs   *dagger.CacheVolume
	// how long a dropped-in plugin may take to be listed (FIT scans every second)
	dynamicBound time.Duration
}

// Run executes the flow and returns its steps; the error (a *Failure where an assertion failed)
// names the failing step. Steps run so far are returned either way.
func Run(ctx context.Context, c *dagger.Client, o Options) ([]report.Step, error) {
	emulated := false
	if o.Platform != (release.Platform{}) {
		engine, err := c.DefaultPlatform(ctx)
		if err != nil {
			return nil, err
		}
		emulated = string(engine) != o.Platform.String()
	}
	r := &run{c: c, o: o, nonce: strconv.FormatInt(time.Now().UnixNano(), 36), dynamicBound: 60 * time.Second}
	if emulated {
		r.dynamicBound = 5 * time.Minute
	}
	if r.o.Timeout <= 0 {
		r.o.Timeout = NativeTimeout
		if emulated {
			r.o.Timeout = EmulatedTimeout
		}
	}
	r.logs = c.CacheVolume("fit-e2e-" + r.nonce)
	err := r.flow(ctx)
	return r.steps, err
}

// step times fn and records it; fn's error ends the flow.
func (r *run) step(name string, fn func() (string, error)) error {
	start := time.Now()
	detail, err := fn()
	s := report.Step{Name: name, OK: err == nil, Duration: time.Since(start), Detail: detail}
	if err != nil {
		var ee *dagger.ExecError
		if f, ok := err.(*Failure); ok && f.Step == "" {
			f.Step = name
		} else if !ok && errors.As(err, &ee) {
			// a command of the step failed: its stderr tail says why, the engine's message does not
			err = fmt.Errorf("%s: %w", name, pipeline.EngineError(err))
		}
		s.Detail = report.FirstLine(err.Error())
	}
	r.steps = append(r.steps, s)
	return err
}

func (r *run) flow(ctx context.Context) error {
	o := r.o
	osName, v := o.OS.Name, o.Version
	tags := []string{osName, v.String() + "-" + osName}
	var reg *dagger.Service
	if err := r.step("start registry", func() (string, error) {
		var err error
		reg, err = registry.Service(r.c, r.nonce).Start(ctx)
		if err != nil {
			return "", err
		}
		r.client = clientContainer(r.c).WithServiceBinding("registry", reg).WithEnvVariable("E2E_RUN", r.nonce)
		return "registry:2 as a service", nil
	}); err != nil {
		return err
	}
	defer reg.Stop(context.WithoutCancel(ctx)) //nolint:errcheck // best effort: the session ends it anyway

	var img *dagger.Container
	var shipped map[string]string // plugin jar → the name its FIT-INF/plugin.xml gives
	if err := r.step("build", func() (string, error) {
		var err error
		if img = o.Image; img == nil {
			if img, err = pipeline.Build(ctx, r.c, pipeline.Options{OS: o.OS, Version: v, Artifact: o.Artifact, Java: o.Java, Mirror: o.Mirror, Platform: o.Platform}); err != nil {
				return "", err
			}
		}
		// read by the client: the image needs no unzip for it
		out, err := r.client.WithMountedDirectory("/plugins", img.Directory(pipeline.FitJavaDir+"/plugins")).WithWorkdir("/plugins").
			WithExec([]string{"bash", "-c", `for j in *.jar; do [ -e "$j" ] || continue; printf '%s\t' "$j"; unzip -p "$j" FIT-INF/plugin.xml 2>&1 | tr -d '\n\r'; echo; done`}).
			Stdout(ctx)
		if err != nil {
			return "", err
		}
		if shipped, err = ShippedPlugins(out); err != nil {
			return "", err
		}
		if o.ImageRef != "" {
			return fmt.Sprintf("not built: testing %s; %d plugin jars shipped", o.ImageRef, len(shipped)), nil
		}
		return fmt.Sprintf("%d plugin jars shipped", len(shipped)), nil
	}); err != nil {
		return err
	}

	if err := r.step("push", func() (string, error) { return r.push(ctx, img, tags) }); err != nil {
		return err
	}
	var pulled *dagger.Container
	if err := r.step("pull", func() (string, error) {
		archive := r.client.
			WithExec([]string{"skopeo", "copy", "-q", "--src-tls-verify=false", "docker://registry:5000/" + release.ImageName + ":" + tags[1], "oci-archive:/pulled.tar"}).
			File("/pulled.tar")
		var plat dagger.ContainerOpts
		if o.Platform != (release.Platform{}) {
			plat.Platform = dagger.Platform(o.Platform.String())
		}
		pulled = r.c.Container(plat).Import(archive)
		got, err := pulled.EnvVariable(ctx, "FIT_VERSION")
		if err != nil {
			return "", err
		}
		if got != v.String() {
			return "", &Failure{Expected: "the pulled image to carry FIT_VERSION=" + v.String(), Seen: strconv.Quote(got)}
		}
		return "pulled " + tags[1] + " back from the registry", nil
	}); err != nil {
		return err
	}

	served, err := r.running(ctx, pulled, shipped)
	if err != nil {
		return err
	}
	other, err := r.confCases(ctx, pulled)
	if err != nil {
		return err
	}
	if err := r.step("unique worker ids", func() (string, error) {
		if served == other {
			return "", &Failure{Expected: "two containers of one image to get different default worker ids", Seen: "both " + served}
		}
		return "two containers: " + served + " and " + other, nil
	}); err != nil {
		return err
	}
	if err := r.step("help", func() (string, error) {
		out, code, err := execIn(ctx, pulled, []string{"help"}, true)
		if err != nil {
			return "", err
		}
		if code != 0 || !strings.Contains(out, "FIT_HTTP_PORT") {
			return "", &Failure{Expected: "`help` to print the usage and exit 0", Seen: fmt.Sprintf("exit %d: %s", code, clip(out))}
		}
		return "usage printed, exit 0", nil
	}); err != nil {
		return err
	}
	return r.step("pass-through command", func() (string, error) {
		out, code, err := execIn(ctx, pulled, []string{"bash", "-c", "id -u"}, true)
		if err != nil {
			return "", err
		}
		if code != 0 || strings.TrimSpace(out) != strconv.Itoa(pipeline.FitUID) {
			return "", &Failure{Expected: fmt.Sprintf("`bash -c 'id -u'` to print %d", pipeline.FitUID), Seen: fmt.Sprintf("exit %d: %s", code, clip(out))}
		}
		return "bash -c 'id -u' → " + strings.TrimSpace(out), nil
	})
}

// pushScript copies /image.tar into the registry under every tag given as an argument, then reads
// the registry's catalog and the image's tags.
const pushScript = `set -e
for t in "$@"; do
  skopeo copy -q --dest-tls-verify=false oci-archive:/image.tar "docker://registry:5000/$IMAGE:$t"
done
echo "catalog=$(curl -fsS http://registry:5000/v2/_catalog)"
echo "tags=$(curl -fsS "http://registry:5000/v2/$IMAGE/tags/list")"`

// push copies the image into the registry under every tag, then reads the registry's catalog.
func (r *run) push(ctx context.Context, img *dagger.Container, tags []string) (string, error) {
	out, err := r.client.WithMountedFile("/image.tar", img.AsTarball(dagger.ContainerAsTarballOpts{ForcedCompression: dagger.ImageLayerCompressionGzip})).
		WithEnvVariable("IMAGE", release.ImageName).
		WithExec(append([]string{"bash", "-c", pushScript, "push"}, tags...)).Stdout(ctx)
	if err != nil {
		return "", err
	}
	facts := keyValues(out)
	var catalog struct{ Repositories []string }
	var tagList struct{ Tags []string }
	if err := json.Unmarshal([]byte(facts["catalog"]), &catalog); err != nil || !contains(catalog.Repositories, release.ImageName) {
		return "", &Failure{Expected: "the registry catalog to list " + release.ImageName, Seen: facts["catalog"]}
	}
	if err := json.Unmarshal([]byte(facts["tags"]), &tagList); err != nil {
		return "", &Failure{Expected: "a JSON tag list", Seen: facts["tags"]}
	}
	for _, t := range tags {
		if !contains(tagList.Tags, t) {
			return "", &Failure{Expected: "tag " + t + " in the registry", Seen: facts["tags"]}
		}
	}
	return "pushed " + strings.Join(tags, ", ") + "; catalog lists them", nil
}

func keyValues(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func execIn(ctx context.Context, img *dagger.Container, args []string, entrypoint bool) (string, int, error) {
	ctr := img.WithExec(args, dagger.ContainerWithExecOpts{UseEntrypoint: entrypoint, Expect: dagger.ReturnTypeAny})
	out, err := ctr.CombinedOutput(ctx)
	if err != nil {
		return "", 0, err
	}
	code, err := ctr.ExitCode(ctx)
	return out, code, err
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return strconv.Quote(s)
}
