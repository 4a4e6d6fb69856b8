package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/release"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"1.5GB": 1_500_000_000, "700MB": 700_000_000, "1MB": 1_000_000, "1mb": 1_000_000, "500 kB": 500_000,
		"2G": 2_000_000_000, "123456": 123456, "10B": 10, "1KiB": 1024, "1.5 GiB": 1_610_612_736, " 0.5MB ": 500_000, ".5GB": 500_000_000,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{"", "GB", "1.5XB", "-1MB", "1,5GB", "0", "0MB", "0.1B", "1e9", "1.5 G B", "9999999999TB", "NaN"} {
		_, err := ParseSize(in)
		assert.Error(t, err, in)
		assert.IsType(t, usageError{}, err, in)
	}
	assert.Equal(t, "1.5 GB", FormatSize(1_500_000_000))
	assert.Equal(t, "2 GB", FormatSize(2_000_000_000))
	assert.Equal(t, "700 MB", FormatSize(700_000_000))
	assert.Equal(t, "85.3 MB", FormatSize(85_312_000))
	assert.Equal(t, "1 MB", FormatSize(1_000_000))
	assert.Equal(t, "12.3 kB", FormatSize(12_345))
	assert.Equal(t, "999 B", FormatSize(999))
	assert.NotPanics(t, func() { FormatSize(math.MaxInt64) })
}

func TestScanReadme(t *testing.T) {
	names := catalog.Names()
	readme := strings.Join([]string{
		"# FIT base images", // 1
		"docker pull modelengine/fit-framework:3.6.0-alpine",                                    // 2
		"docker run fit-framework:3.6.0-debian fit help",                                        // 3
		"Floating: fit-framework:debian, fit-framework:3.6-alpine, fit-framework:latest-debian", // 4
		"Placeholder: fit-framework:${VERSION}-debian",                                          // 5
		"go run ./ci e2e --os debian --version 3.5.2",                                           // 6
		"dagger call build --version=v3.7.0-rc.1 --os alpine",                                   // 7
		"`localhost:5000/fit-framework:3.7.0-rc.1-debian`.",                                     // 8
		"fit-framework:3.6.0-ubuntu is not an OS we build",                                      // 9
		"--versions 1.2.3 and --version-file x are other flags",                                 // 10
	}, "\n")
	refs := ScanReadme(readme, names)
	require.Len(t, refs, 5, "%+v", refs)
	assert.Equal(t, VersionRef{Line: 2, Text: "fit-framework:3.6.0-alpine", Version: "3.6.0"}, refs[0])
	assert.Equal(t, VersionRef{Line: 3, Text: "fit-framework:3.6.0-debian", Version: "3.6.0"}, refs[1])
	assert.Equal(t, VersionRef{Line: 6, Text: "--version 3.5.2", Version: "3.5.2"}, refs[2])
	assert.Equal(t, VersionRef{Line: 7, Text: "--version=v3.7.0-rc.1", Version: "3.7.0-rc.1"}, refs[3])
	assert.Equal(t, VersionRef{Line: 8, Text: "fit-framework:3.7.0-rc.1-debian", Version: "3.7.0-rc.1"}, refs[4])

	v360, _ := release.ParseVersion("3.6.0")
	ok, detail := CheckReadme("README.md", readme, v360, names)
	assert.False(t, ok)
	assert.Equal(t, "3 of 5 references do not name 3.6.0: README.md:6: --version 3.5.2; README.md:7: --version=v3.7.0-rc.1; README.md:8: fit-framework:3.7.0-rc.1-debian", detail)

	ok, detail = CheckReadme("README.md", "docker pull fit-framework:3.6.0-debian\n--version 3.6.0\n", v360, names)
	assert.True(t, ok)
	assert.Equal(t, "all 2 references in README.md name 3.6.0", detail)

	ok, detail = CheckReadme("README.md", "# nothing versioned here\nfit-framework:debian\n", v360, names)
	assert.True(t, ok, "no reference passes")
	assert.Contains(t, detail, "no version reference")

	many := strings.Repeat("fit-framework:3.5.0-debian\n", 8)
	ok, detail = CheckReadme("R", many, v360, names)
	assert.False(t, ok)
	assert.True(t, strings.HasPrefix(detail, "8 of 8 references"), detail)
	assert.Contains(t, detail, "… and 3 more")
}

func TestCheckReadmeFile(t *testing.T) {
	v, _ := release.ParseVersion("3.6.0")
	dir := t.TempDir()
	missing := filepath.Join(dir, "README.md")
	assert.Equal(t, Skip, checkReadmeFile(missing, false, v).Status, "the default README may be absent")
	assert.Equal(t, Fail, checkReadmeFile(missing, true, v).Status, "an explicit --readme must exist")
	require.NoError(t, os.WriteFile(missing, []byte("fit-framework:3.5.0-alpine\n"), 0o644))
	it := checkReadmeFile(missing, false, v)
	assert.Equal(t, Fail, it.Status)
	assert.Contains(t, it.Detail, "README.md:1: fit-framework:3.5.0-alpine")
}

func TestChecklistRendering(t *testing.T) {
	cl := Checklist{Title: "Release checklist: FIT 3.6.0"}
	cl.pass("version well-formed", "3.6.0 (final release)")
	cl.add("not yet published", Fail, "localhost:5000/fit-framework already has 3.6.0-debian", 1500*time.Millisecond)
	cl.skip("artifact checksum", "not verified: no checksum")
	cl.add("debian: e2e", Pass, "9 steps | passed\nall good", 65*time.Second)
	cl.Details = []string{"<details><summary>e2e steps: debian</summary>\n\n| Step |\n</details>"}

	p, f, s := cl.Count()
	assert.Equal(t, []int{2, 1, 1}, []int{p, f, s})
	assert.False(t, cl.OK())
	assert.Equal(t, "FAILED: 1 of 4 items failed, 1 skipped", cl.Verdict())

	assert.Equal(t, `Release checklist: FIT 3.6.0
  ✅ version well-formed  3.6.0 (final release)
  ❌ not yet published    localhost:5000/fit-framework already has 3.6.0-debian (1.5s)
  ➖ artifact checksum    not verified: no checksum
  ✅ debian: e2e          9 steps | passed all good (65.0s)
FAILED: 1 of 4 items failed, 1 skipped
`, cl.Text())

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
`, cl.Markdown())

	ok := Checklist{Title: "T"}
	ok.pass("a", "")
	ok.skip("b", "")
	assert.True(t, ok.OK())
	assert.Equal(t, "PASSED: 1 of 2 items passed, 1 skipped", ok.Verdict())
	assert.Contains(t, ok.Markdown(), "**✅ PASSED")
}
