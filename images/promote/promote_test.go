package promote

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/rollout"
)

var (
	dA = "sha256:" + strings.Repeat("a", 64)
	dB = "sha256:" + strings.Repeat("b", 64)
)

func TestParseImages(t *testing.T) {
	got, err := ParseImages("debian=s/fit-framework@" + dA + ", alpine=s/fit-framework@" + dB)
	require.NoError(t, err)
	assert.Equal(t, []Image{{"alpine", "s/fit-framework@" + dB}, {"debian", "s/fit-framework@" + dA}}, got, "the catalog's order")
	assert.Equal(t, dA, got[1].Digest())
	assert.Equal(t, "s/fit-framework", got[1].Repo())

	for in, want := range map[string]string{
		"":                                       "no --images given",
		"debian":                                 "malformed --images entry",
		"windows=s/fit-framework@" + dA:          "unknown OS",
		"debian=s/fit-framework:3.6.0-debian":    "not a reference by digest",
		"debian=s/fit-framework@sha256:abc":      "not a reference by digest",
		"debian=s/f@" + dA + ",debian=s/f@" + dB: "names debian twice",
	} {
		_, err := ParseImages(in)
		assert.ErrorContains(t, err, want, in)
	}
}

func TestPusherCopiesTheStagedDigest(t *testing.T) {
	images := []Image{{"alpine", "s/fit-framework@" + dB}, {"debian", "s/fit-framework@" + dA}}
	var copied []string
	copier := func(_ context.Context, from, to string) (string, error) {
		copied = append(copied, from+" -> "+to)
		switch {
		case strings.HasSuffix(to, "-alpine"):
			return dA, nil // serves another image than the staged one
		case strings.HasSuffix(to, ":debian"):
			return "", errors.New("push rejected: 403")
		}
		return release.DigestOf(from), nil
	}
	push := Pusher(images, copier)
	got, err := push(context.Background(), "debian", "r/fit-framework:3.6.1-debian")
	require.NoError(t, err)
	assert.Equal(t, "r/fit-framework:3.6.1-debian@"+dA, got)
	_, err = push(context.Background(), "alpine", "r/fit-framework:3.6.1-alpine")
	assert.ErrorContains(t, err, "serves "+dA+", not the tested "+dB)
	_, err = push(context.Background(), "debian", "r/fit-framework:debian")
	assert.ErrorContains(t, err, "403")
	_, err = push(context.Background(), "ubuntu", "r/fit-framework:3.6.1-ubuntu")
	assert.ErrorContains(t, err, "no staged image of ubuntu")
	assert.Equal(t, []string{"s/fit-framework@" + dA + " -> r/fit-framework:3.6.1-debian", "s/fit-framework@" + dB + " -> r/fit-framework:3.6.1-alpine",
		"s/fit-framework@" + dA + " -> r/fit-framework:debian"}, copied)
}

func TestReportOfAnOutcome(t *testing.T) {
	r := release.Registry("r/")
	o := rollout.Outcome{Pushes: []rollout.Pushed{
		{OS: "alpine", Push: report.Push{Ref: "r/fit-framework:3.6.1-alpine", State: report.Pushed, Digest: "r/fit-framework:3.6.1-alpine@" + dB}},
		{OS: "debian", Push: report.Push{Ref: "r/fit-framework:3.6.1-debian", State: report.PushFailed, Detail: "push rejected: 403"}},
		{OS: "alpine", Push: report.Push{Ref: "r/fit-framework:alpine", Floating: true, State: report.NotPushed, Detail: "left where it was"}},
	}}
	rep := Report("Promotion", r, o)
	assert.Equal(t, "FAILED: 1 of 3 items failed, 1 skipped", rep.Verdict())
	require.Len(t, rep.Items, 3)
	assert.Equal(t, "alpine: 3.6.1-alpine", rep.Items[0].Name)
	assert.Equal(t, "r/fit-framework:3.6.1-alpine → "+dB, rep.Items[0].Detail)
	assert.Equal(t, checklist.Failed, rep.Items[1].Status)
	assert.Equal(t, "not pushed: left where it was", rep.Items[2].Detail)
}
