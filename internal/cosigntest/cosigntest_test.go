package cosigntest

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FIT_COSIGN", "")
	t.Setenv("FIT_TESTBED_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", dir)
	cache := filepath.Join(dir, "fit-testbed")

	p, c, err := lookup()
	require.NoError(t, err)
	assert.Empty(t, p, "an empty cache has none")
	assert.Equal(t, cache, c)
	assert.Contains(t, missing(c), "NOT VERIFIED BY COSIGN")
	assert.Contains(t, missing(c), cache, "says where hack/cosign puts it")

	for _, d := range []string{"cosign-" + Version + "-go1.25.1", "cosign-" + Version + "-go1.26.8", "cosign-v2.0.0-go1.26.8"} {
		require.NoError(t, os.MkdirAll(filepath.Join(cache, d), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(cache, d, "cosign"), nil, 0o755))
	}
	p, _, err = lookup()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(cache, "cosign-"+Version+"-go1.26.8", "cosign"), p, "the pinned version, built by the newest Go")

	t.Setenv("FIT_TESTBED_CACHE", filepath.Join(dir, "elsewhere"))
	p, c, err = lookup()
	require.NoError(t, err)
	assert.Empty(t, p)
	assert.Equal(t, filepath.Join(dir, "elsewhere"), c, "FIT_TESTBED_CACHE first")

	t.Setenv("FIT_COSIGN", filepath.Join(dir, "nope"))
	_, _, err = lookup()
	assert.ErrorContains(t, err, "FIT_COSIGN="+filepath.Join(dir, "nope"), "a binary asked for by name must exist")
}

func TestPayloads(t *testing.T) {
	st := `{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://cyclonedx.org/bom"}`
	out := "Verification for x --\nsome text\n" +
		`{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString([]byte(st)) + `","signatures":[]}` + "\n"
	assert.Equal(t, [][]byte{[]byte(st)}, Payloads(t, out))
	assert.Equal(t, st, Statement(t, out, "https://cyclonedx.org/bom"))
	sts := Statements(t, out)
	require.Len(t, sts, 1)
	assert.Equal(t, "https://cyclonedx.org/bom", sts[0]["predicateType"])
}
