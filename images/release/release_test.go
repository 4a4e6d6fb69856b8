package release

import (
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	// white space around a version is dropped, as by every flag parser here, and a leading v:
	// each spelling of one version gives its one canonical form, the one the tags carry
	good := map[string]string{
		"3.6.0": "3.6.0", "3.6.0 ": "3.6.0", "\t3.6.0\n": "3.6.0", " v3.6.0 ": "3.6.0", "v3.6.1": "3.6.1",
		" 3.7.0-SNAPSHOT ": "3.7.0-SNAPSHOT", "3.6.1-rc.1": "3.6.1-rc.1", "10.0.12": "10.0.12",
	}
	for in, want := range good {
		v, err := ParseVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseVersion(%q) = %q, %v; want %q", in, v, err, want)
		}
		if tag := Refs("", v, "debian")[0]; tag != "fit-framework:"+want+"-debian" {
			t.Errorf("ParseVersion(%q): tag %s; want fit-framework:%s-debian", in, tag, want)
		}
	}
	// white space inside is not a version (nor "vv", "V")
	bad := []string{"", " ", "3.6", "v3.6.0;rm -rf /", "3.6 .0", "3.6.0 rc.1", "v 3.6.0", "vv3.6.0", "V3.6.0", "3.6.0/../x", "03.6.0", "3.6.0-", "3.6.0+build", "latest", "3.6.x", "$(id)"}
	for _, in := range bad {
		if _, err := ParseVersion(in); err == nil {
			t.Errorf("ParseVersion(%q) accepted a malformed version", in)
		} else if !strings.Contains(err.Error(), "version") {
			t.Errorf("ParseVersion(%q) error does not say what was wrong: %v", in, err)
		}
	}
	v, _ := ParseVersion("3.6.1-rc.1")
	if !v.IsPrerelease() || v.MajorMinor() != "3.6" || v.IsDefault() {
		t.Errorf("3.6.1-rc.1: prerelease=%v majorMinor=%s default=%v", v.IsPrerelease(), v.MajorMinor(), v.IsDefault())
	}
}

func TestTags(t *testing.T) {
	cases := []struct {
		version, os, registry string
		want                  []string
	}{
		{DefaultVersion, "alpine", "", []string{"fit-framework:3.6.0-alpine", "fit-framework:3.6-alpine", "fit-framework:alpine", "fit-framework:latest-alpine"}},
		{"3.6.1", "debian", "localhost:5000", []string{"localhost:5000/fit-framework:3.6.1-debian", "localhost:5000/fit-framework:3.6-debian", "localhost:5000/fit-framework:debian"}},
		{"3.7.0-SNAPSHOT", "debian", "modelengine/", []string{"modelengine/fit-framework:3.7.0-SNAPSHOT-debian"}},
		{"3.6.1-rc.1", "alpine", "registry.example.com/fit/", []string{"registry.example.com/fit/fit-framework:3.6.1-rc.1-alpine"}},
	}
	for _, c := range cases {
		v, err := ParseVersion(c.version)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseRegistry(c.registry)
		if err != nil {
			t.Fatal(err)
		}
		got := Refs(r, v, c.os)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("Refs(%q,%q,%q) = %v; want %v", c.registry, c.version, c.os, got, c.want)
		}
	}
}

func TestParseRegistry(t *testing.T) {
	good := map[string]string{
		"": "", "localhost:5000": "localhost:5000/", "localhost:5000/": "localhost:5000/", "modelengine/": "modelengine/",
		"registry.cn-hangzhou.aliyuncs.com/fit-framework/": "registry.cn-hangzhou.aliyuncs.com/fit-framework/",
		"registry.example.com/fit":                         "registry.example.com/fit/", "127.0.0.1:15000/team/sub": "127.0.0.1:15000/team/sub/",
	}
	for in, want := range good {
		r, err := ParseRegistry(in)
		if err != nil || string(r) != want {
			t.Errorf("ParseRegistry(%q) = %q, %v; want %q", in, r, err, want)
		}
	}
	bad := map[string]string{
		"my registry/":                 "white space",
		"Registry.Example.com/fit/":    "uppercase",
		"https://registry.example.com": "scheme",
		"registry.example.com//fit":    "malformed",
		"-bad/":                        "malformed",
		"a/b:c/":                       "malformed",
	}
	for in, want := range bad {
		_, err := ParseRegistry(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRegistry(%q) error = %v; want it to mention %q", in, err, want)
		}
	}
	hosts := map[Registry]string{"": "docker.io", "modelengine/": "docker.io", "localhost:5000/": "localhost:5000", "registry.example.com/fit/": "registry.example.com", "localhost/x/": "localhost"}
	for r, want := range hosts {
		if got := r.Host(); got != want {
			t.Errorf("%q.Host() = %q; want %q", r, got, want)
		}
	}
}

func TestArtifactURLAndChecksum(t *testing.T) {
	v, _ := ParseVersion("3.6.0")
	u, err := ArtifactURL(v, "")
	if err != nil || u != "https://github.com/ModelEngine-Group/fit-framework/releases/download/v3.6.0/3.6.0.zip" {
		t.Errorf("default URL = %q, %v", u, err)
	}
	u, err = ArtifactURL(v, "http://127.0.0.1:8765/r/v{version}/{version}.zip")
	if err != nil || u != "http://127.0.0.1:8765/r/v3.6.0/3.6.0.zip" {
		t.Errorf("template URL = %q, %v", u, err)
	}
	for _, bad := range []string{"ftp://x/y.zip", "not a url", "/local/path.zip", "http://"} {
		if _, err := ArtifactURL(v, bad); err == nil {
			t.Errorf("ArtifactURL(%q) accepted a non-http URL", bad)
		}
	}
	hex := strings.Repeat("ab", 32)
	for in, want := range map[string]string{"": "", hex: "sha256:" + hex, "SHA256:" + strings.ToUpper(hex): "sha256:" + hex} {
		got, err := ParseChecksum(in)
		if err != nil || got != want {
			t.Errorf("ParseChecksum(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"md5:abc", "sha256:xyz", hex + "0"} {
		if _, err := ParseChecksum(bad); err == nil || !strings.Contains(err.Error(), "checksum") {
			t.Errorf("ParseChecksum(%q) = %v; want a checksum error", bad, err)
		}
	}
}

func TestSelect(t *testing.T) {
	all := []string{"alpine", "debian", "openeuler"}
	cases := []struct{ only, skip, want string }{
		{"", "", "alpine debian openeuler"},
		{"debian", "", "debian"},
		{"debian,alpine", "", "debian alpine"},
		{"", "openeuler", "alpine debian"},
		{"Alpine, debian,,alpine", "debian", "alpine"},
	}
	for _, c := range cases {
		got, err := Select(all, c.only, c.skip)
		if err != nil || strings.Join(got, " ") != c.want {
			t.Errorf("Select(%q,%q) = %v, %v; want %q", c.only, c.skip, got, err, c.want)
		}
	}
	if _, err := Select(all, "debian,windows", ""); err == nil || !strings.Contains(err.Error(), "windows") || !strings.Contains(err.Error(), "alpine, debian, openeuler") {
		t.Errorf("unknown OS error = %v; want it to name windows and list the supported ones", err)
	}
	if _, err := Select(all, "debian", "debian"); err == nil || !strings.Contains(err.Error(), "nothing to build") {
		t.Errorf("empty selection error = %v", err)
	}
}

func TestParsePlatforms(t *testing.T) {
	ps, err := ParsePlatforms("linux/amd64, linux/arm64/v8,linux/amd64")
	if err != nil || len(ps) != 2 || ps[0].Arch != "amd64" || ps[1].String() != "linux/arm64/v8" {
		t.Errorf("ParsePlatforms = %v, %v", ps, err)
	}
	for _, bad := range []string{"windows/amd64", "amd64", "linux/sparc", "linux/amd64/v3/x"} {
		if _, err := ParsePlatform(bad); err == nil {
			t.Errorf("ParsePlatform(%q) accepted", bad)
		}
	}
	if ps, err := ParsePlatforms(""); err != nil || ps != nil {
		t.Errorf("empty platforms = %v, %v", ps, err)
	}
}
