package release

import "testing"

func TestCompare(t *testing.T) {
	// each version is lower than the next one
	ordered := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
		"1.0.0-rc.1", "1.0.0", "3.5.9", "3.6.0", "3.6.1", "3.6.10", "3.7.0-rc.1", "3.7.0", "10.0.0"}
	for i := range ordered {
		for j := range ordered {
			a, _ := ParseVersion(ordered[i])
			b, _ := ParseVersion(ordered[j])
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%s.Compare(%s) = %d, want %d", a, b, got, want)
			}
		}
	}
	a, _ := ParseVersion("v3.6.0")
	b, _ := ParseVersion("3.6.0")
	if a.Compare(b) != 0 {
		t.Errorf("v3.6.0 and 3.6.0 are the same version")
	}
}
