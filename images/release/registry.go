package release

import (
	"fmt"
	"regexp"
	"strings"
)

// Registry is a validated image name prefix such as "", "modelengine/", "localhost:5000/" or
// "registry.example.com/fit/". It always ends with "/" unless empty.
type Registry string

// One path component of a reference, and an optional host[:port] first component; lowercase only,
// as registries reject uppercase repository names.
var (
	component = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	hostPart  = `(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]{1,5})?|\[[0-9a-f:]+\](?::[0-9]{1,5})?)`
	prefixRe  = regexp.MustCompile(`^(?:` + hostPart + `|` + component + `)(?:/` + component + `)*$`)
)

// ParseRegistry validates a registry prefix and adds the trailing "/" if missing.
func ParseRegistry(s string) (Registry, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", nil
	}
	body := strings.TrimSuffix(t, "/")
	switch {
	case strings.ContainsAny(t, " \t\n"):
		return "", fmt.Errorf("registry prefix %q contains white space: use e.g. registry.example.com/fit/", s)
	case strings.Contains(t, "://"):
		return "", fmt.Errorf("registry prefix %q must not have a scheme: drop %q", s, t[:strings.Index(t, "://")+3])
	case strings.ToLower(body) != body:
		return "", fmt.Errorf("registry prefix %q has uppercase letters: registries accept lowercase names only, use %q", s, strings.ToLower(body)+"/")
	case !prefixRe.MatchString(body):
		return "", fmt.Errorf("malformed registry prefix %q: expected [HOST[:PORT]/]NAMESPACE/ such as localhost:5000/ or registry.example.com/fit/", s)
	}
	return Registry(body + "/"), nil
}

// Host is the registry host the prefix points at ("docker.io" when the prefix names only a
// namespace): the address registry credentials are bound to.
func (r Registry) Host() string {
	first, _, found := strings.Cut(string(r), "/")
	if !found || first == "" {
		return "docker.io"
	}
	if strings.ContainsAny(first, ".:[") || first == "localhost" {
		return first
	}
	return "docker.io"
}

// Ref is the full reference of a tag under this prefix.
func (r Registry) Ref(tag string) string { return string(r) + ImageName + ":" + tag }
