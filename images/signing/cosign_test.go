package signing

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/provenance"
	"dagger/fit-images/images/sbom"
	"dagger/fit-images/internal/cosigntest"
)

// statements are an SBOM and a provenance of image made by this module's own packages.
func statements(t *testing.T, image name.Digest) (bom, prov []byte) {
	t.Helper()
	sub := []provenance.Subject{{Name: image.Context().Name(), Digest: image.DigestStr()}}
	doc, err := sbom.Generate(sbom.Input{
		Manager: catalog.Apt,
		Files: sbom.Files{
			PackageDB: []byte("Package: openjdk-17-jre-headless\nStatus: install ok installed\nArchitecture: amd64\nVersion: 17.0.13+11-1~deb12u1\n"),
			OSRelease: []byte("ID=debian\nVERSION_ID=12\n"),
			Jars:      []sbom.Jar{{Path: "fit-discrete-launcher-3.6.0.jar", SHA256: strings.Repeat("a", 64)}},
		},
		Image: sbom.Image{Name: "fit-framework", Version: "3.6.0-debian"},
		FIT:   sbom.FIT{Version: "3.6.0"},
	})
	require.NoError(t, err)
	bom, err = provenance.Statement(sub, sbom.PredicateType, doc)
	require.NoError(t, err)
	prov, err = provenance.Generate(provenance.Build{
		Subjects:   sub,
		Module:     provenance.Module{Repository: "https://github.com/example/fit-images", Commit: strings.Repeat("7", 40)},
		FITVersion: "3.6.0", OS: "debian", Platforms: []string{"linux/amd64"}, Latest: "auto",
		Artifact: provenance.Artifact{URL: "https://example.test/3.6.0.zip", SHA256: "sha256:" + strings.Repeat("c", 64), SumSource: "--checksum"},
		Bases:    []provenance.Base{{Name: "debian:12-slim", Digest: "sha256:" + strings.Repeat("d", 64)}},
	})
	require.NoError(t, err)
	return bom, prov
}

// TestCosignVerifies signs and attests an image in an in-process registry with this package and
// has the real cosign CLI verify it, then shows that cosign refuses a wrong key, a tampered
// attestation and a tag moved to another image.
func TestCosignVerifies(t *testing.T) {
	bin := cosigntest.Binary(t)
	ctx := context.Background()
	work := t.TempDir()
	key, pub := cosigntest.KeyPair(t, bin, filepath.Join(work, "key"), "s3cret pass")
	_, wrongPub := cosigntest.KeyPair(t, bin, filepath.Join(work, "wrong"), "other")
	priv, err := os.ReadFile(key)
	require.NoError(t, err)

	host := newRegistry(t)
	ref := host + "/fit/fit-framework:3.6.0-debian"
	image := pushRandom(t, ref)
	s, err := Load(priv, []byte("s3cret pass"))
	require.NoError(t, err, "cosign's own key, read with its password")
	require.NoError(t, s.Sign(ctx, image, ""))
	bom, prov := statements(t, image)
	require.NoError(t, s.Attest(ctx, image, [][]byte{bom, prov}))

	// verify is cosign's stdout (what it verified) and its stderr (why it refused) in one text: the
	// subtests look for either
	verify := func(key string, args ...string) (string, error) {
		stdout, stderr, err := cosigntest.Run(t, bin, work, nil, append([]string{args[0], "--key", key, "--insecure-ignore-tlog", "--allow-insecure-registry"}, args[1:]...)...)
		return stdout + "\n" + stderr, err
	}

	t.Run("signature", func(t *testing.T) {
		out, err := verify(pub, "verify", ref)
		require.NoError(t, err, out)
		assert.Contains(t, out, image.DigestStr())
		out, err = verify(pub, "verify", image.String())
		require.NoError(t, err, "by digest: %s", out)
	})
	for _, tc := range []struct{ typ, predicate string }{
		{"cyclonedx", sbom.PredicateType},
		{"slsaprovenance1", provenance.PredicateType},
	} {
		t.Run("attestation "+tc.typ, func(t *testing.T) {
			out, err := verify(pub, "verify-attestation", "--type", tc.typ, ref)
			require.NoError(t, err, out)
			st := cosigntest.Statement(t, out, tc.predicate)
			assert.Contains(t, st, strings.TrimPrefix(image.DigestStr(), "sha256:"))
		})
	}
	t.Run("wrong key fails", func(t *testing.T) {
		out, err := verify(wrongPub, "verify", ref)
		assert.Error(t, err, "cosign verify with another key passed:\n%s", out)
		assert.Contains(t, out, "invalid signature", "fails for the signature, not for something else")
		out, err = verify(wrongPub, "verify-attestation", "--type", "cyclonedx", ref)
		assert.Error(t, err, "cosign verify-attestation with another key passed:\n%s", out)
		assert.Contains(t, out, "no matching attestations")
	})
	t.Run("tampered attestation fails", func(t *testing.T) {
		other := pushRandom(t, host+"/fit/fit-framework:tamper")
		b, _ := statements(t, other)
		// the SBOM alone, so that cosign's answer is about that envelope
		require.NoError(t, s.Attest(ctx, other, [][]byte{b}))
		out, err := verify(pub, "verify-attestation", "--type", "cyclonedx", other.String())
		require.NoError(t, err, "untampered first: %s", out)

		layers := stored(t, other, AttestationSuffix)
		var env map[string]any
		require.NoError(t, json.Unmarshal(layers[0].content, &env))
		payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
		require.NoError(t, err)
		forged := strings.Replace(string(payload), "openjdk-17-jre-headless", "openjdk-17-jre-hacked", 1)
		require.NotEqual(t, string(payload), forged)
		env["payload"] = base64.StdEncoding.EncodeToString([]byte(forged)) // the signature stays
		layers[0].content, err = json.Marshal(env)
		require.NoError(t, err)
		tag, err := Tag(other, AttestationSuffix)
		require.NoError(t, err)
		_, err = write(tag, layers, nil)
		require.NoError(t, err)

		out, err = verify(pub, "verify-attestation", "--type", "cyclonedx", other.String())
		assert.Error(t, err, "cosign accepted a tampered SBOM:\n%s", out)
		assert.Contains(t, out, "no matching attestations", "refused for its signature")
	})
	t.Run("moved tag fails", func(t *testing.T) {
		moved := pushRandom(t, ref) // the tag now names another, unsigned image
		require.NotEqual(t, image.DigestStr(), moved.DigestStr())
		out, err := verify(pub, "verify", ref)
		assert.Error(t, err, "cosign verified a tag moved to an unsigned image:\n%s", out)
		assert.Contains(t, out, "no signatures found")

		// the old signature copied next to the new digest does not verify either: its payload
		// names the old digest
		src, err := Tag(image, SignatureSuffix)
		require.NoError(t, err)
		dst, err := Tag(moved, SignatureSuffix)
		require.NoError(t, err)
		sig, err := remote.Image(src)
		require.NoError(t, err)
		require.NoError(t, remote.Write(dst, sig))
		out, err = verify(pub, "verify", ref)
		assert.Error(t, err, "cosign verified the old digest's signature for the new digest:\n%s", out)
		assert.Contains(t, out, "invalid or missing digest in claim")

		out, err = verify(pub, "verify", image.String())
		assert.NoError(t, err, "the old image by digest still verifies: %s", out)
	})
}

// TestCosignReadsReferrers: with the .sig and .att tags deleted, the real cosign still finds and
// verifies the signature among the image's OCI 1.1 referrers, on a registry with the referrers API
// and on one without it (the referrers tag), and lists the attestations there.
func TestCosignReadsReferrers(t *testing.T) {
	bin := cosigntest.Binary(t)
	ctx := context.Background()
	work := t.TempDir()
	key, pub := cosigntest.KeyPair(t, bin, filepath.Join(work, "key"), "pw")
	priv, err := os.ReadFile(key)
	require.NoError(t, err)
	s, err := Load(priv, []byte("pw"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		opts []registry.Option
	}{
		{"referrers API", []registry.Option{registry.WithReferrersSupport(true)}},
		{"referrers tag", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			image := pushRandom(t, newRegistry(t, tc.opts...)+"/fit/fit-framework:3.6.0-debian")
			require.NoError(t, s.Sign(ctx, image, ""))
			bom, prov := statements(t, image)
			require.NoError(t, s.Attest(ctx, image, [][]byte{bom, prov}))
			for _, suffix := range []string{SignatureSuffix, AttestationSuffix} {
				tag, err := Tag(image, suffix)
				require.NoError(t, err)
				require.NoError(t, remote.Delete(tag))
			}
			run := func(args ...string) (string, error) {
				stdout, stderr, err := cosigntest.Run(t, bin, work, nil, args...)
				return stdout + "\n" + stderr, err
			}
			out, err := run("verify", "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry", image.String())
			require.Error(t, err, "the tags are gone, so cosign's default lookup finds nothing:\n%s", out)
			assert.Contains(t, out, "no signatures found")

			out, err = run("verify", "--experimental-oci11", "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry", image.String())
			require.NoError(t, err, "cosign verify --experimental-oci11 reads the referrer:\n%s", out)
			assert.Contains(t, out, image.DigestStr())

			_, wrongPub := cosigntest.KeyPair(t, bin, filepath.Join(t.TempDir(), "wrong"), "other")
			out, err = run("verify", "--experimental-oci11", "--key", wrongPub, "--insecure-ignore-tlog", "--allow-insecure-registry", image.String())
			assert.Error(t, err, "another key verified the referrer:\n%s", out)

			out, err = run("tree", "--experimental-oci11", "--allow-insecure-registry", image.String())
			require.NoError(t, err, out)
			for _, typ := range []string{SignatureArtifactType, AttestationArtifactType} {
				assert.Contains(t, out, typ+" artifacts via OCI referrer", "cosign tree lists the %s referrer", typ)
			}
		})
	}
}
