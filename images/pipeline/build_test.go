package pipeline

import (
	"strings"
	"testing"

	"dagger/fit-images/images/release"
)

// The heap default follows the container's limit: no fixed -Xmx/-Xms (a 512 MiB container got a 1 GiB heap).
func TestJavaOptsFollowTheContainersLimit(t *testing.T) {
	if !strings.Contains(JavaOpts, "-XX:MaxRAMPercentage=") {
		t.Errorf("JAVA_OPTS %q has no container-aware heap default", JavaOpts)
	}
	for _, w := range strings.Fields(JavaOpts) {
		if strings.HasPrefix(w, "-Xmx") || strings.HasPrefix(w, "-Xms") {
			t.Errorf("JAVA_OPTS %q fixes the heap with %s", JavaOpts, w)
		}
	}
}

// Every folder written at run time is one the image creates, group-writable like its owner (g=u).
func TestWritableFoldersAreSharedWithGroupZero(t *testing.T) {
	for _, w := range WritableFolders {
		found := false
		for _, f := range fitFolders {
			found = found || f == w
		}
		if !found {
			t.Errorf("%s is not among the image's folders %v", w, fitFolders)
		}
	}
	if u, g := WritableMode>>6&7, WritableMode>>3&7; u != g || u != 7 {
		t.Errorf("mode %o: the group must have the owner's rwx", WritableMode)
	}
	if writable("conf") || writable("lib") || !writable("logs") {
		t.Error("writable() disagrees with WritableFolders")
	}
}

// The base is recorded as the engine resolved it: the name and the digest after the @.
func TestParseBaseRef(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	b, err := ParseBaseRef("docker.io/library/debian:12-slim@" + d)
	if err != nil || b.Name != "docker.io/library/debian:12-slim" || b.Digest != d {
		t.Errorf("ParseBaseRef = %+v, %v", b, err)
	}
	for _, bad := range []string{"", "debian:12-slim", "debian@sha256:abc", "@" + d, "debian@md5:" + strings.Repeat("a", 32)} {
		if _, err := ParseBaseRef(bad); err == nil {
			t.Errorf("ParseBaseRef(%q) accepted", bad)
		}
	}
}

// Both base labels are written, and as OCI keys they become manifest annotations too.
func TestLabelsRecordTheBase(t *testing.T) {
	d := "sha256:" + strings.Repeat("0f", 32)
	got := map[string]string{}
	for _, kv := range Labels(release.Version{}, "t", "d", Base{Name: "docker.io/library/alpine:3.19", Digest: d}, "", "") {
		got[kv[0]] = kv[1]
	}
	if got[LabelBaseName] != "docker.io/library/alpine:3.19" || got[LabelBaseDigest] != d {
		t.Errorf("labels %v lack the base", got)
	}
	if !strings.HasPrefix(LabelBaseName, "org.opencontainers.") || !strings.HasPrefix(LabelBaseDigest, "org.opencontainers.") {
		t.Error("the base labels must be OCI keys, which Build also writes as annotations")
	}
}
