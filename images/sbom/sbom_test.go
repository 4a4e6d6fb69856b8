package sbom

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
)

// a dpkg status file as Debian writes it: multi-line fields, a source package with its own
// version, a removed package whose configuration remains (not in the image)
const dpkgStatus = `Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u9
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
 .
 Package: not-a-package

Package: openjdk-17-jre-headless
Status: install ok installed
Architecture: amd64
Source: openjdk-17 (17.0.13+11-2~deb12u1)
Version: 17.0.13+11-1~deb12u1
Description: OpenJDK Java runtime, using Hotspot JIT (headless)

Package: nodejs
Status: install ok installed
Architecture: amd64
Version: 18.19.0+dfsg-6~deb12u2

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024b-0+deb12u1

Package: oldthing
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b7
`

const apkInstalled = `C:Q1abc=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
L:MIT
o:musl

P:openjdk17-jre-headless
V:17.0.13_p11-r0
A:x86_64
o:openjdk17
F:usr/lib/jvm

P:nodejs
V:20.15.1-r0
A:x86_64
o:nodejs
`

func TestParsePackages(t *testing.T) {
	tests := []struct {
		name string
		m    catalog.PackageManager
		db   string
		want []Package
		err  string
	}{
		{"dpkg: installed only, sorted, source without version", catalog.Apt, dpkgStatus, []Package{
			{Name: "bash", Version: "5.2.15-2+b7", Arch: "amd64"},
			{Name: "libc6", Version: "2.36-9+deb12u9", Arch: "amd64", Source: "glibc"},
			{Name: "nodejs", Version: "18.19.0+dfsg-6~deb12u2", Arch: "amd64"},
			{Name: "openjdk-17-jre-headless", Version: "17.0.13+11-1~deb12u1", Arch: "amd64", Source: "openjdk-17"},
			{Name: "tzdata", Version: "2024b-0+deb12u1", Arch: "all"},
		}, ""},
		{"apk: origin equal to the name is no source", catalog.Apk, apkInstalled, []Package{
			{Name: "musl", Version: "1.2.4_git20230717-r4", Arch: "x86_64"},
			{Name: "nodejs", Version: "20.15.1-r0", Arch: "x86_64"},
			{Name: "openjdk17-jre-headless", Version: "17.0.13_p11-r0", Arch: "x86_64", Source: "openjdk17"},
		}, ""},
		{"CRLF line ends", catalog.Apk, strings.ReplaceAll(apkInstalled, "\n", "\r\n"), nil, ""},
		{"dpkg: a package twice", catalog.Apt, "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: a\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n", nil, "listed twice"},
		{"dpkg: garbage line", catalog.Apt, "Package: a\nnonsense\n", nil, "is not a field"},
		{"dpkg: installed without version", catalog.Apt, "Package: a\nStatus: install ok installed\n", nil, "without Package or Version"},
		{"apk: garbage line", catalog.Apk, "P:a\nV:1\nnonsense\n", nil, "is not a field"},
		{"apk: no version", catalog.Apk, "P:a\nA:x86_64\n", nil, "without P or V"},
		{"unknown manager", "rpm", "", nil, "no package database reader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePackages(tt.m, []byte(tt.db))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			if tt.want != nil {
				assert.Equal(t, tt.want, got)
			} else {
				assert.Len(t, got, 3)
			}
		})
	}
}

func TestPURL(t *testing.T) {
	deb := Distro{ID: "debian", VersionID: "12"}
	alp := Distro{ID: "alpine", VersionID: "3.19.1"}
	tests := []struct {
		p    Package
		m    catalog.PackageManager
		d    Distro
		want string
	}{
		{Package{Name: "bash", Version: "5.2.15-2+b7", Arch: "amd64"}, catalog.Apt, deb,
			"pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12"},
		{Package{Name: "libc6", Version: "2.36-9+deb12u9", Arch: "arm64", Source: "glibc"}, catalog.Apt, deb,
			"pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=arm64&distro=debian-12&upstream=glibc"},
		{Package{Name: "perl-base", Version: "1:5.36.0-7", Arch: "amd64"}, catalog.Apt, deb,
			"pkg:deb/debian/perl-base@1:5.36.0-7?arch=amd64&distro=debian-12"},
		{Package{Name: "openjdk17-jre-headless", Version: "17.0.13_p11-r0", Arch: "x86_64", Source: "openjdk17"}, catalog.Apk, alp,
			"pkg:apk/alpine/openjdk17-jre-headless@17.0.13_p11-r0?arch=x86_64&distro=alpine-3.19.1&upstream=openjdk17"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p.PURL(tt.m, tt.d))
		})
	}
}

func TestParseOSRelease(t *testing.T) {
	d, err := ParseOSRelease([]byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n"))
	require.NoError(t, err)
	assert.Equal(t, "debian-12", d.String())
	d, err = ParseOSRelease([]byte("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n"))
	require.NoError(t, err)
	assert.Equal(t, "alpine-3.19.1", d.String())
	_, err = ParseOSRelease([]byte("ID=debian\n"))
	assert.ErrorContains(t, err, "VERSION_ID")
}

func TestMavenPURL(t *testing.T) {
	tests := []struct{ path, version, want string }{
		{"fit-discrete-launcher-3.6.0.jar", "3.6.0", "pkg:maven/org.fitframework/fit-discrete-launcher@3.6.0"},
		{"shared/fit-api-3.6.0.jar", "3.6.0", "pkg:maven/org.fitframework/fit-api@3.6.0"},
		{"lib/fit-util-3.6.0.jar", "3.6.0", "pkg:maven/org.fitframework/fit-util@3.6.0"},
		{"plugins/fit-logger-3.6.0.jar", "3.6.0", "pkg:maven/org.fitframework.plugin/fit-logger@3.6.0"},
		{"plugins/fit-logger-3.6.1.jar", "3.6.0", ""},    // another version: not this release's artifact
		{"third-party/fit-thing-3.6.0.jar", "3.6.0", ""}, // a folder of others' jars
		{"plugins/log4j-core-2.25.3.jar", "3.6.0", ""},   // not a FIT artifact
		{"plugins/deep/fit-x-3.6.0.jar", "3.6.0", ""},
		{"shared/fit-api-3.6.0.jar", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Equal(t, tt.want, MavenPURL(tt.path, tt.version))
		})
	}
}

var (
	sumA = strings.Repeat("a", 64)
	sumB = strings.Repeat("b", 64)
)

func TestParseSHA256Sums(t *testing.T) {
	got, err := ParseSHA256Sums(sumB + "  ./plugins/fit-logger-3.6.0.jar\n" + sumA + "  ./fit-discrete-launcher-3.6.0.jar\n\n")
	require.NoError(t, err)
	assert.Equal(t, []Jar{{"fit-discrete-launcher-3.6.0.jar", sumA}, {"plugins/fit-logger-3.6.0.jar", sumB}}, got)

	for _, bad := range []string{
		"nothex  ./a.jar",
		sumA + " ./a.jar", // one space: not sha256sum's text-mode output
		sumA + "  ./a.jar\n" + sumB + "  a.jar",
	} {
		_, err := ParseSHA256Sums(bad)
		assert.Error(t, err, bad)
	}
}

func TestUpstreamVersion(t *testing.T) {
	for in, want := range map[string]string{
		"18.19.0+dfsg-6~deb12u2": "18.19.0",
		"20.15.1-r0":             "20.15.1",
		"1:5.36.0-7":             "5.36.0",
		"17.0.13+11-1~deb12u1":   "17.0.13",
		"2.0":                    "2.0",
	} {
		assert.Equal(t, want, UpstreamVersion(in), in)
	}
}

func debianInput() Input {
	return Input{
		Manager: catalog.Apt,
		Files: Files{
			PackageDB:   []byte(dpkgStatus),
			OSRelease:   []byte("ID=debian\nVERSION_ID=\"12\"\n"),
			JavaRelease: []byte("IMPLEMENTOR=\"Debian\"\nJAVA_RUNTIME_VERSION=\"17.0.13+11-Debian-1deb12u1\"\nJAVA_VERSION=\"17.0.13\"\n"),
			JavaHome:    "/usr/lib/jvm/java-17-openjdk-amd64",
			FitJavaDir:  "/opt/fit-framework/java",
			Jars: []Jar{
				{"fit-discrete-launcher-3.6.0.jar", sumA},
				{"third-party/netty-4.1.jar", sumB},
			},
		},
		Image:   Image{Name: "fit-framework", Version: "3.6.0-debian", Platform: "linux/amd64"},
		FIT:     FIT{Version: "3.6.0", URL: "https://example.test/3.6.0.zip", SHA256: "sha256:" + strings.Repeat("c", 64), SumSource: "the pinned sums (images/release/checksums.txt)"},
		Tool:    Tool{Name: "fit-images", Version: "7d8ef56"},
		Created: time.Date(2026, 12, 4, 11, 0, 0, 0, time.FixedZone("CST", 8*3600)),
	}
}

func decode(t *testing.T, b []byte) *cdx.BOM {
	t.Helper()
	var bom cdx.BOM
	require.NoError(t, cdx.NewBOMDecoder(bytes.NewReader(b), cdx.BOMFileFormatJSON).Decode(&bom))
	return &bom
}

func component(bom *cdx.BOM, ref string) *cdx.Component {
	for i, c := range *bom.Components {
		if c.BOMRef == ref {
			return &(*bom.Components)[i]
		}
	}
	return nil
}

func TestGenerate(t *testing.T) {
	in := debianInput()
	b, err := Generate(in)
	require.NoError(t, err)
	again, err := Generate(in)
	require.NoError(t, err)
	assert.Equal(t, b, again, "the same inputs give the same bytes")

	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	assert.Equal(t, "1.6", raw["specVersion"])
	assert.Equal(t, "http://cyclonedx.org/schema/bom-1.6.schema.json", raw["$schema"])

	bom := decode(t, b)
	assert.Regexp(t, `^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, bom.SerialNumber)
	assert.Equal(t, "2026-12-04T03:00:00Z", bom.Metadata.Timestamp, "the created time, in UTC")
	assert.Equal(t, "3.6.0-debian", bom.Metadata.Component.Version)
	assert.Equal(t, cdx.ComponentTypeContainer, bom.Metadata.Component.Type)

	jre := component(bom, "pkg:deb/debian/openjdk-17-jre-headless@17.0.13%2B11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openjdk-17")
	require.NotNil(t, jre, "the JRE package with its purl")
	assert.Equal(t, "17.0.13+11-1~deb12u1", jre.Version)
	assert.Nil(t, component(bom, "pkg:deb/debian/oldthing@1.0-1?arch=amd64&distro=debian-12"), "a removed package is not listed")

	fit := component(bom, "fit-release")
	require.NotNil(t, fit)
	assert.Equal(t, []cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: strings.Repeat("c", 64)}}, *fit.Hashes)
	assert.Contains(t, *fit.Properties, cdx.Property{Name: PropSumSource, Value: "the pinned sums (images/release/checksums.txt)"})
	assert.Contains(t, *fit.Properties, cdx.Property{Name: PropVerified, Value: "true"})
	assert.Equal(t, "https://example.test/3.6.0.zip", (*fit.ExternalReferences)[0].URL)

	launcher := component(bom, "jar:fit-discrete-launcher-3.6.0.jar")
	require.NotNil(t, launcher)
	assert.Equal(t, "pkg:maven/org.fitframework/fit-discrete-launcher@3.6.0", launcher.PackageURL)
	assert.Equal(t, "fit-discrete-launcher", launcher.Name)
	assert.Equal(t, sumA, (*launcher.Hashes)[0].Value)
	assert.Contains(t, *launcher.Properties, cdx.Property{Name: PropPath, Value: "/opt/fit-framework/java/fit-discrete-launcher-3.6.0.jar"})
	other := component(bom, "jar:third-party/netty-4.1.jar")
	require.NotNil(t, other)
	assert.Empty(t, other.PackageURL, "no guessed coordinate")
	assert.Equal(t, sumB, (*other.Hashes)[0].Value)

	java := component(bom, "runtime:java")
	require.NotNil(t, java)
	assert.Equal(t, "17.0.13", java.Version)
	node := component(bom, "runtime:node")
	require.NotNil(t, node)
	assert.Equal(t, "18.19.0", node.Version)

	deps := map[string][]string{}
	for _, d := range *bom.Dependencies {
		if d.Dependencies != nil {
			deps[d.Ref] = *d.Dependencies
		}
	}
	assert.Equal(t, []string{jre.BOMRef}, deps["runtime:java"])
	assert.Equal(t, []string{"pkg:deb/debian/nodejs@18.19.0%2Bdfsg-6~deb12u2?arch=amd64&distro=debian-12"}, deps["runtime:node"])
	assert.Equal(t, []string{"jar:fit-discrete-launcher-3.6.0.jar", "jar:third-party/netty-4.1.jar"}, deps["fit-release"])
	// 5 packages, 2 jars, the zip, java, node
	assert.Len(t, *bom.Components, 10)
}

func TestGenerateChanges(t *testing.T) {
	base, err := Generate(debianInput())
	require.NoError(t, err)
	serial := decode(t, base).SerialNumber
	tests := []struct {
		name   string
		change func(*Input)
	}{
		{"another jar sum", func(in *Input) { in.Files.Jars[0].SHA256 = sumB }},
		{"another created time", func(in *Input) { in.Created = in.Created.Add(time.Second) }},
		{"another package version", func(in *Input) {
			in.Files.PackageDB = []byte(strings.Replace(dpkgStatus, "5.2.15-2+b7", "5.2.15-2+b8", 1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := debianInput()
			tt.change(&in)
			b, err := Generate(in)
			require.NoError(t, err)
			assert.NotEqual(t, base, b)
			assert.NotEqual(t, serial, decode(t, b).SerialNumber, "the serial number follows the content")
		})
	}
}

// alpineInput is an Alpine image built from an unverified zip, with no created time and no
// Java release file.
func alpineInput() Input {
	return Input{
		Manager: catalog.Apk,
		Files:   Files{PackageDB: []byte(apkInstalled), OSRelease: []byte("ID=alpine\nVERSION_ID=3.19.1\n")},
		Image:   Image{Name: "fit-framework", Version: "3.6.0-alpine"},
		FIT:     FIT{Version: "3.6.0"},
	}
}

func TestGenerateUnverifiedAndAlpine(t *testing.T) {
	b, err := Generate(alpineInput())
	require.NoError(t, err)
	bom := decode(t, b)
	assert.Empty(t, bom.Metadata.Timestamp, "no created time, no timestamp")
	fit := component(bom, "fit-release")
	require.NotNil(t, fit)
	assert.Nil(t, fit.Hashes, "an unverified zip claims no sum")
	assert.Contains(t, *fit.Properties, cdx.Property{Name: PropVerified, Value: "false"})
	assert.Nil(t, component(bom, "runtime:java"), "no release file, no runtime component")
	assert.NotNil(t, component(bom, "pkg:apk/alpine/openjdk17-jre-headless@17.0.13_p11-r0?arch=x86_64&distro=alpine-3.19.1&upstream=openjdk17"))
	assert.Equal(t, "20.15.1", component(bom, "runtime:node").Version)
}

func TestGenerateRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Input)
		err    string
	}{
		{"no os-release", func(in *Input) { in.Files.OSRelease = nil }, "os-release"},
		{"empty database", func(in *Input) { in.Files.PackageDB = nil }, "no installed package"},
		{"bad zip sum", func(in *Input) { in.FIT.SHA256 = "sha256:abc" }, "not sha256"},
		{"bad jar sum", func(in *Input) { in.Files.Jars[1].SHA256 = "x" }, "malformed sha256"},
		{"no image version", func(in *Input) { in.Image.Version = "" }, "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := debianInput()
			tt.change(&in)
			_, err := Generate(in)
			assert.ErrorContains(t, err, tt.err)
		})
	}
}
