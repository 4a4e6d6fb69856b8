package checklist

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sample() Report {
	r := Report{Title: "Release checklist: FIT 3.6.0", Version: "3.6.0"}
	r.Pass("version well-formed", "3.6.0 (final release)")
	r.Add("not yet published", Failed, "localhost:5000/fit-framework already has 3.6.0-debian", 1500*time.Millisecond)
	r.Skip("artifact checksum", "not verified: no checksum")
	r.Add("debian: e2e", Passed, "9 steps | passed\nall good", 65*time.Second)
	r.Details = []string{"<details><summary>e2e steps: debian</summary>\n\n| Step |\n</details>"}
	return r
}

func TestCountsAndVerdict(t *testing.T) {
	cases := []struct {
		items   []Status
		counts  Counts
		ok      bool
		verdict string
	}{
		{nil, Counts{}, false, "FAILED: no item was checked"},
		{[]Status{Passed, Passed}, Counts{2, 0, 0, 2}, true, "PASSED: 2 of 2 items passed"},
		{[]Status{Passed, Skipped}, Counts{1, 0, 1, 2}, true, "PASSED: 1 of 2 items passed, 1 skipped"},
		{[]Status{Passed, Failed, Skipped, Passed}, Counts{2, 1, 1, 4}, false, "FAILED: 1 of 4 items failed, 1 skipped"},
		{[]Status{Failed, Failed}, Counts{0, 2, 0, 2}, false, "FAILED: 2 of 2 items failed"},
	}
	for _, c := range cases {
		var r Report
		for i, s := range c.items {
			r.Add(string(rune('a'+i)), s, "", 0)
		}
		assert.Equal(t, c.counts, r.Count(), c.verdict)
		assert.Equal(t, c.ok, r.OK(), c.verdict)
		assert.Equal(t, c.verdict, r.Verdict())
	}
}

func TestText(t *testing.T) {
	assert.Equal(t, `Release checklist: FIT 3.6.0
  ✅ version well-formed  3.6.0 (final release)
  ❌ not yet published    localhost:5000/fit-framework already has 3.6.0-debian (1.5s)
  ➖ artifact checksum    not verified: no checksum
  ✅ debian: e2e          9 steps | passed all good (65.0s)
FAILED: 1 of 4 items failed, 1 skipped
`, sample().Text())
}

func TestMarkdown(t *testing.T) {
	assert.Equal(t, `### Release checklist: FIT 3.6.0

| | Item | Detail | Time |
|---|---|---|---|
| ✅ | version well-formed | 3.6.0 (final release) |  |
| ❌ | not yet published | localhost:5000/fit-framework already has 3.6.0-debian | 1.5s |
| ➖ | artifact checksum | not verified: no checksum |  |
| ✅ | debian: e2e | 9 steps \| passed<br>all good | 65.0s |

**❌ FAILED: 1 of 4 items failed, 1 skipped**

<details><summary>e2e steps: debian</summary>

| Step |
</details>
`, sample().Markdown())
}

func TestJSONRoundTrip(t *testing.T) {
	r := sample()
	r.Staged = map[string]string{"debian": "localhost:5000/s/fit-framework@sha256:" + "ab"}
	out := r.JSON()
	assert.Contains(t, out, `"status": "failed"`)
	assert.Contains(t, out, `"verdict": "FAILED: 1 of 4 items failed, 1 skipped"`)
	assert.Contains(t, out, `"failed": [
    "not yet published"
  ]`)
	back, err := Parse(out)
	require.NoError(t, err)
	assert.Equal(t, r, back)
	assert.Equal(t, r.Text(), back.Text(), "the driver renders what the module rendered")

	_, err = Parse(`{"items":[{"name":"x","status":"PASS"}]}`)
	assert.EqualError(t, err, `item "x" has an unknown status "PASS"`)
	_, err = Parse("Release checklist: FIT 3.6.0\n")
	assert.ErrorContains(t, err, "not a release checklist in JSON")
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]string{"": "text", "text": "text", "json": "json"} {
		got, err := ParseFormat(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseFormat("yaml")
	assert.EqualError(t, err, `unknown --format "yaml": use text or json`)
	assert.Equal(t, sample().JSON(), sample().Format("json"))
	assert.Equal(t, sample().Text(), sample().Format("text"))
}
