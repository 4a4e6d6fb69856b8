package tests

import (
	"strconv"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"
)

// createdUTC is the created label of the one commit time that the tests of build, build-all, publish,
// release-check and promote pass to --created, each with another offset (-05:00, +08:00, +05:30)
const createdUTC = "2026-12-02T10:04:05Z"

// createdLabel is the org.opencontainers.image.created label of an image in the test bed's registry.
func createdLabel(t *testing.T, ref string) string {
	t.Helper()
	return configLabels(t, ref)["org.opencontainers.image.created"]
}

// configLabels are the config labels of an image in the test bed's registry (of its linux/amd64
// image when ref names an index).
func configLabels(t *testing.T, ref string) map[string]string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	require.NoError(t, err)
	img, err := remote.Image(r)
	require.NoError(t, err, ref)
	cfg, err := img.ConfigFile()
	require.NoError(t, err, ref)
	return cfg.Config.Labels
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}
