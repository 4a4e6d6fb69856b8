package stale

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func d(c string) string { return "sha256:" + strings.Repeat(c, 64) }

// Only {V}-{OS} tags of the selected OSes are compared, oldest first; a moved base and a missing
// record are stale, an unchanged base is not; each base is resolved once.
func TestCompare(t *testing.T) {
	deb, alp := "docker.io/library/debian:12-slim", "docker.io/library/alpine:3.19"
	labels := map[string]map[string]string{
		"3.6.0-debian": {LabelBaseName: deb, LabelBaseDigest: d("a")},
		"3.6.1-debian": {LabelBaseName: deb, LabelBaseDigest: d("b")},
		"3.6.1-alpine": {LabelBaseName: alp, LabelBaseDigest: d("c")},
		"3.5.9-alpine": {},
	}
	resolved := map[string]int{}
	tags := []string{"3.6.1-debian", "3.6-debian", "debian", "latest-debian", "3.6.0-debian", "3.6.1-alpine", "3.5.9-alpine", "sha256-" + strings.Repeat("a", 64) + ".sig", "3.6.1-other"}
	got, err := Compare(context.Background(), tags, []string{"alpine", "debian"},
		func(_ context.Context, tag string) (map[string]string, error) { return labels[tag], nil },
		func(_ context.Context, name string) (string, error) {
			resolved[name]++
			return map[string]string{deb: d("b"), alp: d("c")}[name], nil
		})
	require.NoError(t, err)
	var lines []string
	for _, i := range got {
		lines = append(lines, i.Version+" "+i.OS+" "+i.Reason)
	}
	assert.Equal(t, []string{
		"3.5.9 alpine no base digest recorded (built before the base was recorded): rebuild to record it",
		"3.6.0 debian base moved",
		"3.6.1 alpine base unchanged",
		"3.6.1 debian base unchanged",
	}, lines)
	assert.Equal(t, map[string]int{deb: 1, alp: 1}, resolved)
	text := Text(got)
	assert.Contains(t, text, "3.6.0 debian  base "+deb+" moved: "+d("a")+" → "+d("b")+"\n")
	assert.Contains(t, text, "3.5.9 alpine  no base digest recorded")
	assert.NotContains(t, text, "3.6.1")
	assert.Equal(t, "no stale image: the base of each of the 1 published {V}-{OS} images is current\n", Text(got[2:3]))
}

// A label or a base that cannot be read fails, naming what.
func TestCompareErrors(t *testing.T) {
	_, err := Compare(context.Background(), []string{"3.6.0-debian"}, []string{"debian"},
		func(context.Context, string) (map[string]string, error) { return nil, errors.New("boom") }, nil)
	assert.ErrorContains(t, err, "cannot read the labels of 3.6.0-debian: boom")
	_, err = Compare(context.Background(), []string{"3.6.0-debian"}, []string{"debian"},
		func(context.Context, string) (map[string]string, error) {
			return map[string]string{LabelBaseName: "b", LabelBaseDigest: d("a")}, nil
		},
		func(context.Context, string) (string, error) { return "", errors.New("offline") })
	assert.ErrorContains(t, err, "cannot resolve the base b of 3.6.0-debian: offline")
}

// The catch-up's summary line says which base moved, from which digest to which, by the catalog's
// short name for a Docker Hub official image.
func TestWhy(t *testing.T) {
	assert.Equal(t, "debian:12-slim moved from "+d("a")+" to "+d("b"),
		Why(Image{Base: "docker.io/library/debian:12-slim", Recorded: d("a"), Current: d("b"), Stale: true, Reason: "base moved"}))
	assert.Equal(t, "localhost:5000/ns/debian:12-slim moved from "+d("a")+" to "+d("b"),
		Why(Image{Base: "localhost:5000/ns/debian:12-slim", Recorded: d("a"), Current: d("b"), Stale: true}), "another registry's base keeps its full name")
	assert.Equal(t, "no base digest recorded", Why(Image{Stale: true, Reason: "no base digest recorded"}))
}
