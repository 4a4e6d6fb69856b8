package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	zip := filepath.Join(t.TempDir(), "3.6.0.zip")
	require.NoError(t, os.WriteFile(zip, []byte("zip"), 0o644))
	tarball := filepath.Join(filepath.Dir(zip), "debian.tar")
	require.NoError(t, os.WriteFile(tarball, []byte("tar"), 0o644))
	t.Setenv("EMPTY_PASSWORD", "")
	pub := []string{"publish", "--os", "debian", "--version", "3.6.0", "--registry", "modelengine/"}
	with := func(args ...string) []string { return append(append([]string{}, pub...), args...) }
	cases := []struct {
		args []string
		want string
	}{
		{nil, "no job given"},
		{[]string{"deploy"}, `unknown job "deploy"`},
		{[]string{"e2e"}, "no OS given"},
		{[]string{"e2e", "--os", "windows"}, `unknown OS "windows": supported are alpine, debian`},
		{[]string{"e2e", "--os", "debian", "--version", "3.6"}, `malformed version "3.6"`},
		{[]string{"e2e", "--os", "debian", "--timeout", "soon"}, "malformed --timeout"},
		{[]string{"e2e", "--os", "debian", "--java", "graal"}, "unknown --java"},
		{[]string{"e2e", "--os", "debian", "--artifact", "/no/such/3.6.0.zip"}, "--artifact /no/such/3.6.0.zip"},
		{[]string{"e2e", "--os", "debian", "--artifact", zip, "--url", "http://x/y.zip"}, "either --artifact or --url"},
		{[]string{"e2e", "--os", "debian", "--url", "ftp://x/y.zip"}, "not an http(s) URL"},
		{[]string{"e2e", "--os", "debian", "--checksum", "md5:abc"}, "malformed checksum"},
		{[]string{"e2e", "--os", "debian", "--apt-mirror", "mirror.local"}, "must be an http(s) URL"},
		{[]string{"e2e", "--os", "debian", "extra"}, `unexpected argument "extra"`},
		{[]string{"e2e", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"build-all", "--os", "debian,windows"}, `unknown OS windows`},
		{[]string{"build-all", "--os", "debian", "--skip-os", "debian"}, "nothing to build"},
		{[]string{"build-all", "--registry", "https://registry.example.com"}, "must not have a scheme"},
		{[]string{"build-all", "--registry", "Registry.example.com/fit"}, "uppercase"},
		{[]string{"build-all", "--push"}, "--push needs --registry"},
		{[]string{"build-all", "--parallel", "0"}, "--parallel 0"},
		{[]string{"build-all", "--platforms", "windows/amd64"}, "malformed platform"},
		{[]string{"build-all", "--registry", "r.example.com/", "--username", "u"}, "needs --password-env"},
		{[]string{"build-all", "--registry", "r.example.com/", "--password-env", "X"}, "needs --username"},
		{[]string{"build-all", "--username", "u", "--password-env", "EMPTY_PASSWORD"}, "EMPTY_PASSWORD: that environment variable is empty or unset"},
		{[]string{"build-all", "--username", "u", "--password-env", "pa ss"}, "NAME of an environment variable"},
		{[]string{"publish", "--os", "debian", "--version", "3.6.0"}, "no --registry given"},
		{[]string{"publish", "--os", "debian", "--registry", "modelengine/"}, "no version given"},
		{[]string{"publish", "--os", "debian,alpine", "--version", "3.6.0", "--registry", "modelengine/"}, "unknown OS"},
		{with("--image-tar", tarball, "--artifact", zip), "pass either --image-tar or --artifact/--url, not both"},
		{with("--artifact", zip, "--image-tar", tarball), "pass either --image-tar or --artifact/--url, not both"},
		{with("--image-tar", tarball, "--url", "http://x/{version}.zip"), "pass either --image-tar or --artifact/--url, not both"},
		{with("--image-tar", tarball, "--checksum", strings.Repeat("a", 64)), "--checksum cannot go with --image-tar"},
		{with("--image-tar", tarball, "--platforms", "linux/amd64,linux/arm64"), "--platforms cannot go with --image-tar"},
		{with("--image-tar", tarball, "--java", "jdk", "--apt-mirror", "http://m/debian"), "--apt-mirror, --java cannot go with --image-tar"},
		{with("--image-tar", "/no/such/debian.tar"), "--image-tar /no/such/debian.tar: no such file or directory"},
		{with("--image-tar", filepath.Dir(zip)), "is not a regular file"},
		{[]string{"publish", "--os", "debian", "--version", "3.6.0", "--image-tar", tarball}, "no --registry given"},
		{[]string{"release-check", "--version", "3.6.0", "--export-dir", zip}, "--export-dir " + zip + " is a file, not a directory"},
		{[]string{"release-check", "--version", "3.6.0", "--platforms", "linux/sparc"}, "malformed platform"},
		{[]string{"release-check", "--version", "3.6.0", "--size-budget", "big"}, "--size-budget: malformed size"},
		{[]string{"release-check", "--version", "3.6.0", "--size-budget", "0MB"}, "out of range"},
		{[]string{"release-check", "--version", "latest"}, `malformed version "latest"`},
		{[]string{"release-check", "--version", "3.6.0", "--registry", "a b"}, "white space"},
		{[]string{"release-check", "--version", "3.6.0", "--os", "solaris"}, "unknown OS solaris"},
	}
	for _, gha := range []bool{false, true} {
		for _, c := range cases {
			t.Run(strings.Join(c.args, " "), func(t *testing.T) {
				output, summary := ghaFiles(t)
				if !gha {
					t.Setenv("GITHUB_ACTIONS", "")
				}
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), c.args, os.Getenv, fakeConnect(t), &stdout, &stderr)
				assert.Equal(t, 2, code)
				lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
				assert.Len(t, lines, 1, "one error line: %q", stderr.String())
				assert.Contains(t, stderr.String(), c.want)
				assert.Empty(t, read(t, output), "no outputs for bad input")
				assert.Empty(t, read(t, summary), "no summary for bad input")
				if gha && len(c.args) > 1 {
					assert.Contains(t, stdout.String(), "::error title=ci "+c.args[0]+"%3A bad input::")
				}
			})
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"help", "release-check"}, {"release-check", "-h"}, {"e2e", "--help"}} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, func(string) string { return "" }, fakeConnect(t), &stdout, &stderr)
		assert.Equal(t, 0, code, "%v", args)
		assert.Contains(t, stdout.String(), "usage: go run ./ci", "%v", args)
		assert.Empty(t, stderr.String())
	}
	var stdout bytes.Buffer
	run(context.Background(), []string{"help", "release-check"}, func(string) string { return "" }, fakeConnect(t), &stdout, &bytes.Buffer{})
	for _, flag := range []string{"--version VERSION", "--registry PREFIX", "--size-budget SIZE", "--readme README", "--password-env NAME"} {
		assert.Contains(t, stdout.String(), flag)
	}
}

func TestParseOptions(t *testing.T) {
	zip := filepath.Join(t.TempDir(), "3.6.0.zip")
	require.NoError(t, os.WriteFile(zip, []byte("zip"), 0o644))
	rep := newPlain(&bytes.Buffer{})

	e, err := parseE2E([]string{"--os", "Debian", "--artifact", zip, "--checksum", strings.Repeat("AB", 32), "--timeout", "3m"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "debian", e.os.Name)
	assert.Equal(t, "3.6.0", e.build.v.String(), "e2e defaults to the default version")
	assert.Equal(t, zip, e.build.artifact.path)
	assert.Equal(t, "sha256:"+strings.Repeat("ab", 32), e.build.artifact.checksum)
	assert.Equal(t, "3m0s", e.timeout.String())

	b, err := parseBuildAll([]string{"--version", "v3.6.1", "--skip-os", "alpine", "--registry", "localhost:5000", "--push", "--parallel", "3", "--platforms", "linux/amd64,linux/arm64"}, os.Getenv, rep, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "3.6.1", b.build.v.String())
	assert.Equal(t, "debian", osNames(b.oses))
	assert.Equal(t, "localhost:5000/", string(b.registry))
	assert.Len(t, b.platforms, 2)
	assert.Nil(t, b.creds)
	assert.Equal(t, "https://github.com/ModelEngine-Group/fit-framework/releases/download/v3.6.1/3.6.1.zip", b.build.artifact.url)

	r, err := parseReleaseCheck([]string{"--version", "3.6.0", "--url", "http://127.0.0.1:1/{version}.zip", "--size-budget", "700MB"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, int64(700_000_000), r.budget)
	assert.Equal(t, "http://127.0.0.1:1/3.6.0.zip", r.build.artifact.url)
	assert.Equal(t, "alpine, debian", osNames(r.oses))
	assert.False(t, r.readmeExplicit)
	r, err = parseReleaseCheck([]string{"--version", "3.6.0", "--readme", "docs/README.md"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.True(t, r.readmeExplicit)
	assert.Empty(t, r.exportDir)
	assert.Nil(t, r.platforms)
	r, err = parseReleaseCheck([]string{"--version", "3.6.0", "--export-dir", "images-out/", "--platforms", "linux/amd64,linux/arm64"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "images-out", r.exportDir, "a directory that does not exist yet is created by the run")
	assert.Equal(t, "linux/amd64, linux/arm64", platformList(r.platforms))

	tarball := filepath.Join(filepath.Dir(zip), "debian.tar")
	require.NoError(t, os.WriteFile(tarball, []byte("tar"), 0o644))
	t.Chdir(filepath.Dir(zip))
	p, err := parsePublish([]string{"--os", "debian", "--version", "3.6.0", "--registry", "modelengine/", "--image-tar", "debian.tar"}, os.Getenv, rep, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, tarball, p.imageTar, "made absolute")
	p, err = parsePublish([]string{"--os", "debian", "--version", "3.6.0", "--registry", "modelengine/"}, os.Getenv, rep, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Empty(t, p.imageTar, "without --image-tar publish builds, as before")
	assert.Equal(t, int64(1_500_000_000), r.budget, "the seed's 1.5GB is the default budget")
}
