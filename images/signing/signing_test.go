package signing

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newKey is an encrypted key pair in cosign's format (sigstore writes what cosign writes).
func newKey(t *testing.T, password string) (priv, pub []byte) {
	t.Helper()
	priv, pub, err := cryptoutils.GeneratePEMEncodedECDSAKeyPair(elliptic.P256(), func(bool) ([]byte, error) { return []byte(password), nil })
	require.NoError(t, err)
	return priv, pub
}

// newRegistry is an in-process registry on 127.0.0.1 and a random port; the host:port. Options
// add to it (registry.WithReferrersSupport: the OCI 1.1 referrers API).
func newRegistry(t *testing.T, opts ...registry.Option) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(append([]registry.Option{registry.Logger(log.New(io.Discard, "", 0))}, opts...)...))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// pushRandom pushes a small random image under ref and returns its digest reference.
func pushRandom(t *testing.T, ref string) name.Digest {
	t.Helper()
	img, err := random.Image(512, 2)
	require.NoError(t, err)
	tag, err := name.NewTag(ref, name.Insecure)
	require.NoError(t, err)
	require.NoError(t, remote.Write(tag, img))
	d, err := img.Digest()
	require.NoError(t, err)
	dig, err := name.NewDigest(tag.Context().Name()+"@"+d.String(), name.Insecure)
	require.NoError(t, err)
	return dig
}

// stored are the layers under image's sig or att tag.
func stored(t *testing.T, image name.Digest, suffix string) []layer {
	t.Helper()
	tag, err := Tag(image, suffix)
	require.NoError(t, err)
	l, err := existing(tag, nil)
	require.NoError(t, err)
	return l
}

// statementAbout is a minimal in-toto statement of predicateType about digest.
func statementAbout(digest, predicateType, note string) []byte {
	b, _ := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": "fit", "digest": map[string]string{"sha256": strings.TrimPrefix(digest, "sha256:")}}},
		"predicateType": predicateType,
		"predicate":     map[string]any{"note": note},
	})
	return b
}

func TestLoad(t *testing.T) {
	priv, pub := newKey(t, "correct horse")
	s, err := Load(priv, []byte("correct horse"))
	require.NoError(t, err)
	got, err := s.PublicKeyPEM()
	require.NoError(t, err)
	assert.Equal(t, string(pub), string(got))

	_, err = Load(priv, []byte("wrong horse"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wrong password")
	assert.NotContains(t, err.Error(), "horse", "the password is never in a message")

	_, err = Load([]byte("not a key"), nil)
	assert.ErrorContains(t, err, "no PEM block")
	_, err = Load(pub, nil)
	assert.ErrorContains(t, err, "unknown PEM type")
	assert.NotContains(t, err.Error(), "MFkw", "no key material in a message")

	// an empty password is a password: cosign encrypts with it too
	priv, _ = newKey(t, "")
	_, err = Load(priv, nil)
	assert.NoError(t, err)
}

func TestTagAndPayload(t *testing.T) {
	d, err := name.NewDigest("registry.example.test/fit/fit-framework@sha256:" + strings.Repeat("a", 64))
	require.NoError(t, err)
	tag, err := Tag(d, SignatureSuffix)
	require.NoError(t, err)
	assert.Equal(t, "registry.example.test/fit/fit-framework:sha256-"+strings.Repeat("a", 64)+".sig", tag.String())

	p, err := Payload(d, "")
	require.NoError(t, err)
	assert.JSONEq(t, `{"critical":{"identity":{"docker-reference":"registry.example.test/fit/fit-framework"},
		"image":{"docker-manifest-digest":"sha256:`+strings.Repeat("a", 64)+`"},"type":"cosign container image signature"},"optional":null}`, string(p))
}

func TestSignAndAttestLayout(t *testing.T) {
	ctx := context.Background()
	host := newRegistry(t)
	image := pushRandom(t, host+"/fit/fit-framework:3.6.0-debian")
	priv, _ := newKey(t, "pw")
	s, err := Load(priv, []byte("pw"))
	require.NoError(t, err)

	require.NoError(t, s.Sign(ctx, image, ""))
	sigs := stored(t, image, SignatureSuffix)
	require.Len(t, sigs, 1)
	assert.Equal(t, SimpleSigningMediaType, sigs[0].mediaType)
	raw, err := base64.StdEncoding.DecodeString(sigs[0].annotations[SignatureAnnotation])
	require.NoError(t, err)
	assert.True(t, s.verifies(sigs[0].content, raw), "the annotation is this key's signature of the payload")

	require.NoError(t, s.Sign(ctx, image, ""), "signing again")
	assert.Len(t, stored(t, image, SignatureSuffix), 1, "signing again adds nothing")

	otherPriv, _ := newKey(t, "other")
	other, err := Load(otherPriv, []byte("other"))
	require.NoError(t, err)
	require.NoError(t, other.Sign(ctx, image, ""))
	assert.Len(t, stored(t, image, SignatureSuffix), 2, "another key's signature is added beside")

	sbom := statementAbout(image.DigestStr(), "https://cyclonedx.org/bom", "first")
	prov := statementAbout(image.DigestStr(), "https://slsa.dev/provenance/v1", "first")
	require.NoError(t, s.Attest(ctx, image, [][]byte{sbom, prov}))
	atts := stored(t, image, AttestationSuffix)
	require.Len(t, atts, 2)
	assert.Equal(t, DSSEMediaType, atts[0].mediaType)
	assert.Equal(t, "https://cyclonedx.org/bom", atts[0].annotations[PredicateTypeAnnotation])
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
	}
	require.NoError(t, json.Unmarshal(atts[0].content, &env))
	assert.Equal(t, InTotoPayloadType, env.PayloadType)
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	require.NoError(t, err)
	assert.Equal(t, string(sbom), string(payload))
	assert.True(t, s.opens(atts[0].content))
	assert.False(t, other.opens(atts[0].content), "another key does not open it")

	require.NoError(t, other.Attest(ctx, image, [][]byte{statementAbout(image.DigestStr(), "https://cyclonedx.org/bom", "other's")}))
	require.NoError(t, s.Attest(ctx, image, [][]byte{statementAbout(image.DigestStr(), "https://cyclonedx.org/bom", "second")}))
	atts = stored(t, image, AttestationSuffix)
	require.Len(t, atts, 3, "this key's SBOM replaced, its provenance and the other key's SBOM kept")
	var notes []string
	for _, l := range atts {
		require.NoError(t, json.Unmarshal(l.content, &env))
		p, _ := base64.StdEncoding.DecodeString(env.Payload)
		var st struct {
			PredicateType string            `json:"predicateType"`
			Predicate     map[string]string `json:"predicate"`
		}
		require.NoError(t, json.Unmarshal(p, &st))
		notes = append(notes, st.PredicateType+" "+st.Predicate["note"])
	}
	assert.ElementsMatch(t, []string{"https://slsa.dev/provenance/v1 first", "https://cyclonedx.org/bom other's", "https://cyclonedx.org/bom second"}, notes)
}

func TestAttestRefuses(t *testing.T) {
	ctx := context.Background()
	host := newRegistry(t)
	image := pushRandom(t, host+"/fit/fit-framework:x")
	priv, _ := newKey(t, "pw")
	s, err := Load(priv, []byte("pw"))
	require.NoError(t, err)

	err = s.Attest(ctx, image, [][]byte{statementAbout("sha256:"+strings.Repeat("0", 64), "https://cyclonedx.org/bom", "")})
	assert.ErrorContains(t, err, "not about "+image.DigestStr())
	err = s.Attest(ctx, image, [][]byte{[]byte(`{"subject":[]}`)})
	assert.ErrorContains(t, err, "not an in-toto statement")
	assert.Empty(t, stored(t, image, AttestationSuffix), "nothing pushed when a statement is refused")

	missing, err := name.NewDigest(host+"/fit/fit-framework@sha256:"+strings.Repeat("1", 64), name.Insecure)
	require.NoError(t, err)
	assert.ErrorContains(t, s.Sign(ctx, missing, ""), "not in the registry")
}

// referrers are the referrers of image by artifact type: digest and layer count of each.
func referrers(t *testing.T, image name.Digest) map[string][]int {
	t.Helper()
	idx, err := remote.Referrers(image)
	require.NoError(t, err)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	out := map[string][]int{}
	for _, d := range m.Manifests {
		img, err := remote.Image(image.Context().Digest(d.Digest.String()))
		require.NoError(t, err)
		mf, err := img.Manifest()
		require.NoError(t, err)
		require.NotNil(t, mf.Subject, "a referrer names its subject")
		assert.Equal(t, image.DigestStr(), mf.Subject.Digest.String())
		assert.Equal(t, d.ArtifactType, string(mf.Config.MediaType), "listed under its config media type")
		out[d.ArtifactType] = append(out[d.ArtifactType], len(mf.Layers))
	}
	return out
}

// Signatures and attestations are referrers of the image too: listed by a registry's referrers
// API, or, on a registry without one, in the referrers tag sha256-HEX; storing the same content
// again adds no second referrer.
func TestReferrers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []registry.Option
		fallback bool
	}{
		{"referrers API", []registry.Option{registry.WithReferrersSupport(true)}, false},
		{"no referrers API", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			image := pushRandom(t, newRegistry(t, tc.opts...)+"/fit/fit-framework:3.6.0-debian")
			priv, _ := newKey(t, "pw")
			s, err := Load(priv, []byte("pw"))
			require.NoError(t, err)
			require.NoError(t, s.Sign(ctx, image, ""))
			require.NoError(t, s.Sign(ctx, image, ""), "signing again")
			require.NoError(t, s.Attest(ctx, image, [][]byte{
				statementAbout(image.DigestStr(), "https://cyclonedx.org/bom", "one"),
				statementAbout(image.DigestStr(), "https://slsa.dev/provenance/v1", "one"),
			}))
			assert.Equal(t, map[string][]int{SignatureArtifactType: {1}, AttestationArtifactType: {2}}, referrers(t, image))

			_, err = remote.Head(image.Context().Tag(strings.Replace(image.DigestStr(), ":", "-", 1)))
			if tc.fallback {
				assert.NoError(t, err, "without the API the referrers tag holds them")
			} else {
				assert.Error(t, err, "with the API no referrers tag is written")
			}
		})
	}
}
