package tests

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/require"
)

// What an attacker with write access to a registry can do to a signed release, done for real on
// the test-bed registry so that cosign's refusals are measured, not assumed: copy it, alter an
// attestation, move a tag.

// copyRef copies an image or an index, blobs included, from one reference to another.
func copyRef(t *testing.T, from, to string) {
	t.Helper()
	src, err := name.ParseReference(from, name.Insecure)
	require.NoError(t, err)
	dst, err := name.ParseReference(to, name.Insecure)
	require.NoError(t, err)
	desc, err := remote.Get(src)
	require.NoError(t, err, from)
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		require.NoError(t, err)
		require.NoError(t, remote.WriteIndex(dst, idx), to)
		return
	}
	img, err := desc.Image()
	require.NoError(t, err)
	require.NoError(t, remote.Write(dst, img), to)
}

// tamperedAttestations writes to `to` the attestation image of `from` (cosign's .att tag) with
// old replaced by new inside every DSSE payload that contains it, the signatures left as they
// were; it fails unless some payload changed.
func tamperedAttestations(t *testing.T, from, to, old, new string) {
	t.Helper()
	src, err := name.ParseReference(from, name.Insecure)
	require.NoError(t, err)
	dst, err := name.ParseReference(to, name.Insecure)
	require.NoError(t, err)
	img, err := remote.Image(src)
	require.NoError(t, err, from)
	m, err := img.Manifest()
	require.NoError(t, err)
	layers, err := img.Layers()
	require.NoError(t, err)
	out := mutate.MediaType(empty.Image, m.MediaType)
	out = mutate.ConfigMediaType(out, m.Config.MediaType)
	changed := 0
	for i, l := range layers {
		rc, err := l.Uncompressed()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		var env map[string]any
		require.NoError(t, json.Unmarshal(b, &env), "a DSSE envelope")
		payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
		require.NoError(t, err)
		if bytes.Contains(payload, []byte(old)) {
			env["payload"] = base64.StdEncoding.EncodeToString(bytes.ReplaceAll(payload, []byte(old), []byte(new)))
			b, err = json.Marshal(env)
			require.NoError(t, err)
			changed++
		}
		out, err = mutate.Append(out, mutate.Addendum{
			Layer:       static.NewLayer(b, types.MediaType(m.Layers[i].MediaType)),
			Annotations: m.Layers[i].Annotations,
		})
		require.NoError(t, err)
	}
	require.NotZero(t, changed, "no attestation of %s mentions %q", from, old)
	require.NoError(t, remote.Write(dst, out), to)
}

// cosignTag is the tag cosign keeps a digest's signature (suffix "sig") or attestations ("att") under.
func cosignTag(repo, digest, suffix string) string {
	return repo + ":" + strings.Replace(digest, ":", "-", 1) + "." + suffix
}

// moveTag points tag at another image (a random one: nobody signed it).
func moveTag(t *testing.T, tag string, img v1.Image) {
	t.Helper()
	r, err := name.ParseReference(tag, name.Insecure)
	require.NoError(t, err)
	require.NoError(t, remote.Write(r, img), tag)
}
