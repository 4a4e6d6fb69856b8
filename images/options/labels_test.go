package options

import "testing"

// One commit time gives one created label, whatever offset it is written with (git's %cI keeps the
// committer's): build, build-all, publish and release-check all parse --created with Labels.
func TestLabelsCreatedAnyOffset(t *testing.T) {
	const want = "2026-12-02T10:04:05Z"
	for _, in := range []string{
		"2026-12-02T10:04:05Z", "2026-12-02T10:04:05+00:00", "2026-12-02T18:04:05+08:00",
		"2026-12-02T05:04:05-05:00", "2026-12-02T15:34:05+05:30", "2026-12-03T00:04:05+14:00",
		"2026-12-01T23:04:05-11:00", " 2026-12-02T10:04:05Z\n", "2026-12-02T10:04:05.000Z",
	} {
		if _, got, err := Labels("", in); err != nil || got != want {
			t.Errorf("Labels(%q) created = %q, %v; want %q", in, got, err, want)
		}
	}
	// another instant is another label, to the second
	if _, got, _ := Labels("", "2026-12-02T18:04:06+08:00"); got != "2026-12-02T10:04:06Z" {
		t.Errorf("a second later: %q", got)
	}
}
