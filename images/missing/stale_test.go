package missing

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/stale"
)

func dg(c string) string { return "sha256:" + strings.Repeat(c, 64) }

// The catch-up's rows: missing images and stale ones in one list, oldest first, one row a version,
// the stale OSes as rebuilds with their reason; current images, versions below the floor or whose
// release is running are left out, and the limit counts the merged rows.
func TestWithStale(t *testing.T) {
	deb := "docker.io/library/debian:12-slim"
	ms := []Missing{{Version: v(t, "3.6.2"), OSes: []string{"alpine"}}, {Version: v(t, "3.7.0"), OSes: []string{"alpine", "debian"}}}
	images := []stale.Image{
		{Version: "3.5.0", OS: "debian", Base: deb, Recorded: dg("a"), Current: dg("b"), Stale: true, Reason: "base moved"},
		{Version: "3.6.0", OS: "debian", Base: deb, Recorded: dg("a"), Current: dg("b"), Stale: true, Reason: "base moved"},
		{Version: "3.6.0", OS: "alpine", Base: "docker.io/library/alpine:3.19", Recorded: dg("c"), Current: dg("c"), Reason: "base unchanged"},
		{Version: "3.6.1", OS: "debian", Stale: true, Reason: "no base digest recorded (built before the base was recorded): rebuild to record it"},
		{Version: "3.6.2", OS: "debian", Base: deb, Recorded: dg("a"), Current: dg("b"), Stale: true, Reason: "base moved"},
		{Version: "3.6.3", OS: "debian", Base: deb, Recorded: dg("a"), Current: dg("b"), Stale: true, Reason: "base moved"},
	}
	got, err := WithStale(ms, images, v(t, "3.6.0"), []release.Version{v(t, "3.6.3")}, 0)
	require.NoError(t, err)
	b, err := json.Marshal(Matrix(got))
	require.NoError(t, err)
	moved := "debian: debian:12-slim moved from " + dg("a") + " to " + dg("b")
	assert.JSONEq(t, `[
		{"version":"3.6.0","os":"debian","republish":"debian","reason":"`+moved+`"},
		{"version":"3.6.1","os":"debian","republish":"debian","reason":"debian: no base digest recorded (built before the base was recorded): rebuild to record it"},
		{"version":"3.6.2","os":"alpine,debian","republish":"debian","reason":"`+moved+`"},
		{"version":"3.7.0","os":"alpine,debian"}
	]`, string(b))
	assert.Equal(t, "3.6.2 alpine\n3.6.2 debian (published: rebuilt and pushed again, debian:12-slim moved from "+dg("a")+" to "+dg("b")+")\n", Text(got[2:3]))

	limited, err := WithStale(ms, images, v(t, "3.6.0"), nil, 2)
	require.NoError(t, err)
	require.Len(t, limited, 2, "the limit counts missing and stale rows together")
	assert.Equal(t, "3.6.0", limited[0].Version.String())
	assert.Equal(t, "3.6.1", limited[1].Version.String())

	// an OS missing already is built anyway: not listed twice
	both, err := WithStale([]Missing{{Version: v(t, "3.6.0"), OSes: []string{"debian"}}}, images[1:2], v(t, "3.6.0"), nil, 0)
	require.NoError(t, err)
	assert.Equal(t, []MatrixEntry{{Version: "3.6.0", OS: "debian"}}, Matrix(both))

	none, err := WithStale(nil, images[2:3], v(t, "3.6.0"), nil, 0)
	require.NoError(t, err)
	assert.Empty(t, none, "a current base is no work")
	b, err = json.Marshal(Matrix(none))
	require.NoError(t, err)
	assert.Equal(t, "[]", string(b), "the workflow compares with []")

	_, err = WithStale(nil, []stale.Image{{Version: "x", OS: "debian", Stale: true}}, v(t, "3.6.0"), nil, 0)
	assert.ErrorContains(t, err, "stale image x-debian")
}
