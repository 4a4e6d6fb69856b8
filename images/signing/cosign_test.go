package signing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/provenance"
	"dagger/fit-images/images/sbom"
)

// cosignVersion is the cosign the tests verify with; hack/cosign builds it.
const cosignVersion = "v2.6.5"

// cosignBinary is the real cosign CLI: $FIT_COSIGN, else what hack/cosign put in the test-bed
// cache. Without one the test is skipped, saying so: verification by cosign itself is the point.
func cosignBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FIT_COSIGN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("FIT_COSIGN=%s: %v", p, err)
		}
		return p
	}
	cache := os.Getenv("FIT_TESTBED_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "fit-testbed")
	}
	found, _ := filepath.Glob(filepath.Join(cache, "cosign-"+cosignVersion+"-*", "cosign"))
	if len(found) == 0 {
		t.Skipf("SKIPPED, NOT VERIFIED BY COSIGN: no cosign %s binary (set FIT_COSIGN, or run hack/cosign, which builds it into %s)", cosignVersion, cache)
	}
	return found[len(found)-1]
}

// cosign runs the CLI offline-style: its own HOME (no cached trust roots or credentials of the
// machine), and a timeout so a cosign that tries to reach the network fails instead of hanging.
func cosign(t *testing.T, bin, home string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = home
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "TUF_ROOT=" + filepath.Join(home, ".sigstore")}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// keyPair has the real cosign generate a key pair in dir: cosign.key and cosign.pub.
func keyPair(t *testing.T, bin, dir, password string) (priv []byte, pubPath string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o700))
	out, err := cosign(t, bin, dir, []string{"COSIGN_PASSWORD=" + password}, "generate-key-pair")
	require.NoError(t, err, out)
	priv, err = os.ReadFile(filepath.Join(dir, "cosign.key"))
	require.NoError(t, err)
	return priv, filepath.Join(dir, "cosign.pub")
}

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
	bin := cosignBinary(t)
	ctx := context.Background()
	work := t.TempDir()
	priv, pub := keyPair(t, bin, filepath.Join(work, "key"), "s3cret pass")
	_, wrongPub := keyPair(t, bin, filepath.Join(work, "wrong"), "other")

	host := newRegistry(t)
	ref := host + "/fit/fit-framework:3.6.0-debian"
	image := pushRandom(t, ref)
	s, err := Load(priv, []byte("s3cret pass"))
	require.NoError(t, err, "cosign's own key, read with its password")
	require.NoError(t, s.Sign(ctx, image, ""))
	bom, prov := statements(t, image)
	require.NoError(t, s.Attest(ctx, image, [][]byte{bom, prov}))

	verify := func(key string, args ...string) (string, error) {
		return cosign(t, bin, work, nil, append([]string{args[0], "--key", key, "--insecure-ignore-tlog", "--allow-insecure-registry"}, args[1:]...)...)
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
			st := verifiedStatement(t, out, tc.predicate)
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
		require.NoError(t, write(tag, layers, nil))

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

// verifiedStatement is the in-toto statement of predicateType that cosign printed after
// verifying (one DSSE envelope per line), fails when there is none.
func verifiedStatement(t *testing.T, out, predicateType string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		var env struct {
			Payload string `json:"payload"`
		}
		if json.Unmarshal([]byte(line), &env) != nil || env.Payload == "" {
			continue
		}
		p, err := base64.StdEncoding.DecodeString(env.Payload)
		require.NoError(t, err)
		var st struct {
			PredicateType string `json:"predicateType"`
		}
		require.NoError(t, json.Unmarshal(p, &st))
		if st.PredicateType == predicateType {
			return string(p)
		}
	}
	t.Fatalf("cosign printed no verified %s statement:\n%s", predicateType, out)
	return ""
}
