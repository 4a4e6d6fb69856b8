package pipeline

import (
	"strings"
	"testing"
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
