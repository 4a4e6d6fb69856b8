package release

import (
	"fmt"
	"strings"
)

// Platform is an OCI platform such as linux/amd64 or linux/arm64/v8.
type Platform struct{ OS, Arch, Variant string }

func (p Platform) String() string {
	s := p.OS + "/" + p.Arch
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

var knownArchs = map[string]bool{"amd64": true, "arm64": true, "ppc64le": true, "s390x": true, "riscv64": true, "arm": true, "386": true}

// ParsePlatform accepts OS/ARCH[/VARIANT]; only linux images are built.
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "linux" || !knownArchs[parts[1]] {
		return Platform{}, fmt.Errorf("malformed platform %q: expected linux/ARCH such as linux/amd64 or linux/arm64", s)
	}
	p := Platform{OS: parts[0], Arch: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// ParsePlatforms parses a comma separated list; empty means "the engine's own platform" (nil).
func ParsePlatforms(s string) ([]Platform, error) {
	var out []Platform
	seen := map[string]bool{}
	for _, item := range SplitList(s) {
		p, err := ParsePlatform(item)
		if err != nil {
			return nil, err
		}
		if !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// RunsOn reports whether `uname -m` output m is what a kernel (or QEMU) prints for this platform: the
// proof that an image variant really is of its architecture, not a mislabelled copy of another.
func (p Platform) RunsOn(m string) bool {
	m = strings.TrimSpace(m)
	switch p.Arch {
	case "amd64":
		return m == "x86_64"
	case "arm64":
		return m == "aarch64" || m == "arm64"
	case "arm":
		return strings.HasPrefix(m, "armv") || m == "arm"
	case "386":
		return len(m) == 4 && m[0] == 'i' && strings.HasSuffix(m, "86")
	default: // ppc64le, s390x, riscv64: the kernel uses the same name
		return m == p.Arch
	}
}
