package tests

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/tests/fixture"
)

// driftNS is this run's namespace in the test bed registry for the base-drift test.
var driftNS = fmt.Sprintf("drift%d", time.Now().UnixNano())

// Issue #21, base drift: stale reports an image built on an older debian:12-slim after the test bed
// pushes a newer one, with both digests, and the catch-up's listing (missing-releases --stale) turns
// it into a rebuild saying why; rebuilt on the new base, it is current again. The test bed's
// library/debian:12-slim is shared by parallel tests and stays as it is: the image is built, by the
// pipeline itself, on a copy of it under this run's namespace, and that copy is what moves. stale
// resolves the base named in the image's label, so it follows the copy exactly as it follows the
// catalog's base in a release.
func TestStaleBaseMoved(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	reg := needTestbedRegistry(t)
	ctx := context.Background()
	prefix := reg + "/" + driftNS + "/"
	r, err := release.ParseRegistry(prefix)
	require.NoError(t, err)
	baseName := prefix + "base/debian:12-slim"
	tag := r.Ref(version + "-debian")

	// the test bed's base plus a small layer of its own: a byte-for-byte copy would have the
	// shared base's digest, and the engine, which resolves by digest, then answers the shared
	// base's name for it (measured: the label said docker.io/library/debian:12-slim)
	src, err := name.ParseReference(reg+"/library/debian:12-slim", name.Insecure)
	require.NoError(t, err)
	idx, err := remote.Index(src)
	require.NoError(t, err)
	baseTag, err := name.NewTag(baseName, name.Insecure)
	require.NoError(t, err)
	older := pushBase(t, baseTag, idx, "an older base")

	deb := debian(t)
	deb.BaseImage = baseName
	build := func(c *dagger.Client) {
		t.Helper()
		img, err := pipeline.Build(ctx, c, pipeline.Options{OS: deb, Version: v360(t), Artifact: c.Host().File(zips[fixture.Healthy].Path)})
		require.NoError(t, err)
		_, err = pipeline.Publish(ctx, c, []*dagger.Container{img}, r, []string{tag}, nil)
		require.NoError(t, err)
	}
	build(client)
	labels := configLabels(t, tag)
	recordedName := labels[pipeline.LabelBaseName]
	assert.Contains(t, recordedName, driftNS+"/base/debian:12-slim", "the build records the base it started from")
	require.Equal(t, older, labels[pipeline.LabelBaseDigest], "the build records the base's digest")

	staleArgs := []string{"--registry", prefix, "--registry-service", "tcp://" + reg, "stale", "--os", "debian"}
	check := func(t *testing.T) map[string]any {
		t.Helper()
		out, err := call(t, append(staleArgs, "--format", "json")...)
		require.NoError(t, err)
		var images []map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &images), out)
		require.Len(t, images, 1, out)
		assert.Equal(t, version, images[0]["version"])
		assert.Equal(t, recordedName, images[0]["base"])
		return images[0]
	}

	t.Run("current base: not stale", func(t *testing.T) {
		img := check(t)
		assert.Equal(t, false, img["stale"], "%v", img)
		assert.Equal(t, older, img["current"])
	})

	// the test bed pushes a newer debian:12-slim: every platform gains a small layer
	newer := pushBase(t, baseTag, idx, "a newer base")
	require.NotEqual(t, older, newer)

	t.Run("moved base: stale, with both digests", func(t *testing.T) {
		img := check(t)
		assert.Equal(t, true, img["stale"], "%v", img)
		assert.Equal(t, older, img["recorded"])
		assert.Equal(t, newer, img["current"])
		assert.Equal(t, "base moved", img["reason"])
		out, err := call(t, staleArgs...)
		require.NoError(t, err)
		assert.Equal(t, version+" debian  base "+recordedName+" moved: "+older+" → "+newer+"\n", out)
	})

	t.Run("the catch-up rebuilds it, saying why", func(t *testing.T) {
		port, _ := fakeReleasesAPI(t, map[string]bool{"v3.7.0-rc.1": true})
		api := fmt.Sprintf("http://localhost:%d/repos/ModelEngine-Group/fit-framework/releases", port)
		out, err := call(t, "--registry", prefix, "--registry-service", "tcp://"+reg, "--api-url", api, "--api-service", fmt.Sprintf("tcp://localhost:%d", port),
			"missing-releases", "--since", "3.6.0", "--os", "debian", "--limit", "3", "--stale", "--format", "json")
		require.NoError(t, err)
		assert.JSONEq(t, `[
			{"version":"3.6.0","os":"debian","republish":"debian","reason":"debian: `+recordedName+` moved from `+older+` to `+newer+`"},
			{"version":"3.6.1","os":"debian"}
		]`, out, "the stale 3.6.0 as a rebuild with its reason, beside the missing 3.6.1")
	})

	t.Run("rebuilt on the new base: current again", func(t *testing.T) {
		// a run of its own, as a rebuild is: the engine resolves a tag once per session, so this
		// test's session would still build on the older base
		c, err := dagger.Connect(ctx, dagger.WithLogOutput(io.Discard))
		require.NoError(t, err)
		defer func() { _ = c.Close() }()
		build(c)
		assert.Equal(t, newer, configLabels(t, tag)[pipeline.LabelBaseDigest], "the rebuild records the new digest")
		img := check(t)
		assert.Equal(t, false, img["stale"], "%v", img)
		out, err := call(t, staleArgs...)
		require.NoError(t, err)
		assert.Contains(t, out, "no stale image")
	})
}

// pushBase pushes to tag a version of idx with real content of its own (what): each linux image gains
// a layer holding one small file, in the media type of its other layers. It answers the new digest.
func pushBase(t *testing.T, tag name.Tag, idx v1.ImageIndex, what string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := []byte(what + ", pushed by TestStaleBaseMoved\n")
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "etc/fit-drift-test", Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(0, 0)}))
	_, err := tw.Write(body)
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	raw := buf.Bytes()

	m, err := idx.IndexManifest()
	require.NoError(t, err)
	out := mutate.IndexMediaType(empty.Index, m.MediaType)
	for _, desc := range m.Manifests {
		if desc.Platform == nil || desc.Platform.OS != "linux" {
			continue // no attestation manifest is carried over
		}
		img, err := idx.Image(desc.Digest)
		require.NoError(t, err)
		layers, err := img.Layers()
		require.NoError(t, err)
		require.NotEmpty(t, layers)
		mt, err := layers[0].MediaType()
		require.NoError(t, err)
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }, tarball.WithMediaType(mt))
		require.NoError(t, err)
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "TestStaleBaseMoved: " + what}})
		require.NoError(t, err)
		out = mutate.AppendManifests(out, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: desc.Platform}})
	}
	require.NoError(t, remote.WriteIndex(tag, out))
	d, err := out.Digest()
	require.NoError(t, err)
	return d.String()
}
