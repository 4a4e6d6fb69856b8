package release

import "testing"

func TestPlatformRunsOn(t *testing.T) {
	cases := []struct {
		platform, machine string
		want              bool
	}{
		{"linux/amd64", "x86_64\n", true},
		{"linux/amd64", "aarch64", false},
		{"linux/arm64", "aarch64", true},
		{"linux/arm64", "x86_64", false}, // a single-arch amd64 base used for arm64
		{"linux/arm/v7", "armv7l", true},
		{"linux/386", "i686", true},
		{"linux/386", "x86_64", false},
		{"linux/ppc64le", "ppc64le", true},
		{"linux/s390x", "s390x", true},
		{"linux/riscv64", "x86_64", false},
		{"linux/arm64", "", false},
	}
	for _, c := range cases {
		p, err := ParsePlatform(c.platform)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.RunsOn(c.machine); got != c.want {
			t.Errorf("%s RunsOn(%q) = %v, want %v", c.platform, c.machine, got, c.want)
		}
	}
}
