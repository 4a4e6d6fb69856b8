package tests

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/tests/bench"
	"dagger/fit-images/tests/fixture"
)

// An upgrade pulls one layer: images of two FIT versions on the same OS share every layer but
// the application's, so a node that runs 3.6.0 downloads only the new release's files.
func TestUpgradeSharesAllButTheApplicationLayer(t *testing.T) {
	needEngine(t)
	ctx := context.Background()
	dir := t.TempDir()
	next, err := fixture.Build(filepath.Join(dir, "zips"), fixture.Options{Version: upgradeVersion, Variant: fixture.Healthy})
	require.NoError(t, err)
	read := func(v, zip string) bench.Image {
		rv, err := release.ParseVersion(v)
		require.NoError(t, err)
		img, err := pipeline.Build(ctx, client, pipeline.Options{OS: debian(t), Version: rv, Artifact: client.Host().File(zip)})
		require.NoError(t, err)
		im, _, err := exportTarball(ctx, img, filepath.Join(dir, v+".tar"))
		require.NoError(t, err)
		return im
	}
	old, cur := read(version, zips[fixture.Healthy].Path), read(upgradeVersion, next.Path)
	require.Equal(t, len(old.Layers), len(cur.Layers))
	changed, bytes := bench.Pull(old, cur)
	last := len(cur.Layers) - 1
	assert.Equal(t, []int{last}, changed, "only the application layer (the last) may differ")
	for i := 0; i < last; i++ {
		assert.Equal(t, old.Layers[i].Digest, cur.Layers[i].Digest, "layer %d", i+1)
	}
	assert.Equal(t, cur.Layers[last].Size, bytes)
	t.Logf("upgrade %s -> %s pulls layer %d of %d: %d bytes", version, upgradeVersion, last+1, len(cur.Layers), bytes)
}

// Cold means cold: each `dagger call build --no-cache` re-runs the package step (its files get a
// new time), while ordinary calls reuse it. Build's +cache="session" makes every call run the
// function again; the function's no-cache nonce then reaches the steps.
func TestCallBuildNoCacheRebuildsEveryCall(t *testing.T) {
	// the package step writes dpkg's status file: its time says when the step ran
	installed := func(extra ...string) string {
		args := append([]string{"--artifact", zips[fixture.Healthy].Path, "build", "--os", "debian"}, extra...)
		out, err := call(t, append(args, "with-exec", "--args", "stat,-c,%y,/var/lib/dpkg/status", "stdout")...)
		require.NoError(t, err)
		return strings.TrimSpace(out)
	}
	first, second := installed("--no-cache"), installed("--no-cache")
	assert.NotEqual(t, first, second, "the second --no-cache call reused the first one's package step")
	warm1, warm2 := installed(), installed()
	assert.Equal(t, warm1, warm2, "an ordinary build re-ran the package step")
	assert.NotEqual(t, second, warm2, "an ordinary build returned a --no-cache build")
}

// The JRE image keeps every module Debian's full JRE has: nothing the trimming removed is Java's.
func TestJREListsEveryModule(t *testing.T) {
	needEngine(t)
	ctx := context.Background()
	osEntry := debian(t)
	modules := func(j catalog.Java) []string {
		img, err := pipeline.Build(ctx, client, pipeline.Options{OS: osEntry, Version: v360(t), Artifact: hostZip(fixture.Healthy), Java: j})
		require.NoError(t, err)
		out, err := img.WithExec([]string{"java", "--list-modules"}).Stdout(ctx)
		require.NoError(t, err)
		return strings.Fields(out)
	}
	// the untrimmed runtime: the same package installed plainly on the same base
	full, err := client.Container().From(osEntry.BaseImage).
		WithExec([]string{"sh", "-c", "mkdir -p /usr/share/man/man1 && apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends " +
			strings.Join(osEntry.JavaPackages[catalog.JRE], " ")}).
		WithExec([]string{"sh", "-c", "$(dirname $(readlink -f $(command -v java)))/java --list-modules"}).
		Stdout(ctx)
	require.NoError(t, err)
	jre := modules(catalog.JRE)
	assert.Equal(t, strings.Fields(full), jre)
	assert.Contains(t, jre, "java.se@"+strings.TrimPrefix(jre[0], "java.base@"), "the java.se aggregator is listed")
}
