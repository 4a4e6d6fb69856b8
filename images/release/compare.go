package release

import (
	"strconv"
	"strings"
)

// Compare orders versions by semantic-versioning precedence: -1 when v < w, 0 when equal, 1 when
// v > w. A pre-release sorts before its final release (3.7.0-rc.1 < 3.7.0); pre-release parts
// compare numerically when both are numbers, else as text, and a shorter list of equal parts
// sorts first (rc < rc.1).
func (v Version) Compare(w Version) int {
	for _, p := range [][2]string{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if c := compareNumbers(p[0], p[1]); c != 0 {
			return c
		}
	}
	switch {
	case v.Pre == w.Pre:
		return 0
	case v.Pre == "":
		return 1
	case w.Pre == "":
		return -1
	}
	a, b := strings.Split(v.Pre, "."), strings.Split(w.Pre, ".")
	for i := 0; i < len(a) && i < len(b); i++ {
		an, aErr := strconv.ParseUint(a[i], 10, 64)
		bn, bErr := strconv.ParseUint(b[i], 10, 64)
		var c int
		switch {
		case aErr == nil && bErr == nil:
			c = compareUints(an, bn)
		case aErr == nil: // numeric identifiers sort before alphanumeric ones
			c = -1
		case bErr == nil:
			c = 1
		default:
			c = strings.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return compareUints(uint64(len(a)), uint64(len(b)))
}

// compareNumbers compares two decimal numbers without leading zeros (as ParseVersion accepts),
// of any length.
func compareNumbers(a, b string) int {
	if len(a) != len(b) {
		return compareUints(uint64(len(a)), uint64(len(b)))
	}
	return strings.Compare(a, b)
}

func compareUints(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
