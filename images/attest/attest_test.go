package attest

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/provenance"
	"dagger/fit-images/images/sbom"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func digestOf(t *testing.T, s string) string { t.Helper(); return "sha256:" + strings.Repeat(s, 64) }

// staged pushes a two-platform index to an in-process registry and answers the repository and
// the index's digest reference.
func staged(t *testing.T, wrap ...func(http.Handler) http.Handler) (name.Repository, string, v1.ImageIndex) {
	t.Helper()
	h := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	for _, w := range wrap {
		h = w(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "http://")+"/staging/fit-framework", name.Insecure)
	require.NoError(t, err)
	var idx v1.ImageIndex = empty.Index
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(64, 1)
		require.NoError(t, err)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	require.NoError(t, remote.WriteIndex(repo.Tag("3.6.0-debian"), idx))
	d, err := idx.Digest()
	require.NoError(t, err)
	return repo, repo.Name() + "@" + d.String(), idx
}

func key(t *testing.T) (Key, []byte) {
	t.Helper()
	priv, pub, err := cryptoutils.GeneratePEMEncodedECDSAKeyPair(elliptic.P256(), func(bool) ([]byte, error) { return []byte("pw"), nil })
	require.NoError(t, err)
	return func(context.Context) ([]byte, []byte, error) {
		return append([]byte{}, priv...), []byte("pw"), nil
	}, pub
}

func bom(platform string) []byte {
	return []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"name":"fit-framework","properties":[{"name":"fit-images:platform","value":"` + platform + `"}]}}}`)
}

// statements are the in-toto statements under digest's .att tag, by predicate type.
func statements(t *testing.T, repo name.Repository, digest string) map[string][]map[string]any {
	t.Helper()
	img, err := remote.Image(repo.Tag(strings.Replace(digest, ":", "-", 1) + ".att"))
	require.NoError(t, err, "the .att of %s", digest)
	layers, err := img.Layers()
	require.NoError(t, err)
	out := map[string][]map[string]any{}
	for _, l := range layers {
		rc, err := l.Compressed()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		var env struct{ Payload string }
		require.NoError(t, json.Unmarshal(b, &env))
		raw, err := base64.StdEncoding.DecodeString(env.Payload)
		require.NoError(t, err)
		var st map[string]any
		require.NoError(t, json.Unmarshal(raw, &st))
		out[st["predicateType"].(string)] = append(out[st["predicateType"].(string)], st)
	}
	return out
}

func subjects(st map[string]any) []string {
	var out []string
	for _, s := range st["subject"].([]any) {
		out = append(out, "sha256:"+s.(map[string]any)["digest"].(map[string]any)["sha256"].(string))
	}
	return out
}

// debianStaged is ref staged for FIT 3.6.0 on debian with one variant per platform, in the order given.
func debianStaged(t *testing.T, ref string, platforms ...string) Staged {
	t.Helper()
	s := Staged{Ref: ref, Build: provenance.Build{
		Module:     provenance.Module{Repository: "https://github.com/example/fit-images", Commit: commit},
		FITVersion: "3.6.0", OS: "debian", Platforms: []string{"linux/amd64", "linux/arm64"}, Latest: "auto",
		Artifact: provenance.Artifact{URL: "https://example.com/3.6.0.zip", SHA256: digestOf(t, "c"), SumSource: "--checksum"},
	}}
	for _, p := range platforms {
		s.Variants = append(s.Variants, Variant{Platform: p, SBOM: bom(p), Base: provenance.Base{Name: "docker.io/library/debian:12-slim", Digest: digestOf(t, "b")}})
	}
	return s
}

// The index and both manifests are signed; each manifest carries its own SBOM and the provenance,
// the index both SBOMs and the provenance, whose subjects are all three digests.
func TestSignIndex(t *testing.T) {
	repo, ref, idx := staged(t)
	k, _ := key(t)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	amd, arm := m.Manifests[0].Digest.String(), m.Manifests[1].Digest.String()
	s := debianStaged(t, ref, "linux/arm64", "linux/amd64")
	got, err := Sign(context.Background(), s, k, repo, nil)
	require.NoError(t, err)
	index := ref[strings.Index(ref, "@")+1:]
	assert.Equal(t, Signed{Index: index, Manifests: map[string]string{"linux/amd64": amd, "linux/arm64": arm}}, got)
	assert.Contains(t, got.Detail(), "signed index sha256:")

	for _, d := range []string{index, amd, arm} {
		_, err := remote.Head(repo.Tag(strings.Replace(d, ":", "-", 1) + ".sig"))
		assert.NoError(t, err, "the .sig of %s", d)
	}
	for _, tc := range []struct {
		digest   string
		sboms    int
		platform string
	}{{amd, 1, "linux/amd64"}, {arm, 1, "linux/arm64"}, {index, 2, ""}} {
		sts := statements(t, repo, tc.digest)
		require.Len(t, sts[provenance.PredicateType], 1, tc.digest)
		assert.ElementsMatch(t, []string{index, amd, arm}, subjects(sts[provenance.PredicateType][0]))
		require.Len(t, sts[sbom.PredicateType], tc.sboms, tc.digest)
		if tc.platform != "" {
			assert.Contains(t, subjects(sts[sbom.PredicateType][0]), tc.digest)
			b, _ := json.Marshal(sts[sbom.PredicateType][0]["predicate"])
			assert.Contains(t, string(b), tc.platform)
		}
	}

	// signing again (a retried release) leaves one provenance and one SBOM per manifest
	_, err = Sign(context.Background(), s, k, repo, nil)
	require.NoError(t, err)
	assert.Len(t, statements(t, repo, amd)[sbom.PredicateType], 1)
}

// refusingReferrers is a registry that takes no manifest with a subject, as some registries
// refuse OCI 1.1 artifacts: 400 MANIFEST_INVALID.
func refusingReferrers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			body, _ := io.ReadAll(r.Body)
			if strings.Contains(string(body), `"subject"`) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}`)
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		}
		next.ServeHTTP(w, r)
	})
}

// A registry that refuses referrers still gets the cosign tags; the report says referrers are
// missing and why.
func TestSignWithoutReferrers(t *testing.T) {
	repo, ref, idx := staged(t, refusingReferrers)
	k, _ := key(t)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	s := debianStaged(t, ref, "linux/amd64", "linux/arm64")
	got, err := Sign(context.Background(), s, k, repo, nil)
	require.NoError(t, err, "the tags are what cosign reads by default: a refused referrer does not stop the release")
	assert.Contains(t, got.NoReferrers, "the registry refused the application/vnd.dev.cosign.artifact.sig.v1+json referrer")
	assert.Contains(t, got.Detail(), "; cosign tags only, no OCI referrers (")
	for _, d := range []string{ref[strings.Index(ref, "@")+1:], m.Manifests[0].Digest.String(), m.Manifests[1].Digest.String()} {
		_, err := remote.Head(repo.Tag(strings.Replace(d, ":", "-", 1) + ".sig"))
		assert.NoError(t, err, "the .sig of %s", d)
		sts := statements(t, repo, d)
		assert.Len(t, sts[provenance.PredicateType], 1, "the provenance of %s", d)
	}
}

// The key is read only when signing: a staged image that cannot be read never asks for it, and a
// key that cannot be read fails the signing with a message that quotes no secret.
func TestKeyReadAtSigning(t *testing.T) {
	repo, ref, _ := staged(t)
	asked := false
	k := func(context.Context) ([]byte, []byte, error) {
		asked = true
		return nil, nil, errors.New("no such secret")
	}
	_, err := Sign(context.Background(), Staged{Ref: repo.Name() + "@" + digestOf(t, "0"), Variants: []Variant{{Platform: "linux/amd64"}}}, k, repo, nil)
	assert.ErrorContains(t, err, "cannot read the staged")
	assert.False(t, asked)

	s := Staged{Ref: ref, Variants: []Variant{{Platform: "linux/amd64", SBOM: bom("x"), Base: provenance.Base{Name: "d", Digest: digestOf(t, "b")}}, {Platform: "linux/arm64", SBOM: bom("y"), Base: provenance.Base{Name: "d", Digest: digestOf(t, "b")}}},
		Build: provenance.Build{Module: provenance.Module{Repository: "https://github.com/example/fit-images", Commit: commit}, FITVersion: "3.6.0", OS: "debian", Artifact: provenance.Artifact{URL: "file:3.6.0.zip"}}}
	_, err = Sign(context.Background(), s, k, repo, nil)
	assert.ErrorContains(t, err, "cannot read the signing key: no such secret")
	empty := func(context.Context) ([]byte, []byte, error) { return nil, nil, nil }
	_, err = Sign(context.Background(), s, empty, repo, nil)
	assert.ErrorContains(t, err, "the signing key is empty")
}

// Match pairs variants and manifests by platform, and refuses what cannot be paired.
func TestMatch(t *testing.T) {
	d := func(c string) v1.Hash { h, _ := v1.NewHash(digestOf(t, c)); return h }
	ms := []v1.Descriptor{
		{Digest: d("1"), Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		{Digest: d("2"), Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
	}
	got, err := Match(digestOf(t, "9"), ms, []Variant{{Platform: "linux/arm64"}, {Platform: "linux/amd64"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"linux/amd64": digestOf(t, "1"), "linux/arm64": digestOf(t, "2")}, got)
	_, err = Match(digestOf(t, "9"), ms, []Variant{{Platform: "linux/s390x"}})
	assert.ErrorContains(t, err, "has no manifest for linux/s390x")
	got, err = Match(digestOf(t, "9"), nil, []Variant{{Platform: "linux/amd64"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"linux/amd64": digestOf(t, "9")}, got)
	_, err = Match(digestOf(t, "9"), nil, []Variant{{Platform: "linux/amd64"}, {Platform: "linux/arm64"}})
	assert.ErrorContains(t, err, "single manifest, but 2 platforms")
}
