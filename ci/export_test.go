package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/release"
)

// fakeImage is one platform's image of a hand-made OCI tarball.
type fakeImage struct {
	platform   string // linux/amd64
	fitVersion string // "" sets no FIT_VERSION
}

// writeOCITar writes an OCI image layout tarball as Container.AsTarball does: index.json listing
// one manifest, or, for several images, one nested image index of per-platform manifests (plus an
// attestation manifest, which is not an image).
func writeOCITar(t *testing.T, path string, images ...fakeImage) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	write := func(name string, b []byte) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(b)
		require.NoError(t, err)
	}
	blob := func(v any) map[string]any {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		d := "sha256:" + hex.EncodeToString(sum[:])
		write("blobs/sha256/"+hex.EncodeToString(sum[:]), b)
		return map[string]any{"digest": d, "size": len(b)}
	}
	layer := blob("layer bytes")
	var manifests []any
	for _, img := range images {
		p, err := release.ParsePlatform(img.platform)
		require.NoError(t, err)
		env := []string{"PATH=/usr/bin"}
		if img.fitVersion != "" {
			env = append(env, "FIT_VERSION="+img.fitVersion)
		}
		cfg := blob(map[string]any{"os": p.OS, "architecture": p.Arch, "config": map[string]any{"Env": env}})
		cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
		layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
		m := blob(map[string]any{"schemaVersion": 2, "mediaType": mediaOCIManifest, "config": cfg, "layers": []any{layer},
			"annotations": map[string]string{"org.opencontainers.image.version": img.fitVersion}})
		m["mediaType"] = mediaOCIManifest
		if len(images) > 1 {
			m["platform"] = map[string]string{"os": p.OS, "architecture": p.Arch}
		}
		manifests = append(manifests, m)
	}
	top := manifests
	if len(images) > 1 {
		att := blob(map[string]any{"schemaVersion": 2, "mediaType": mediaOCIManifest, "config": layer, "layers": []any{}})
		att["mediaType"] = mediaOCIManifest
		att["platform"] = map[string]string{"os": "unknown", "architecture": "unknown"}
		manifests = append(manifests, att)
		idx := blob(map[string]any{"schemaVersion": 2, "mediaType": mediaOCIIndex, "manifests": manifests})
		idx["mediaType"] = mediaOCIIndex
		top = []any{idx}
	}
	index, err := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": mediaOCIIndex, "manifests": top})
	require.NoError(t, err)
	write("index.json", index)
	write("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	require.NoError(t, tw.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// writeExportJSON writes the JSON release-check would write next to the tarball.
func writeExportJSON(t *testing.T, tarball string, edit func(*exportedImage)) {
	t.Helper()
	sum, err := fileSHA256(tarball)
	require.NoError(t, err)
	images, err := readOCITarball(tarball)
	require.NoError(t, err)
	v, _ := release.ParseVersion("3.6.0")
	osName := strings.TrimSuffix(filepath.Base(tarball), ".tar")
	e := exportedImage{OS: osName, Version: "3.6.0", Tags: release.Tags(v, osName), Platforms: platformStrings(images), Tarball: filepath.Base(tarball), SHA256: sum}
	if edit != nil {
		edit(&e)
	}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(manifestPathFor(tarball), b, 0o644))
}

func TestReadOCITarball(t *testing.T) {
	dir := t.TempDir()
	single := filepath.Join(dir, "single.tar")
	writeOCITar(t, single, fakeImage{"linux/amd64", "3.6.0"})
	images, err := readOCITarball(single)
	require.NoError(t, err)
	require.Len(t, images, 1)
	assert.Equal(t, "linux/amd64", images[0].Platform.String(), "the platform comes from the config when the index does not say")
	assert.Len(t, images[0].Layers, 1)
	assert.Equal(t, map[string]string{"org.opencontainers.image.version": "3.6.0"}, images[0].Annotations)
	v, ok := envValue(images[0].Env, "FIT_VERSION")
	assert.True(t, ok)
	assert.Equal(t, "3.6.0", v)

	multi := filepath.Join(dir, "multi.tar")
	writeOCITar(t, multi, fakeImage{"linux/arm64", "3.6.0"}, fakeImage{"linux/amd64", "3.6.0"})
	images, err = readOCITarball(multi)
	require.NoError(t, err)
	assert.Equal(t, []string{"linux/amd64", "linux/arm64"}, platformStrings(images), "nested index walked, attestation left out, sorted")

	dup := filepath.Join(dir, "dup.tar")
	writeOCITar(t, dup, fakeImage{"linux/amd64", "3.6.0"}, fakeImage{"linux/amd64", "3.6.0"})
	_, err = readOCITarball(dup)
	assert.ErrorContains(t, err, "two images for linux/amd64")

	notOCI := filepath.Join(dir, "zip.tar")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg}))
	_, _ = tw.Write([]byte("[]"))
	require.NoError(t, tw.Close())
	require.NoError(t, os.WriteFile(notOCI, buf.Bytes(), 0o644))
	_, err = readOCITarball(notOCI)
	assert.ErrorContains(t, err, "not an OCI image tarball: it has no index.json")

	garbage := filepath.Join(dir, "garbage.tar")
	require.NoError(t, os.WriteFile(garbage, bytes.Repeat([]byte("x"), 2000), 0o644))
	_, err = readOCITarball(garbage)
	assert.Error(t, err)

	assert.True(t, samePlatform(release.Platform{OS: "linux", Arch: "arm64"}, release.Platform{OS: "linux", Arch: "arm64", Variant: "v8"}))
	assert.False(t, samePlatform(release.Platform{OS: "linux", Arch: "amd64"}, release.Platform{OS: "linux", Arch: "386"}))
}

func TestVerifyTarball(t *testing.T) {
	v, _ := release.ParseVersion("3.6.0")
	newTar := func(t *testing.T, images ...fakeImage) string {
		p := filepath.Join(t.TempDir(), "debian.tar")
		writeOCITar(t, p, images...)
		return p
	}
	amd64 := fakeImage{"linux/amd64", "3.6.0"}

	t.Run("matches its json", func(t *testing.T) {
		p := newTar(t, amd64, fakeImage{"linux/arm64", "3.6.0"})
		writeExportJSON(t, p, nil)
		images, note, err := verifyTarball(p, "debian", v)
		require.NoError(t, err)
		assert.Len(t, images, 2)
		assert.Contains(t, note, "linux/amd64, linux/arm64) matches debian.json")
	})
	t.Run("no json", func(t *testing.T) {
		p := newTar(t, amd64)
		_, note, err := verifyTarball(p, "debian", v)
		require.NoError(t, err)
		assert.Contains(t, note, "no debian.json next to it: its sha256 was not checked")
	})
	for name, c := range map[string]struct {
		edit func(*exportedImage)
		want string
	}{
		"tampered":         {func(e *exportedImage) { e.SHA256 = "sha256:" + strings.Repeat("0", 64) }, "sha256 mismatch: debian.json records sha256:000"},
		"other version":    {func(e *exportedImage) { e.Version = "3.6.1" }, "it was tested as FIT 3.6.1, not 3.6.0"},
		"other OS":         {func(e *exportedImage) { e.OS = "alpine" }, "it is the alpine image, not debian"},
		"other tags":       {func(e *exportedImage) { e.Tags = []string{"3.6.0-debian"} }, "its tags 3.6.0-debian are not 3.6.0-debian, 3.6-debian, debian, latest-debian"},
		"other platforms":  {func(e *exportedImage) { e.Platforms = []string{"linux/arm64"} }, "it holds linux/amd64, debian.json records linux/arm64"},
		"malformed json":   {nil, "is not the JSON release-check writes"},
		"not a FIT image":  {nil, "the linux/amd64 image sets no FIT_VERSION"},
		"another version":  {nil, "the linux/amd64 image is FIT 3.5.0 (FIT_VERSION=3.5.0), not 3.6.0"},
		"truncated tarbal": {nil, "not a readable tar file: unexpected EOF"},
	} {
		t.Run(name, func(t *testing.T) {
			p := newTar(t, amd64)
			switch name {
			case "malformed json":
				require.NoError(t, os.WriteFile(manifestPathFor(p), []byte("{"), 0o644))
			case "not a FIT image":
				writeOCITar(t, p, fakeImage{"linux/amd64", ""})
			case "another version":
				writeOCITar(t, p, fakeImage{"linux/amd64", "3.5.0"})
			case "truncated tarbal":
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				cut := bytes.LastIndex(b, []byte(`{"manifests"`)) + 20 // inside index.json
				require.NoError(t, os.WriteFile(p, b[:cut], 0o644))
			default:
				writeExportJSON(t, p, c.edit)
			}
			_, _, err := verifyTarball(p, "debian", v)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A tarball that does not match its JSON is refused before the engine is contacted: exit 1, the
// outputs and summary say failed, nothing is pushed.
func TestPublishRefusesTamperedTarballWithoutEngine(t *testing.T) {
	output, summary := ghaFiles(t)
	p := filepath.Join(t.TempDir(), "debian.tar")
	writeOCITar(t, p, fakeImage{"linux/amd64", "3.6.0"})
	writeExportJSON(t, p, nil)
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte("tampered"))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"publish", "--os", "debian", "--version", "3.6.0", "--registry", "localhost:5000/x/",
		"--image-tar", p}, os.Getenv, fakeConnect(t), &stdout, &stderr)
	assert.Equal(t, 1, code)
	out := read(t, output)
	assert.Contains(t, out, heredoc("result", "failed"))
	assert.Contains(t, out, heredoc("digest", ""))
	assert.Contains(t, read(t, summary), "sha256 mismatch: debian.json records")
	assert.Contains(t, stderr.String(), "ci publish: FAILED: publish of FIT 3.6.0 on debian failed: refusing "+p+": sha256 mismatch")
	assert.Contains(t, stderr.String(), "nothing was pushed")
	assert.Contains(t, stdout.String(), "::error title=publish debian failed::")
}

func TestClearExports(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "images-out")
	require.NoError(t, clearExports(dir, []string{"debian"}), "creates the directory")
	for _, f := range []string{"debian.tar", "debian.json", "debian.tar.partial", "alpine.tar"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("old"), 0o644))
	}
	require.NoError(t, clearExports(dir, []string{"debian"}))
	assert.NoFileExists(t, filepath.Join(dir, "debian.tar"))
	assert.NoFileExists(t, filepath.Join(dir, "debian.json"))
	assert.NoFileExists(t, filepath.Join(dir, "debian.tar.partial"))
	assert.FileExists(t, filepath.Join(dir, "alpine.tar"), "only the selected OSes are cleared")
}
