package provenance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseGitHub(t *testing.T) {
	run := `{"GITHUB_SERVER_URL":"https://github.com/","GITHUB_REPOSITORY":"example/fit-images","GITHUB_RUN_ID":"123",` +
		`"GITHUB_RUN_ATTEMPT":"2","GITHUB_WORKFLOW":"release","GITHUB_WORKFLOW_REF":"example/fit-images/.github/workflows/release.yml@refs/heads/main",` +
		`"GITHUB_EVENT_NAME":"workflow_dispatch","GITHUB_REF":"refs/heads/main","GITHUB_SHA":"` + commit + `"}`
	g, err := ParseGitHub(run)
	require.NoError(t, err)
	assert.Equal(t, GitHub{
		ServerURL: "https://github.com", Repository: "example/fit-images", RunID: "123", RunAttempt: "2",
		Workflow: "release", WorkflowRef: "example/fit-images/.github/workflows/release.yml@refs/heads/main",
		EventName: "workflow_dispatch", Ref: "refs/heads/main", SHA: commit,
	}, *g)
	assert.Equal(t, "https://github.com/example/fit-images/actions/runs/123/attempts/2", g.RunURL())

	g, err = ParseGitHub("  ")
	assert.NoError(t, err)
	assert.Nil(t, g, "no run given: none recorded")
	g, err = ParseGitHub(`{"GITHUB_SERVER_URL":"https://ghe.example.test","GITHUB_REPOSITORY":"o/r","GITHUB_RUN_ID":"7","GITHUB_SHA":""}`)
	require.NoError(t, err)
	assert.Equal(t, "https://ghe.example.test/o/r/actions/runs/7", g.RunURL(), "an empty value is left out")
}

func TestParseGitHubRefuses(t *testing.T) {
	const base = `"GITHUB_SERVER_URL":"https://github.com","GITHUB_REPOSITORY":"o/r","GITHUB_RUN_ID":"1"`
	tests := []struct {
		name, in, err string
	}{
		{"not JSON", `GITHUB_RUN_ID=1`, "not a JSON object of strings"},
		{"two objects", `{` + base + `}{}`, "not a JSON object of strings"},
		{"a number", `{` + base + `,"GITHUB_RUN_ATTEMPT":2}`, "not a JSON object of strings"},
		{"a token along", `{` + base + `,"GITHUB_TOKEN":"ghs_secret"}`, `unknown name "GITHUB_TOKEN"`},
		{"no run id", `{"GITHUB_SERVER_URL":"https://github.com","GITHUB_REPOSITORY":"o/r"}`, "needs GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID"},
		{"run id with shell", `{` + base + `,"GITHUB_RUN_ID":"1;id"}`, "GITHUB_RUN_ID is not what GitHub sets there"},
		{"repository with a quote", `{` + base + `,"GITHUB_REPOSITORY":"o/r'x"}`, "GITHUB_REPOSITORY is not"},
		{"short sha", `{` + base + `,"GITHUB_SHA":"7d8ef56"}`, "GITHUB_SHA is not"},
		{"newline in workflow", `{` + base + `,"GITHUB_WORKFLOW":"a\nb"}`, "control characters"},
		{"plain http server", `{` + base + `,"GITHUB_SERVER_URL":"http://github.com"}`, "not an https server URL"},
		{"server with a login", `{` + base + `,"GITHUB_SERVER_URL":"https://u:ghs_secret@github.com"}`, "not an https server URL"},
		{"server with a path", `{` + base + `,"GITHUB_SERVER_URL":"https://github.com/x"}`, "not an https server URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseGitHub(tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.NotContains(t, err.Error(), "ghs_secret", "a refused value is not repeated")
		})
	}
}
