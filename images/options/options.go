// Package options parses the arguments that the Dagger module and the CI driver share, so both
// accept and refuse exactly the same input. Pure: no engine.
package options

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/release"
)

// Mirrors validates --apt-mirror and --apk-mirror and keys them by package manager.
func Mirrors(apt, apk string) (map[catalog.PackageManager]string, error) {
	a, err := Mirror("--apt-mirror", apt, "http://mirror.example.com/debian")
	if err != nil {
		return nil, err
	}
	b, err := Mirror("--apk-mirror", apk, "https://mirror.example.com/alpine")
	if err != nil {
		return nil, err
	}
	return map[catalog.PackageManager]string{catalog.Apt: a, catalog.Apk: b}, nil
}

var (
	// mirrorChars are all a mirror URL may hold: no quote, space, ?, #, @, % or shell character
	// gets past this, whatever the URL parser would accept.
	mirrorChars = regexp.MustCompile(`^[A-Za-z0-9.:/_~\[\]-]+$`)
	mirrorPath  = regexp.MustCompile(`^[A-Za-z0-9._~/-]*$`)
	hostName    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)
)

// Mirror parses the URL of a package repository mirror: http or https, a host name or IP with an
// optional port, and a plain path; nothing else. It comes back without a trailing slash; "" stays "".
func Mirror(flag, raw, example string) (string, error) {
	if raw == "" {
		return "", nil
	}
	bad := fmt.Errorf("malformed %s %q: give http(s)://HOST[:PORT]/PATH with only letters, digits and -._~/ in the path (no user, query, fragment, spaces or quotes), e.g. %s", flag, raw, example)
	if !mirrorChars.MatchString(raw) {
		return "", bad
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.HasPrefix(raw, u.Scheme+"://") ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.RawPath != "" || !mirrorPath.MatchString(u.Path) {
		return "", bad
	}
	host, port := u.Hostname(), u.Port()
	ip := net.ParseIP(host)
	if host == "" || (ip == nil && (strings.Contains(u.Host, "[") || !hostName.MatchString(host))) {
		return "", bad
	}
	if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535) {
		return "", bad
	} else if strings.HasSuffix(u.Host, ":") {
		return "", bad
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

// OSes applies --os (only these; empty: all) and --skip-os to the catalog.
func OSes(only, skip string) ([]catalog.OS, error) {
	names, err := release.Select(catalog.Names(), only, skip)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.OS, 0, len(names))
	for _, n := range names {
		o, _ := catalog.Lookup(n)
		out = append(out, o)
	}
	return out, nil
}

// Timeout parses a positive duration such as 120s or 3m.
func Timeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("malformed --timeout %q: use a duration such as 120s or 3m", s)
	}
	return d, nil
}

// revisionRe is what a commit id, tag or describe string is made of: git refuses the rest in names.
var revisionRe = regexp.MustCompile(`^[A-Za-z0-9._/+:@-]*$`)

// Labels validates --revision and --created, the release labels. created is RFC 3339 and comes
// back in UTC, so one commit time written with any offset gives the same label (and image).
func Labels(revision, created string) (string, string, error) {
	rev := strings.TrimSpace(revision)
	if len(rev) > 200 || !revisionRe.MatchString(rev) {
		return "", "", fmt.Errorf("malformed --revision %q: give the commit, e.g. a 40-hex git SHA (letters, digits and ._/+:@- only)", revision)
	}
	c := strings.TrimSpace(created)
	if c == "" {
		return rev, "", nil
	}
	t, err := time.Parse(time.RFC3339, c)
	if err != nil {
		return "", "", fmt.Errorf("malformed --created %q: give an RFC 3339 time such as the commit's (git log -1 --format=%%cI), e.g. 2026-12-02T10:04:05Z", created)
	}
	return rev, t.UTC().Format(time.RFC3339), nil
}
