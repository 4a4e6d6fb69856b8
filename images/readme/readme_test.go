package readme

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/release"
)

func TestScan(t *testing.T) {
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
	refs := Scan(readme, catalog.Names())
	require.Len(t, refs, 5, "%+v", refs)
	assert.Equal(t, []VersionRef{
		{Line: 2, Text: "fit-framework:3.6.0-alpine", Version: "3.6.0"},
		{Line: 3, Text: "fit-framework:3.6.0-debian", Version: "3.6.0"},
		{Line: 6, Text: "--version 3.5.2", Version: "3.5.2"},
		{Line: 7, Text: "--version=v3.7.0-rc.1", Version: "3.7.0-rc.1"},
		{Line: 8, Text: "fit-framework:3.7.0-rc.1-debian", Version: "3.7.0-rc.1"},
	}, refs)

	v360, _ := release.ParseVersion("3.6.0")
	cases := []struct {
		content string
		ok      bool
		detail  string
	}{
		{readme, false, "3 of 5 references do not name 3.6.0: README.md:6: --version 3.5.2; README.md:7: --version=v3.7.0-rc.1; README.md:8: fit-framework:3.7.0-rc.1-debian"},
		{"docker pull fit-framework:3.6.0-debian\n--version 3.6.0\n", true, "all 2 references in README.md name 3.6.0"},
		{"# nothing versioned here\nfit-framework:debian\n", true, "README.md has no version reference (fit-framework:X.Y.Z-OS or --version X.Y.Z): nothing to update"},
	}
	for _, c := range cases {
		ok, detail := Check("README.md", c.content, v360, catalog.Names())
		assert.Equal(t, c.ok, ok, c.content)
		assert.Equal(t, c.detail, detail)
	}
	ok, detail := Check("R", strings.Repeat("fit-framework:3.5.0-debian\n", 8), v360, catalog.Names())
	assert.False(t, ok)
	assert.True(t, strings.HasPrefix(detail, "8 of 8 references"), detail)
	assert.Contains(t, detail, "… and 3 more")
}
