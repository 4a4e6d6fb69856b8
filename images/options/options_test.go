package options

import (
	"strings"
	"testing"
	"time"

	"dagger/fit-images/images/catalog"
)

func TestMirrors(t *testing.T) {
	m, err := Mirrors(" http://deb.example/debian ", "")
	if err != nil || m[catalog.Apt] != "http://deb.example/debian" || m[catalog.Apk] != "" {
		t.Errorf("Mirrors = %v, %v", m, err)
	}
	for _, bad := range [][2]string{{"deb.example/debian", ""}, {"", "ftp://x/alpine"}} {
		if _, err := Mirrors(bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "http(s) URL") {
			t.Errorf("Mirrors(%q, %q) = %v; want an http(s) error", bad[0], bad[1], err)
		}
	}
}

func TestOSes(t *testing.T) {
	all, err := OSes("", "")
	if err != nil || len(all) != len(catalog.Names()) {
		t.Fatalf("OSes() = %v, %v", all, err)
	}
	got, err := OSes("debian,alpine", "alpine")
	if err != nil || len(got) != 1 || got[0].Name != "debian" || got[0].BaseImage != "debian:12-slim" {
		t.Errorf("OSes(debian,alpine minus alpine) = %v, %v", got, err)
	}
	if _, err := OSes("beos", ""); err == nil || !strings.Contains(err.Error(), "beos") {
		t.Errorf("unknown OS error = %v", err)
	}
}

func TestTimeout(t *testing.T) {
	if d, err := Timeout(" 3m "); err != nil || d != 3*time.Minute {
		t.Errorf("Timeout(3m) = %v, %v", d, err)
	}
	for _, bad := range []string{"", "120", "-5s", "0s", "soon"} {
		if _, err := Timeout(bad); err == nil || !strings.Contains(err.Error(), "--timeout") {
			t.Errorf("Timeout(%q) = %v; want an error", bad, err)
		}
	}
}

func TestLabels(t *testing.T) {
	rev, created, err := Labels(" 91c7b98aa ", "2026-12-02T18:04:05+08:00")
	if err != nil || rev != "91c7b98aa" || created != "2026-12-02T10:04:05Z" {
		t.Errorf("Labels = %q, %q, %v", rev, created, err)
	}
	if rev, created, err := Labels("", ""); err != nil || rev != "" || created != "" {
		t.Errorf("empty: %q %q %v", rev, created, err)
	}
	for _, c := range [][2]string{{"a b", ""}, {"x\ny", ""}, {"", "yesterday"}, {"", "2026-12-02"}, {"", "$(date)"}} {
		if _, _, err := Labels(c[0], c[1]); err == nil {
			t.Errorf("Labels(%q, %q) accepted", c[0], c[1])
		}
	}
}
