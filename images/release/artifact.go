package release

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// ArtifactURLTemplate is where FIT publishes its release zips; {version} is replaced.
const ArtifactURLTemplate = "https://github.com/ModelEngine-Group/fit-framework/releases/download/v{version}/{version}.zip"

// ArtifactURL returns the release zip URL of v, or the given override (which may contain
// {version}). Only http and https URLs are accepted.
func ArtifactURL(v Version, override string) (string, error) {
	raw := strings.TrimSpace(override)
	if raw == "" {
		raw = ArtifactURLTemplate
	}
	raw = strings.ReplaceAll(raw, "{version}", v.String())
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("artifact URL %q is not an http(s) URL: pass e.g. --url https://host/path/%s.zip", override, v)
	}
	return u.String(), nil
}

var sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseChecksum accepts "sha256:HEX" or bare HEX (64 hex digits, any case) and returns
// "sha256:hex"; empty stays empty (no verification).
func ParseChecksum(s string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return "", nil
	}
	t = strings.TrimPrefix(t, "sha256:")
	if !sha256Re.MatchString(t) {
		return "", fmt.Errorf("malformed checksum %q: expected sha256:<64 hex digits>", s)
	}
	return "sha256:" + t, nil
}

// ArtifactRoot is the folder every release zip has at its top: "3.6.0/".
func ArtifactRoot(v Version) string { return v.String() + "/" }
