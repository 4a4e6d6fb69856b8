package sbom

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Jar is one jar of the FIT release as it lies in the image.
type Jar struct {
	Path   string // relative to the FIT java folder: "plugins/fit-logger-3.6.0.jar"
	SHA256 string // 64 lower-case hex digits
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// mavenGroups maps the folder of the release (relative to its top) to the Maven group its FIT
// jars are published under: the framework's core modules (the launcher at the top, lib/ and
// shared/) under org.fitframework, the built-in plugins under org.fitframework.plugin. A jar
// elsewhere (third-party/) or not named fit-ARTIFACT-VERSION.jar after the release's own
// version gets no purl: a guessed coordinate would send a scanner to the wrong artifact.
var mavenGroups = map[string]string{
	"":        "org.fitframework",
	"lib":     "org.fitframework",
	"shared":  "org.fitframework",
	"plugins": "org.fitframework.plugin",
}

// MavenPURL is the Maven purl of the jar at rel (relative to the FIT java folder) of FIT version,
// "" when the jar does not map to a published FIT artifact.
func MavenPURL(rel, version string) string {
	dir, file := path.Split(path.Clean(rel))
	group, ok := mavenGroups[strings.TrimSuffix(dir, "/")]
	suffix := "-" + version + ".jar"
	if !ok || version == "" || !strings.HasPrefix(file, "fit-") || !strings.HasSuffix(file, suffix) {
		return ""
	}
	artifact := strings.TrimSuffix(file, suffix)
	return packageurl.NewPackageURL(packageurl.TypeMaven, group, artifact, version, nil, "").ToString()
}

// ParseSHA256Sums reads sha256sum's output ("HEX  ./path" lines, paths relative to the folder it
// ran in) into jars sorted by path. A line that is not a sum and a path listed twice are errors:
// the SBOM must list every jar exactly once.
func ParseSHA256Sums(out string) ([]Jar, error) {
	var jars []Jar
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, p, ok := strings.Cut(line, "  ")
		if !ok || !hex64.MatchString(sum) {
			return nil, fmt.Errorf("sha256sum line %q is not \"HEX  PATH\"", line)
		}
		p = strings.TrimPrefix(path.Clean(p), "./")
		if seen[p] {
			return nil, fmt.Errorf("jar %s is listed twice", p)
		}
		seen[p] = true
		jars = append(jars, Jar{Path: p, SHA256: sum})
	}
	sort.Slice(jars, func(i, j int) bool { return jars[i].Path < jars[j].Path })
	return jars, nil
}
