package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/scripts"
)

// probe runs inside the image as its own user and prints key=value facts for Check.
const probe = `set -u
echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "user=$(id -un)"
[ -d "$JAVA_HOME" ] && echo "java_home_dir=yes" || echo "java_home_dir=no"
for f in "$FIT_JAVA_DIR/bin/fit" "$ENTRYPOINT" "$HEALTHCHECK"; do
  [ -x "$f" ] && echo "exec:$f=yes" || echo "exec:$f=no"
done
[ -f "$LIBRARY" ] && [ -r "$LIBRARY" ] && echo "read:$LIBRARY=yes" || echo "read:$LIBRARY=no"
for d in bin conf lib plugins logs data dynamic-plugins; do
  echo "owner:$d=$(stat -c %u "$FIT_JAVA_DIR/$d" 2>/dev/null || echo missing)"
  echo "group:$d=$(stat -c '%g %a' "$FIT_JAVA_DIR/$d" 2>/dev/null || echo missing)"
  [ -d "$FIT_JAVA_DIR/$d" ] && [ -w "$FIT_JAVA_DIR/$d" ] && [ -x "$FIT_JAVA_DIR/$d" ] && echo "usable:$d=yes" || echo "usable:$d=no"
done
ls "$FIT_JAVA_DIR"/fit-discrete-launcher-*.jar >/dev/null 2>&1 && echo "launcher=yes" || echo "launcher=no"
echo "java=$(java -version 2>&1 | head -n 1)"
echo "node=$(node --version 2>&1 | head -n 1)"
echo "fit=$(fit version 2>&1 | head -n 1)"
echo "tz=$(cat /etc/timezone 2>/dev/null)"
echo "path=$PATH"
echo "machine=$(uname -m)"`

// Check asserts the structure of a FIT image in the spirit of container-structure-test: identity,
// config, files and the runtimes. Every check is reported; the caller fails on any miss.
func Check(ctx context.Context, img *dagger.Container, v release.Version) (report.Checks, error) {
	var cs report.Checks
	add := func(name string, ok bool, detail string, args ...any) {
		cs = append(cs, report.Check{Name: name, OK: ok, Detail: fmt.Sprintf(detail, args...)})
	}

	// evaluate the build on its own first, so a failed build step is reported as such, with its stderr
	if _, err := img.Sync(ctx); err != nil {
		return nil, fmt.Errorf("check: the image does not build: %s", Explain(err))
	}
	user, err := img.User(ctx)
	if err != nil {
		return nil, err
	}
	add("config user", user == strconv.Itoa(FitUID), "USER %q (numeric, for Kubernetes' runAsNonRoot)", user)
	wd, _ := img.Workdir(ctx)
	add("config workdir", wd == FitJavaDir+"/dynamic-plugins", "WORKDIR %q", wd)
	ports, _ := img.ExposedPorts(ctx)
	seen := map[int]bool{}
	for _, p := range ports {
		n, _ := p.Port(ctx)
		seen[n] = true
	}
	add("config ports", seen[HTTPPort] && seen[AppPort], "exposed %v", keysOf(seen))
	ep, _ := img.Entrypoint(ctx)
	args, _ := img.DefaultArgs(ctx)
	add("config entrypoint", strings.Join(ep, " ") == scripts.EntrypointPath && strings.Join(args, " ") == "fit start", "ENTRYPOINT %v CMD %v", ep, args)

	env := map[string]string{}
	vars, err := img.EnvVariables(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range vars {
		n, _ := e.Name(ctx)
		val, _ := e.Value(ctx)
		env[n] = val
	}
	add("env FIT_VERSION", env["FIT_VERSION"] == v.String(), "%q", env["FIT_VERSION"])
	add("env FIT_HOME", env["FIT_HOME"] == FitHome, "%q", env["FIT_HOME"])
	add("env FIT_JAVA_DIR", env["FIT_JAVA_DIR"] == FitJavaDir, "%q", env["FIT_JAVA_DIR"])
	add("env JAVA_OPTS", env["JAVA_OPTS"] == JavaOpts, "%q", env["JAVA_OPTS"])
	add("env PATH", strings.HasPrefix(env["PATH"], FitJavaDir+"/bin:"+env["JAVA_HOME"]+"/bin:"), "%q", env["PATH"])

	labels := map[string]string{}
	ls, _ := img.Labels(ctx)
	for _, l := range ls {
		n, _ := l.Name(ctx)
		val, _ := l.Value(ctx)
		labels[n] = val
	}
	for _, k := range []string{"maintainer", "org.opencontainers.image.title", "org.opencontainers.image.source", "org.opencontainers.image.description"} {
		add("label "+k, labels[k] != "", "%q", labels[k])
	}
	add("label org.opencontainers.image.version", labels["org.opencontainers.image.version"] == v.String(), "%q", labels["org.opencontainers.image.version"])
	add("label "+LabelBaseName, labels[LabelBaseName] != "", "%q", labels[LabelBaseName])
	add("label "+LabelBaseDigest, sha256Digest.MatchString(labels[LabelBaseDigest]), "%q", labels[LabelBaseDigest])

	hc := img.DockerHealthcheck()
	hcArgs, _ := hc.Args(ctx)
	iv, _ := hc.Interval(ctx)
	to, _ := hc.Timeout(ctx)
	sp, _ := hc.StartPeriod(ctx)
	si, _ := hc.StartInterval(ctx)
	rt, _ := hc.Retries(ctx)
	got := HealthSettings{Interval: iv, Timeout: to, StartPeriod: sp, StartInterval: si, Retries: rt}
	add("healthcheck", strings.Join(hcArgs, " ") == scripts.HealthcheckPath && got == Health,
		"%v interval=%s timeout=%s start-period=%s start-interval=%s retries=%d", hcArgs, iv, to, sp, si, rt)

	out, err := img.
		WithEnvVariable("ENTRYPOINT", scripts.EntrypointPath).
		WithEnvVariable("HEALTHCHECK", scripts.HealthcheckPath).
		WithEnvVariable("LIBRARY", scripts.LibraryPath).
		WithExec([]string{"bash", "-c", probe}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).
		CombinedOutput(ctx)
	if err != nil {
		return nil, fmt.Errorf("check: cannot run a shell in the image: %s", Explain(err))
	}
	facts := probeFacts(out)
	uid := strconv.Itoa(FitUID)
	add("runs as fit", facts["uid"] == uid && facts["gid"] == uid && facts["user"] == FitUser, "uid=%s gid=%s user=%s", facts["uid"], facts["gid"], facts["user"])
	add("non-root", facts["uid"] != "" && facts["uid"] != "0", "uid=%s", facts["uid"])
	add("JAVA_HOME exists", facts["java_home_dir"] == "yes", "%s", env["JAVA_HOME"])
	if plat, err := platformOf(ctx, img); err == nil {
		add("architecture", plat.RunsOn(facts["machine"]), "%s runs %s", plat, facts["machine"])
	} else {
		add("architecture", false, "%v", err)
	}
	for _, f := range []string{FitJavaDir + "/bin/fit", scripts.EntrypointPath, scripts.HealthcheckPath} {
		add("executable "+f, facts["exec:"+f] == "yes", "%s", facts["exec:"+f])
	}
	add("library "+scripts.LibraryPath, facts["read:"+scripts.LibraryPath] == "yes", "%s", facts["read:"+scripts.LibraryPath])
	for _, d := range fitFolders {
		add("owned by fit: "+d, facts["owner:"+d] == uid, "owner uid %s", facts["owner:"+d])
		add("writable and enterable: "+d, facts["usable:"+d] == "yes", "%s", facts["usable:"+d])
		if writable(d) {
			want := fmt.Sprintf("0 %o", WritableMode)
			add("group 0 with the owner's rights: "+d, facts["group:"+d] == want, "gid and mode %s (want %s)", facts["group:"+d], want)
		}
	}
	add("launcher jar", facts["launcher"] == "yes", "fit-discrete-launcher-*.jar %s", facts["launcher"])
	add("java -version", strings.Contains(facts["java"], "17."), "%s", facts["java"])
	add("node --version", strings.HasPrefix(facts["node"], "v"), "%s", facts["node"])
	add("fit version", facts["fit"] == "Version: "+v.String(), "%s", facts["fit"])
	add("timezone", facts["tz"] != "", "%s", facts["tz"])
	return cs, nil
}

func keysOf(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// probeFacts reads the key=value lines a probe printed (the smoke and check probes); other lines are skipped.
func probeFacts(out string) map[string]string {
	facts := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, val, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			facts[k] = val
		}
	}
	return facts
}
