package tests

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/signing"
	"dagger/fit-images/internal/cosigntest"
	"dagger/fit-images/tests/fixture"
)

// supplyNS is this run's namespace in the test bed registry for the supply-chain tests.
var supplyNS = fmt.Sprintf("supply%d", time.Now().UnixNano())

// cosignKeys has the real cosign generate a key pair in dir, and writes the password to a file
// beside it: the paths of the private key, the public key and the password, for file: secrets.
func cosignKeys(t *testing.T, bin, dir, password string) (key, pub, pw string) {
	t.Helper()
	key, pub = cosigntest.KeyPair(t, bin, dir, password)
	pw = filepath.Join(dir, "password")
	require.NoError(t, os.WriteFile(pw, []byte(password), 0o600))
	return key, pub, pw
}

// launcherJar is the name and sha256 of the fixture zip's fit-discrete-launcher-*.jar.
func launcherJar(t *testing.T, zipPath string) (string, string) {
	t.Helper()
	r, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer func() { _ = r.Close() }()
	launcher := regexp.MustCompile(`^fit-discrete-launcher-.*\.jar$`)
	for _, f := range r.File {
		if !launcher.MatchString(path.Base(f.Name)) {
			continue
		}
		rc, err := f.Open()
		require.NoError(t, err)
		h := sha256.New()
		_, err = io.Copy(h, rc)
		_ = rc.Close()
		require.NoError(t, err)
		return path.Base(f.Name), hex.EncodeToString(h.Sum(nil))
	}
	t.Fatalf("%s has no fit-discrete-launcher-*.jar", zipPath)
	return "", ""
}

// tagsOf are the tags of repo in the test bed registry; none when it does not exist.
func tagsOf(t *testing.T, repo string) []string {
	t.Helper()
	r, err := name.NewRepository(repo, name.Insecure)
	require.NoError(t, err)
	tags, err := remote.List(r)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return nil
	}
	require.NoError(t, err)
	return tags
}

func subjectDigests(st map[string]any) []string {
	var out []string
	subs, _ := st["subject"].([]any)
	for _, s := range subs {
		d, _ := s.(map[string]any)["digest"].(map[string]any)
		out = append(out, fmt.Sprintf("sha256:%v", d["sha256"]))
	}
	return out
}

// sbomHas checks a CycloneDX document: the JRE package, and the launcher jar with its sha256.
func sbomHas(t *testing.T, doc map[string]any, jar, sum string) {
	t.Helper()
	comps, _ := doc["components"].([]any)
	var jre, launcher bool
	for _, c := range comps {
		m, _ := c.(map[string]any)
		if m["name"] == "openjdk-17-jre-headless" {
			jre = true
		}
		if ref, _ := m["bom-ref"].(string); ref == "jar:"+jar || (strings.HasPrefix(ref, "jar:") && strings.HasSuffix(ref, "/"+jar)) {
			hashes, _ := m["hashes"].([]any)
			require.NotEmpty(t, hashes, "%s has no hash", ref)
			assert.Equal(t, sum, hashes[0].(map[string]any)["content"], "the sha256 of %s", jar)
			launcher = true
		}
	}
	assert.True(t, jre, "the SBOM lists openjdk-17-jre-headless")
	assert.True(t, launcher, "the SBOM lists %s", jar)
}

// moduleCommit is the module's commit for --revision (a fixed 40-hex one outside a git checkout).
func moduleCommit(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if c := strings.TrimSpace(string(out)); err == nil && regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(c) {
		return c
	}
	return strings.Repeat("5a", 20)
}

// The promise on one release: release-check --sign stages, signs and attests the image,
// promote copies it with its signatures, and the real cosign verifies the promoted tag, its
// CycloneDX SBOM (the JRE, the launcher jar and its sha256) and its SLSA provenance (the pushed
// digest as subject); another key, an altered SBOM and a moved tag each fail. Asked to sign without a key, release-check pushes
// nothing. One signed release-check serves every subtest.
func TestSupplyChain(t *testing.T) {
	t.Parallel() // mostly waits on the engine: runs beside the other parallel tests
	reg := needTestbedRegistry(t)
	bin := cosigntest.Binary(t)
	work := t.TempDir()
	key, pub, pw := cosignKeys(t, bin, filepath.Join(work, "key"), "fit supply s3cret")
	_, wrongPub, _ := cosignKeys(t, bin, filepath.Join(work, "wrong"), "another")
	a := zips[fixture.Healthy]
	jar, jarSum := launcherJar(t, a.Path)
	commit := moduleCommit(t)
	prefix := reg + "/" + supplyNS + "/"
	const created = "2026-12-02T15:34:05+05:30"

	t.Run("asked to sign without a key, nothing is pushed", func(t *testing.T) {
		_, err := call(t, "--artifact", a.Path, "--checksum", "sha256:"+a.SHA256, "--registry", prefix+"nokey/", "--registry-service", "tcp://"+reg, "--staging", prefix+"nokey/staging/",
			"release-check", "--version", version, "--os", "debian", "--revision", commit, "--sign")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "--sign needs --signing-key: give the cosign private key, e.g. --signing-key env:COSIGN_KEY")
		assert.Empty(t, tagsOf(t, prefix+"nokey/staging/fit-framework"), "nothing staged")
		assert.Empty(t, tagsOf(t, prefix+"nokey/fit-framework"), "nothing pushed")
	})

	out, err := call(t, "--artifact", a.Path, "--checksum", "sha256:"+a.SHA256, "--registry", prefix, "--registry-service", "tcp://"+reg, "--staging", prefix+"staging/",
		"--signing-key", "file:"+key, "--signing-password", "file:"+pw,
		"release-check", "--version", version, "--os", "debian", "--format", "json", "--revision", commit, "--created", created, "--sign",
		"--github-run", `{"GITHUB_SERVER_URL":"https://github.com","GITHUB_REPOSITORY":"example/fit-images","GITHUB_RUN_ID":"4242","GITHUB_RUN_ATTEMPT":"1","GITHUB_WORKFLOW_REF":"example/fit-images/.github/workflows/release.yml@refs/heads/main","GITHUB_SHA":"`+commit+`"}`)
	require.NoError(t, err)
	r, err := checklist.Parse(out)
	require.NoError(t, err)
	t.Log(r.Text())
	require.True(t, r.OK(), r.Text())
	signedItem := ""
	for _, it := range r.Items {
		if it.Name == "debian: signed (signature, SBOM, provenance)" {
			assert.Equal(t, checklist.Passed, it.Status)
			signedItem = it.Detail
		}
	}
	assert.Contains(t, signedItem, "SBOM (CycloneDX) and provenance (SLSA v1) attested")
	assert.NotContains(t, out, "fit supply s3cret", "the password never reaches the report")
	staged := r.Staged["debian"]
	require.Regexp(t, `^`+prefix+`staging/fit-framework@sha256:[0-9a-f]{64}$`, staged)
	digest := staged[strings.Index(staged, "@")+1:]

	target := prefix + "release/"
	out, err = call(t, "--registry", target, "--registry-service", "tcp://"+reg, "promote", "--version", version, "--images", "debian="+staged)
	require.NoError(t, err, out)
	tag := target + "fit-framework:" + version + "-debian"
	served, err := headDigest(t, tag)
	require.NoError(t, err)
	require.Equal(t, digest, served, "the promoted tag serves the staged digest")

	verify := func(pubKey string, args ...string) (string, string, error) {
		return cosigntest.Run(t, bin, work, nil, append([]string{args[0], "--key", pubKey, "--insecure-ignore-tlog", "--allow-insecure-registry"}, args[1:]...)...)
	}

	t.Run("cosign verifies the promoted tags", func(t *testing.T) {
		for _, ref := range []string{tag, target + "fit-framework:debian", target + "fit-framework@" + digest} {
			_, errOut, err := verify(pub, "verify", ref)
			assert.NoError(t, err, "%s: %s", ref, errOut)
		}
	})

	var prov map[string]any
	t.Run("the provenance is about the pushed digest", func(t *testing.T) {
		stdout, errOut, err := verify(pub, "verify-attestation", "--type", "slsaprovenance1", tag)
		require.NoError(t, err, errOut)
		sts := cosigntest.Statements(t, stdout)
		prov = sts[0]
		assert.Equal(t, "https://slsa.dev/provenance/v1", prov["predicateType"])
		assert.Contains(t, subjectDigests(prov), digest)
		b, _ := json.Marshal(prov["predicate"])
		p := string(b)
		assert.Contains(t, p, `"fitVersion":"3.6.0"`)
		assert.Contains(t, p, `"os":"debian"`)
		assert.Contains(t, p, `"sha256":"`+a.SHA256+`"`, "the zip by its verified sum")
		assert.Contains(t, p, "@"+commit, "the builder is this module at its commit")
		assert.Regexp(t, `debian:12-slim@sha256:[0-9a-f]{64}`, p, "the base by digest")
		assert.Regexp(t, `"builder":\{"id":"[^"]+@`+commit+`","version":\{"dagger":"v0\.\d+\.\d+`, p, "the builder and the engine that ran it")
		assert.Contains(t, p, `"invocationId":"https://github.com/example/fit-images/actions/runs/4242/attempts/1"`, "the Actions run")
		assert.Contains(t, p, `"workflowRef":"example/fit-images/.github/workflows/release.yml@refs/heads/main"`)
	})

	t.Run("the SBOM lists the JRE and the launcher jar", func(t *testing.T) {
		stdout, errOut, err := verify(pub, "verify-attestation", "--type", "cyclonedx", tag)
		require.NoError(t, err, errOut)
		sts := cosigntest.Statements(t, stdout)
		doc, _ := sts[0]["predicate"].(map[string]any)
		sbomHas(t, doc, jar, jarSum)
		var about []string
		for _, st := range sts {
			about = append(about, subjectDigests(st)...)
		}
		assert.Contains(t, about, digest, "an SBOM statement is about the tag's digest")
	})

	t.Run("another key fails", func(t *testing.T) {
		_, _, err := verify(wrongPub, "verify", tag)
		assert.Error(t, err)
		_, _, err = verify(wrongPub, "verify-attestation", "--type", "cyclonedx", tag)
		assert.Error(t, err)
	})

	t.Run("the signature and attestations are OCI referrers too", func(t *testing.T) {
		// the test bed's registry has no referrers API: they are in the referrers tag sha256-HEX
		stdout, errOut, err := cosigntest.Run(t, bin, work, nil, "tree", "--experimental-oci11", "--allow-insecure-registry", tag)
		require.NoError(t, err, errOut)
		for _, typ := range []string{signing.SignatureArtifactType, signing.AttestationArtifactType} {
			assert.Contains(t, stdout, typ+" artifacts via OCI referrer", "promote copied the %s referrer", typ)
		}
		// the image and its referrers tag alone, no .sig: cosign finds the signature among the referrers
		only := prefix + "referrers/fit-framework"
		copyRef(t, target+"fit-framework@"+digest, only+":"+version+"-debian")
		fallback := strings.Replace(digest, ":", "-", 1)
		copyRef(t, target+"fit-framework:"+fallback, only+":"+fallback)
		_, errOut, err = verify(pub, "verify", only+"@"+digest)
		require.Error(t, err, "no .sig tag was copied, yet cosign's tag lookup verified")
		assert.Contains(t, errOut, "no signatures found")
		_, errOut, err = verify(pub, "verify", "--experimental-oci11", only+"@"+digest)
		assert.NoError(t, err, "cosign verify --experimental-oci11 reads the referrer: %s", errOut)
	})

	// a copy of the release in a repository of its own, so the tampering below leaves the promoted
	// tags alone; the copy verifies before it is touched, so each failure is the tampering's
	copied := prefix + "tampered/fit-framework"
	copyRef(t, target+"fit-framework@"+digest, copied+":"+version+"-debian")
	for _, suffix := range []string{"sig", "att"} {
		copyRef(t, cosignTag(target+"fit-framework", digest, suffix), cosignTag(copied, digest, suffix))
	}
	_, errOut, err := verify(pub, "verify-attestation", "--type", "cyclonedx", copied+"@"+digest)
	require.NoError(t, err, "the untouched copy verifies: %s", errOut)

	t.Run("a tampered attestation fails", func(t *testing.T) {
		// the launcher jar's sum rewritten inside the signed SBOM, the signature kept
		tamperedAttestations(t, cosignTag(copied, digest, "att"), cosignTag(copied, digest, "att"), jarSum, strings.Repeat("0", 64))
		_, errOut, err := verify(pub, "verify-attestation", "--type", "cyclonedx", copied+"@"+digest)
		require.Error(t, err, "cosign accepted an altered SBOM")
		// cosign drops an envelope whose signature fails; what remains is the provenance, so the SBOM
		// type finds no match (with the SBOM alone, cosign v2.6.5 says "no matching attestations")
		assert.Regexp(t, `none of the attestations matched the predicate type: cyclonedx|no matching attestations`, errOut)
		_, errOut, err = verify(pub, "verify-attestation", "--type", "slsaprovenance1", copied+"@"+digest)
		assert.NoError(t, err, "the provenance was not touched and still verifies: %s", errOut)
	})

	t.Run("a tag moved to another digest fails", func(t *testing.T) {
		tagged := copied + ":" + version + "-debian"
		_, errOut, err := verify(pub, "verify", tagged)
		require.NoError(t, err, "before the move: %s", errOut)
		other, err := random.Image(512, 1)
		require.NoError(t, err)
		moveTag(t, tagged, other)
		_, errOut, err = verify(pub, "verify", tagged)
		require.Error(t, err, "cosign accepted an image nobody signed")
		assert.Contains(t, errOut, "no signatures found")
	})

	t.Run("the base is recorded by digest", func(t *testing.T) {
		labels := configLabels(t, tag)
		base := labels["org.opencontainers.image.base.digest"]
		assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, base)
		assert.True(t, strings.HasSuffix(labels["org.opencontainers.image.base.name"], "debian:12-slim"), labels["org.opencontainers.image.base.name"])
		if prov != nil {
			b, _ := json.Marshal(prov["predicate"])
			assert.Contains(t, string(b), "debian:12-slim@"+base, "the provenance names the labelled base digest")
		}
	})

	t.Run("stale: the promoted image's base is current", func(t *testing.T) {
		out, err := call(t, "--registry", target, "--registry-service", "tcp://"+reg, "stale", "--os", "debian", "--format", "json")
		require.NoError(t, err)
		var images []map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &images), out)
		require.Len(t, images, 1, "one published {V}-{OS}: the floating tags are not images of their own")
		assert.Equal(t, "3.6.0", images[0]["version"])
		assert.Equal(t, false, images[0]["stale"], "%v", images[0])
		assert.Equal(t, images[0]["recorded"], images[0]["current"])
	})

	t.Run("dagger call sbom", func(t *testing.T) {
		out, err := call(t, "--artifact", a.Path, "--checksum", "sha256:"+a.SHA256, "sbom", "--os", "debian", "--version", version, "--created", created)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
		assert.Equal(t, "CycloneDX", doc["bomFormat"])
		assert.Equal(t, createdUTC, doc["metadata"].(map[string]any)["timestamp"], "the created time, in UTC")
		sbomHas(t, doc, jar, jarSum)
	})
}
