package provenance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func digest(c string) string { return "sha256:" + strings.Repeat(c, 64) }

const commit = "7d8ef56aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func build() Build {
	return Build{
		Subjects: []Subject{
			{Name: "registry.example.test/fit/fit-framework", Digest: digest("b")}, // amd64 manifest
			{Name: "registry.example.test/fit/fit-framework", Digest: digest("a")}, // index
		},
		Module:     Module{Repository: "https://github.com/example/fit-images", Commit: commit, Dagger: "v0.21.8"},
		FITVersion: "3.6.0",
		OS:         "debian",
		Platforms:  []string{"linux/arm64", "linux/amd64"},
		Latest:     "auto",
		Artifact: Artifact{
			URL:       "https://github.com/ModelEngine-Group/fit-framework/releases/download/v3.6.0/3.6.0.zip",
			SHA256:    digest("c"),
			SumSource: "the pinned sums (images/release/checksums.txt)",
		},
		Bases: []Base{
			{Name: "debian:12-slim", Digest: digest("e"), Platform: "linux/arm64"},
			{Name: "debian:12-slim", Digest: digest("d"), Platform: "linux/amd64"},
		},
		Started:  time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
		Finished: time.Date(2026, 12, 4, 10, 5, 0, 0, time.UTC),
	}
}

// doc is a statement decoded to plain JSON values, to look into by path.
func doc(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func TestGenerate(t *testing.T) {
	b, err := Generate(build())
	require.NoError(t, err)
	m := doc(t, b)
	assert.Equal(t, "https://in-toto.io/Statement/v1", m["_type"])
	assert.Equal(t, PredicateType, m["predicateType"])
	assert.Equal(t, strings.Repeat("a", 64), at(m, "subject", 0, "digest", "sha256"), "subjects sorted by digest")
	assert.Equal(t, strings.Repeat("b", 64), at(m, "subject", 1, "digest", "sha256"))
	assert.Equal(t, "registry.example.test/fit/fit-framework", at(m, "subject", 0, "name"))

	def := at(m, "predicate", "buildDefinition")
	assert.Equal(t, "https://github.com/example/fit-images/blob/main/docs/supply-chain.md#provenance", at(def, "buildType"))
	assert.Equal(t, map[string]any{"fitVersion": "3.6.0", "os": "debian", "platforms": []any{"linux/amd64", "linux/arm64"}, "latest": "auto"},
		at(def, "externalParameters"))
	deps, _ := at(def, "resolvedDependencies").([]any)
	require.Len(t, deps, 4, "the zip, two bases, the module")
	assert.Equal(t, map[string]any{
		"name": "3.6.0.zip", "uri": "https://github.com/ModelEngine-Group/fit-framework/releases/download/v3.6.0/3.6.0.zip",
		"digest":      map[string]any{"sha256": strings.Repeat("c", 64)},
		"annotations": map[string]any{"sha256Source": "the pinned sums (images/release/checksums.txt)"},
	}, deps[0])
	assert.Equal(t, "debian:12-slim@"+digest("d"), at(deps[1], "uri"), "bases by digest, in platform order")
	assert.Equal(t, "linux/amd64", at(deps[1], "annotations", "platform"))
	assert.Equal(t, "debian:12-slim@"+digest("e"), at(deps[2], "uri"))
	assert.Equal(t, map[string]any{"uri": "git+https://github.com/example/fit-images@" + commit, "digest": map[string]any{"gitCommit": commit}}, deps[3])

	run := at(m, "predicate", "runDetails")
	assert.Equal(t, "https://github.com/example/fit-images@"+commit, at(run, "builder", "id"))
	assert.Equal(t, "v0.21.8", at(run, "builder", "version", "dagger"))
	assert.Equal(t, "2026-12-04T10:00:00Z", at(run, "metadata", "startedOn"))
	assert.Equal(t, "2026-12-04T10:05:00Z", at(run, "metadata", "finishedOn"))
	assert.Nil(t, at(run, "metadata", "invocationId"), "no run outside Actions")
	assert.Nil(t, at(def, "internalParameters"))
}

func TestGenerateDeterministic(t *testing.T) {
	a, err := Generate(build())
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		b := build()
		// the same build described in another order
		b.Subjects[0], b.Subjects[1] = b.Subjects[1], b.Subjects[0]
		b.Platforms[0], b.Platforms[1] = b.Platforms[1], b.Platforms[0]
		b.Bases[0], b.Bases[1] = b.Bases[1], b.Bases[0]
		got, err := Generate(b)
		require.NoError(t, err)
		require.Equal(t, string(a), string(got))
	}
	assert.NotContains(t, string(a), "\n", "compact JSON: no whitespace that could vary")
	assert.NotContains(t, string(a), ", ")
}

func TestGenerateGitHub(t *testing.T) {
	b := build()
	b.GitHub = &GitHub{
		ServerURL: "https://github.com", Repository: "example/fit-images", RunID: "123", RunAttempt: "2",
		Workflow: "release", WorkflowRef: "example/fit-images/.github/workflows/release.yml@refs/heads/main",
		EventName: "workflow_dispatch", Ref: "refs/heads/main", SHA: commit,
	}
	out, err := Generate(b)
	require.NoError(t, err)
	m := doc(t, out)
	assert.Equal(t, "https://github.com/example/fit-images/actions/runs/123/attempts/2", at(m, "predicate", "runDetails", "metadata", "invocationId"))
	assert.Equal(t, "example/fit-images/.github/workflows/release.yml@refs/heads/main", at(m, "predicate", "buildDefinition", "internalParameters", "github", "workflowRef"))
	assert.Len(t, at(m, "predicate", "buildDefinition", "resolvedDependencies"), 4, "the workflow's commit is the module's: listed once")

	other := strings.Repeat("f", 40)
	b.GitHub.SHA, b.GitHub.Repository = other, "example/caller"
	out, err = Generate(b)
	require.NoError(t, err)
	deps := at(doc(t, out), "predicate", "buildDefinition", "resolvedDependencies").([]any)
	require.Len(t, deps, 5)
	assert.Equal(t, "git+https://github.com/example/caller@"+other, at(deps[4], "uri"))
}

func TestGenerateRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Build)
		err    string
	}{
		{"no subject", func(b *Build) { b.Subjects = nil }, "at least one subject"},
		{"subject by tag", func(b *Build) { b.Subjects[0].Digest = "3.6.0-debian" }, "expected sha256"},
		{"short commit", func(b *Build) { b.Module.Commit = "7d8ef56" }, "full 40-hex commit"},
		{"repository not https", func(b *Build) { b.Module.Repository = "git@github.com:example/fit-images" }, "not an https URL"},
		{"no OS", func(b *Build) { b.OS = "" }, "required"},
		{"no zip URL", func(b *Build) { b.Artifact.URL = "" }, "URL is required"},
		{"bad zip sum", func(b *Build) { b.Artifact.SHA256 = "md5:00" }, "zip's sum"},
		{"base by tag", func(b *Build) { b.Bases[0].Digest = "12-slim" }, "base image"},
		{"GitHub run without id", func(b *Build) { b.GitHub = &GitHub{ServerURL: "https://github.com", Repository: "x/y"} }, "GITHUB_RUN_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := build()
			tt.change(&b)
			_, err := Generate(b)
			assert.ErrorContains(t, err, tt.err)
		})
	}
}

func TestGenerateUnverifiedZip(t *testing.T) {
	b := build()
	b.Artifact.SHA256, b.Artifact.SumSource = "", ""
	b.Started, b.Finished = time.Time{}, time.Time{}
	out, err := Generate(b)
	require.NoError(t, err)
	m := doc(t, out)
	zip := at(m, "predicate", "buildDefinition", "resolvedDependencies", 0)
	assert.Nil(t, at(zip, "digest"), "no sum claimed for a zip nobody checked")
	assert.Nil(t, at(m, "predicate", "runDetails", "metadata"), "no times, no metadata")
}

func TestStatement(t *testing.T) {
	bom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"name":"bash","type":"library"}]}`)
	out, err := Statement([]Subject{{Name: "r/fit-framework", Digest: digest("a")}}, "https://cyclonedx.org/bom", bom)
	require.NoError(t, err)
	m := doc(t, out)
	assert.Equal(t, "https://cyclonedx.org/bom", m["predicateType"])
	assert.Equal(t, "1.6", at(m, "predicate", "specVersion"))
	assert.Equal(t, "bash", at(m, "predicate", "components", 0, "name"))
	assert.InDelta(t, 1, at(m, "predicate", "version"), 0)
	again, err := Statement([]Subject{{Name: "r/fit-framework", Digest: digest("a")}, {Name: "r/fit-framework", Digest: digest("a")}}, "https://cyclonedx.org/bom", bom)
	require.NoError(t, err)
	assert.Equal(t, string(out), string(again), "a subject given twice is listed once")

	_, err = Statement([]Subject{{Digest: digest("a")}}, "https://cyclonedx.org/bom", []byte(`[1]`))
	assert.ErrorContains(t, err, "not a JSON object")
	_, err = Statement([]Subject{{Digest: digest("a")}}, "", bom)
	assert.ErrorContains(t, err, "predicate type")
}
