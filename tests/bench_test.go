package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/scripts"
	"dagger/fit-images/tests/bench"
	"dagger/fit-images/tests/fixture"
)

// upgradeVersion is the version bump the benchmark measures the pull cost of.
const upgradeVersion = "3.6.4"

// benchImage is one of the images compared side by side.
type benchImage struct {
	name string
	// build returns the image of a FIT version; cold asks for every layer to be rebuilt.
	build func(v string, cold bool) *dagger.Container
	// hc is the image's HEALTHCHECK as Docker would read it.
	hc bench.Settings
}

// BenchmarkSideBySide builds, in one engine from the same FIT-shaped zip and base, the upstream
// recipe (tests/testdata/upstream-debian.Dockerfile through Directory.DockerBuild), our jdk and
// our jre images, and prints per image the cold and warm build times, gzip and uncompressed
// sizes, the largest folders of the package layer and the ratio to upstream; then what a node
// holding 3.6.0 pulls for 3.6.4, and when Docker would first report each image healthy.
// One iteration is several real builds: run it through ./hack/bench (-benchtime 1x).
func BenchmarkSideBySide(b *testing.B) {
	if engine != "" {
		b.Skip(engine)
	}
	ctx := context.Background()
	dir := b.TempDir()
	art := map[string]string{version: zips[fixture.Healthy].Path}
	a, err := fixture.Build(filepath.Join(dir, "zips"), fixture.Options{Version: upgradeVersion, Variant: fixture.Healthy})
	if err != nil {
		b.Fatal(err)
	}
	art[upgradeVersion] = a.Path
	images := []benchImage{upstreamRecipe(b, art)}
	for _, j := range []catalog.Java{catalog.JDK, catalog.JRE} {
		images = append(images, ourImage(b, j, release.Platform{}, art))
	}
	// arm64 under QEMU where the engine is amd64: what a multi-arch release adds to a build
	arm, _ := release.ParsePlatform("linux/arm64")
	images = append(images, ourImage(b, catalog.JRE, arm, art))

	type measured struct {
		cold, warm    time.Duration
		gzip, raw     int64
		img           bench.Image
		pkg           bench.LayerStats
		upgradeLayers []int
		upgradeBytes  int64
		probes        []bench.Probe
	}
	res := make([]measured, len(images))
	for i, im := range images {
		m := &res[i]
		b.Logf("%s: cold build", im.name)
		if m.cold, err = timedSync(ctx, im.build(version, true)); err != nil {
			b.Fatalf("%s cold build: %v", im.name, err)
		}
		if _, err = timedSync(ctx, im.build(version, false)); err != nil { // what warm rebuilds
			b.Fatal(err)
		}
		if m.warm, err = timedSync(ctx, im.build(version, false)); err != nil {
			b.Fatal(err)
		}
		if m.img, m.gzip, err = exportTarball(ctx, im.build(version, false), filepath.Join(dir, im.name+"-"+version+".tar")); err != nil {
			b.Fatal(err)
		}
		st, err := m.img.Stats(3, 10)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range st {
			m.raw += s.Bytes
		}
		m.pkg = st[m.img.Largest()]
		b.Logf("%s: version bump to %s", im.name, upgradeVersion)
		next, _, err := exportTarball(ctx, im.build(upgradeVersion, false), filepath.Join(dir, im.name+"-"+upgradeVersion+".tar"))
		if err != nil {
			b.Fatal(err)
		}
		m.upgradeLayers, m.upgradeBytes = bench.Pull(m.img, next)
		if err := os.Remove(filepath.Join(dir, im.name+"-"+upgradeVersion+".tar")); err != nil {
			b.Fatal(err) // a tarball left behind would fill the disk over the iterations
		}
		b.Logf("%s: recording probes from container start", im.name)
		if m.probes, err = recordProbes(ctx, im.build(version, false)); err != nil {
			b.Fatalf("%s probes: %v", im.name, err)
		}
	}

	up := res[0]
	var rows [][]string
	for i, im := range images {
		m := res[i]
		rows = append(rows, []string{im.name, report.Seconds(m.cold), report.Seconds(m.warm),
			report.HumanSize(m.gzip), report.HumanSize(m.raw), report.HumanSize(m.img.Layers[m.img.Largest()].Size),
			fmt.Sprintf("%.0f%%", 100*float64(m.gzip)/float64(up.gzip))})
		b.ReportMetric(float64(m.gzip)/1e6, "MB-gzip-"+strings.NewReplacer(" ", "", "-", "").Replace(im.name))
	}
	fmt.Printf("\nSide by side (FIT %s fixture, one engine, same base)\n", version)
	fmt.Print(report.Table([]string{"IMAGE", "COLD", "WARM", "GZIP", "UNCOMPRESSED", "PACKAGE LAYER (GZIP)", "OF UPSTREAM"}, rows))

	for i, im := range images {
		m := res[i]
		fmt.Printf("\nLargest folders of the package layer of %s (%s uncompressed)\n", im.name, report.HumanSize(m.pkg.Bytes))
		var fr [][]string
		for _, f := range m.pkg.Folders {
			fr = append(fr, []string{f.Path, report.HumanSize(f.Bytes)})
		}
		fmt.Print(report.Table([]string{"FOLDER", "BYTES"}, fr))
	}

	fmt.Printf("\nUpgrade %s -> %s: layers a node holding %s must pull\n", version, upgradeVersion, version)
	rows = nil
	for i, im := range images {
		m := res[i]
		var which []string
		for _, k := range m.upgradeLayers {
			which = append(which, fmt.Sprintf("#%d %s (%s)", k+1, step(m.img.History[k]), report.HumanSize(m.img.Layers[k].Size)))
		}
		rows = append(rows, []string{im.name, fmt.Sprintf("%d of %d", len(m.upgradeLayers), len(m.img.Layers)),
			report.HumanSize(m.upgradeBytes), strings.Join(which, "; ")})
	}
	fmt.Print(report.Table([]string{"IMAGE", "CHANGED LAYERS", "PULL", "WHICH (AS IN THE 3.6.0 IMAGE)"}, rows))

	fmt.Printf("\nTime to healthy: seconds from container start until Docker would first report healthy\n")
	header := []string{"IMAGE", "FIRST PASSING PROBE", "HEALTHCHECK"}
	for _, e := range bench.Engines {
		header = append(header, e.Name)
	}
	rows = nil
	for i, im := range images {
		m := res[i]
		ready, ok := bench.Ready(m.probes)
		if !ok {
			b.Fatalf("%s never passed its healthcheck", im.name)
		}
		row := []string{im.name, report.Seconds(ready), settingsText(im.hc)}
		for _, e := range bench.Engines {
			if t, ok := bench.FirstHealthy(m.probes, im.hc, e, 5*time.Minute); ok {
				row = append(row, report.Seconds(t))
			} else {
				row = append(row, "never")
			}
		}
		rows = append(rows, row)
	}
	fmt.Print(report.Table(header, rows))
}

// upstreamRecipe builds tests/testdata/upstream-debian.Dockerfile with the zip and our scripts in
// its context.
func upstreamRecipe(b *testing.B, art map[string]string) benchImage {
	hc, _ := bench.ParseHealthcheck("30s", "30s", "")
	nonce := strconv.FormatInt(time.Now().UnixNano(), 36)
	return benchImage{name: "upstream recipe", hc: hc, build: func(v string, cold bool) *dagger.Container {
		ctxDir := client.Directory().
			WithFile("Dockerfile", client.Host().File(filepath.Join(root, "tests/testdata/upstream-debian.Dockerfile"))).
			WithFile(v+".zip", client.Host().File(art[v])).
			WithNewFile("common.sh", scriptText(scripts.LibraryPath)).
			WithNewFile("fit-entrypoint", scriptText(scripts.EntrypointPath)).
			WithNewFile("fit-healthcheck", scriptText(scripts.HealthcheckPath))
		args := []dagger.BuildArg{{Name: "FIT_VERSION", Value: v}, {Name: "BENCH_NONCE", Value: nonce}}
		if cold {
			args[1].Value = nonce + "-cold"
		}
		return ctxDir.DockerBuild(dagger.DirectoryDockerBuildOpts{BuildArgs: args})
	}}
}

func ourImage(b *testing.B, j catalog.Java, plat release.Platform, art map[string]string) benchImage {
	osEntry, _ := catalog.Lookup("debian")
	hc, err := bench.ParseHealthcheck(pipeline.Health.Interval, pipeline.Health.StartPeriod, pipeline.Health.StartInterval)
	if err != nil {
		b.Fatal(err)
	}
	name := "ours --java " + string(j)
	if plat.Arch != "" {
		name += " " + plat.String()
	}
	return benchImage{name: name, hc: hc, build: func(v string, cold bool) *dagger.Container {
		rv, err := release.ParseVersion(v)
		if err != nil {
			b.Fatal(err)
		}
		img, err := pipeline.Build(context.Background(), client, pipeline.Options{
			OS: osEntry, Version: rv, Artifact: client.Host().File(art[v]), Java: j, Platform: plat, NoCache: cold,
		})
		if err != nil {
			b.Fatal(err)
		}
		return img
	}}
}

func scriptText(path string) string {
	for _, f := range scripts.Files() {
		if f.Path == path {
			return f.Content
		}
	}
	panic("no script " + path)
}

func timedSync(ctx context.Context, c *dagger.Container) (time.Duration, error) {
	start := time.Now()
	_, err := c.Sync(ctx)
	return time.Since(start), err
}

// exportTarball writes the image as a gzip OCI tarball and reads its layers back.
func exportTarball(ctx context.Context, c *dagger.Container, path string) (bench.Image, int64, error) {
	if _, err := c.Export(ctx, path, dagger.ContainerExportOpts{ForcedCompression: dagger.ImageLayerCompressionGzip}); err != nil {
		return bench.Image{}, 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return bench.Image{}, 0, err
	}
	img, err := bench.ReadTarball(path)
	return img, st.Size(), err
}

// probeLoop starts the image's entrypoint as `docker run` would and runs the image's healthcheck
// command every 0.2 s from then on, printing "AT_MS TOOK_MS EXIT" per probe, until three passed
// (or two minutes went by).
const probeLoop = `set -u
t0=$(date +%s%N)
"$ENTRYPOINT" fit start >/tmp/fit.log 2>&1 &
passed=0
while [ $passed -lt 3 ] && [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 120 ]; do
  a=$(date +%s%N); "$HEALTHCHECK" >/dev/null 2>&1; rc=$?; z=$(date +%s%N)
  echo "$(( (a - t0) / 1000000 )) $(( (z - a) / 1000000 )) $rc"
  [ $rc = 0 ] && passed=$((passed + 1))
  sleep 0.2
done`

// recordProbes runs probeLoop in the image, as its user and in its workdir.
func recordProbes(ctx context.Context, img *dagger.Container) ([]bench.Probe, error) {
	ep, err := img.Entrypoint(ctx)
	if err != nil || len(ep) == 0 {
		return nil, fmt.Errorf("no entrypoint: %v", err)
	}
	hc, err := img.DockerHealthcheck().Args(ctx)
	if err != nil || len(hc) == 0 {
		return nil, fmt.Errorf("no healthcheck: %v", err)
	}
	out, err := img.
		WithEnvVariable("BENCH_RUN", strconv.FormatInt(time.Now().UnixNano(), 36)). // a fresh run each time
		WithEnvVariable("ENTRYPOINT", ep[0]).
		WithEnvVariable("HEALTHCHECK", hc[0]).
		WithExec([]string{"bash", "-c", probeLoop}).
		Stdout(ctx)
	if err != nil {
		return nil, err
	}
	var ps []bench.Probe
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		at, _ := strconv.Atoi(f[0])
		took, _ := strconv.Atoi(f[1])
		ps = append(ps, bench.Probe{At: time.Duration(at) * time.Millisecond, Took: time.Duration(took) * time.Millisecond, OK: f[2] == "0"})
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no probe recorded: %q", out)
	}
	return ps, nil
}

func settingsText(s bench.Settings) string {
	t := fmt.Sprintf("interval %v, start period %v", s.Interval, s.StartPeriod)
	if s.StartInterval > 0 {
		t += fmt.Sprintf(", start interval %v", s.StartInterval)
	} else {
		t += ", no start interval"
	}
	return t
}

// step shortens a history entry to what the layer is.
func step(createdBy string) string {
	s := createdBy
	if _, after, ok := strings.Cut(s, "/bin/sh -c "); ok {
		s = after
	}
	s = strings.TrimSpace(strings.TrimPrefix(s, "#(nop) "))
	if s == "" {
		return "layer"
	}
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
