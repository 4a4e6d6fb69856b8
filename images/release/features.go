package release

import "strconv"

// What a FIT release serves and accepts, by version (SPEC.md "Artifact", checked in the sources of the
// 3.6.x tags). A pre-release counts as its final version: 3.6.3-rc.1 has what 3.6.3 has.

// ServesHealth tells whether GET /actuator/health exists (from 3.6.3 on; 404 before).
func (v Version) ServesHealth() bool { return v.atLeast(3, 6, 3) }

// HasPluginDirOption tells whether `fit start --plugin-dir=DIR` exists (from 3.6.2 on). Before, the
// dynamic-plugin folder is the working directory of fit start and the JVM refuses --plugin-dir.
func (v Version) HasPluginDirOption() bool { return v.atLeast(3, 6, 2) }

func (v Version) atLeast(major, minor, patch int) bool {
	have := [3]int{}
	for i, s := range []string{v.Major, v.Minor, v.Patch} {
		have[i], _ = strconv.Atoi(s)
	}
	want := [3]int{major, minor, patch}
	for i := range have {
		if have[i] != want[i] {
			return have[i] > want[i]
		}
	}
	return true
}
