package attest

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/provenance"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/sbom"
	"dagger/fit-images/internal/cosigntest"
)

// realBOM is an SBOM made by images/sbom, for one platform.
func realBOM(t *testing.T, platform string) []byte {
	t.Helper()
	b, err := sbom.Generate(sbom.Input{
		Manager: catalog.Apt,
		Files: sbom.Files{
			PackageDB: []byte("Package: openjdk-17-jre-headless\nStatus: install ok installed\nArchitecture: amd64\nVersion: 17.0.13+11-1~deb12u1\n"),
			OSRelease: []byte("ID=debian\nVERSION_ID=12\n"),
			Jars:      []sbom.Jar{{Path: "fit-discrete-launcher-3.6.0.jar", SHA256: strings.Repeat("a", 64)}},
		},
		Image: sbom.Image{Name: "fit-framework", Version: "3.6.0-debian", Platform: platform},
		FIT:   sbom.FIT{Version: "3.6.0"},
	})
	require.NoError(t, err)
	return b
}

// What release-check and promote do, checked by the real cosign: a two-platform index staged and
// signed with Sign, copied to the release repository by registry.Copier (promote's copy), and there
// the tag, the index and a manifest by digest verify, with both attestation types; the staging
// repository's name in the signed payload does not stop the copy from verifying.
func TestPromotedIndexVerifiesWithCosign(t *testing.T) {
	bin := cosigntest.Binary(t)
	work := t.TempDir()
	keyPath, pub := cosigntest.KeyPair(t, bin, work, "pw")
	priv, err := os.ReadFile(keyPath)
	require.NoError(t, err)

	srv := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	var idx v1.ImageIndex = empty.Index
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(64, 1)
		require.NoError(t, err)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	staging, err := name.NewRepository(host+"/staging/fit-framework", name.Insecure)
	require.NoError(t, err)
	require.NoError(t, remote.WriteIndex(staging.Tag("3.6.0-debian"), idx))
	d, err := idx.Digest()
	require.NoError(t, err)
	m, err := idx.IndexManifest()
	require.NoError(t, err)

	base := provenance.Base{Name: "docker.io/library/debian:12-slim", Digest: "sha256:" + strings.Repeat("b", 64)}
	key := func(context.Context) ([]byte, []byte, error) { return append([]byte{}, priv...), []byte("pw"), nil }
	_, err = Sign(context.Background(), Staged{Ref: staging.Name() + "@" + d.String(), Variants: []Variant{
		{Platform: "linux/amd64", SBOM: realBOM(t, "linux/amd64"), Base: base},
		{Platform: "linux/arm64", SBOM: realBOM(t, "linux/arm64"), Base: base},
	}, Build: provenance.Build{
		Module:     provenance.Module{Repository: "https://github.com/example/fit-images", Commit: commit},
		FITVersion: "3.6.0", OS: "debian", Platforms: []string{"linux/amd64", "linux/arm64"}, Latest: "auto",
		Artifact: provenance.Artifact{URL: "file:3.6.0.zip"},
	}}, key, staging, nil)
	require.NoError(t, err)

	from, to := registry.Repo{Registry: release.Registry(host + "/staging/")}, registry.Repo{Registry: release.Registry(host + "/release/")}
	copyRef, err := registry.Copier(from, to)
	require.NoError(t, err)
	_, err = copyRef(context.Background(), staging.Name()+"@"+d.String(), host+"/release/fit-framework:3.6.0-debian")
	require.NoError(t, err)

	verify := func(args ...string) (string, string, error) {
		return cosigntest.Run(t, bin, work, nil, append([]string{args[0], "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry"}, args[1:]...)...)
	}
	target := host + "/release/fit-framework"
	for _, ref := range []string{target + ":3.6.0-debian", target + "@" + d.String(), target + "@" + m.Manifests[1].Digest.String()} {
		_, errOut, err := verify("verify", ref)
		assert.NoError(t, err, "verify %s: %s", ref, errOut)
		for _, typ := range []string{"cyclonedx", "slsaprovenance1"} {
			out, errOut, err := verify("verify-attestation", "--type", typ, ref)
			if assert.NoError(t, err, "verify-attestation --type %s %s: %s", typ, ref, errOut) {
				assert.NotEmpty(t, cosigntest.Statements(t, out))
			}
		}
	}
}
