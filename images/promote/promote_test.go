package promote

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/checklist"
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

func refs(os string) (string, []string) {
	return "r/fit-framework:3.6.1-" + os, []string{"r/fit-framework:3.6-" + os, "r/fit-framework:" + os}
}

func TestPlanImmutableFirst(t *testing.T) {
	plan := Plan([]Image{{"alpine", "s@" + dB}, {"debian", "s@" + dA}}, refs)
	var tos []string
	for _, c := range plan {
		tos = append(tos, c.Tag())
	}
	assert.Equal(t, []string{"3.6.1-alpine", "3.6.1-debian", "3.6-alpine", "alpine", "3.6-debian", "debian"}, tos)
	assert.False(t, plan[1].Floating)
	assert.True(t, plan[2].Floating)
}

func TestRun(t *testing.T) {
	plan := Plan([]Image{{"alpine", "s@" + dB}, {"debian", "s@" + dA}}, refs)
	cases := []struct {
		name    string
		copy    Copier
		verdict string
		moved   []string
	}{
		{"all move", func(_ context.Context, from, _ string) (string, error) { return digestOf(from), nil },
			"PASSED: 6 of 6 items passed", []string{"3.6.1-alpine", "3.6.1-debian", "3.6-alpine", "alpine", "3.6-debian", "debian"}},
		{"the second immutable push fails: no floating tag moves", func(_ context.Context, from, to string) (string, error) {
			if strings.HasSuffix(to, "3.6.1-debian") {
				return "", errors.New("denied")
			}
			return digestOf(from), nil
		}, "FAILED: 1 of 6 items failed, 4 skipped", []string{"3.6.1-alpine"}},
		{"a target serving another digest fails", func(context.Context, string, string) (string, error) { return dB, nil },
			"FAILED: 1 of 6 items failed, 4 skipped", []string{"3.6.1-alpine"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Run(context.Background(), "Promotion", plan, c.copy)
			assert.Equal(t, c.verdict, r.Verdict(), r.Text())
			var moved []string
			for _, it := range r.Items {
				if it.Status == checklist.Passed {
					moved = append(moved, strings.TrimPrefix(strings.TrimPrefix(it.Name, "alpine: "), "debian: "))
				}
			}
			assert.Equal(t, c.moved, moved)
		})
	}
	r := Run(context.Background(), "P", plan, func(context.Context, string, string) (string, error) { return dB, nil })
	assert.Contains(t, r.Text(), "r/fit-framework:3.6.1-debian serves "+dB+", not the tested "+dA)
	assert.Contains(t, r.Text(), "not moved: an immutable reference failed, so every floating tag stays where it was")
}
