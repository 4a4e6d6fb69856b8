package options

import (
	"strings"
	"testing"
	"time"

	"dagger/fit-images/images/catalog"
)

// Hostile are values a hostile or careless caller may pass as any string argument: each shell
// metacharacter, quoting and white space, alone and inside an otherwise plausible value.
var Hostile = []string{"'", `"`, "|", ";", "&&", "$(id)", "`id`", "\n", " ", `\`, "&", ">", "<", "*", "#", "%0a", "${IFS}"}

func TestMirrors(t *testing.T) {
	m, err := Mirrors("http://deb.example/debian/", "")
	if err != nil || m[catalog.Apt] != "http://deb.example/debian" || m[catalog.Apk] != "" {
		t.Errorf("Mirrors = %v, %v", m, err)
	}
	good := map[string]string{
		"https://mirror.example.com/debian":           "https://mirror.example.com/debian",
		"http://10.0.0.7:8080/debian/":                "http://10.0.0.7:8080/debian",
		"http://[fd00::7]:3142/debian":                "http://[fd00::7]:3142/debian",
		"http://apt-cache:3142/deb.debian.org/debian": "http://apt-cache:3142/deb.debian.org/debian",
		"http://m.example/~user/debian_12-x":          "http://m.example/~user/debian_12-x",
		"http://m.example":                            "http://m.example",
	}
	for in, want := range good {
		if got, err := Mirror("--apt-mirror", in, "x"); err != nil || got != want {
			t.Errorf("Mirror(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{"deb.example/debian", "ftp://x/alpine", "file:///srv/debian", "http://", "http:/x/debian", "http://user:pw@m.example/debian",
		"http://m.example/debian?x=1", "http://m.example/debian#x", "http://m.example:99999/debian", "http://m.example:/debian",
		"http://m.example:port/debian", "http://-m.example/debian", "http://m..example/debian", "http://[m.example]/debian",
		"http://m.example/deb%20ian", " http://m.example/debian", "http://m.example/debian ", "HTTP://m.example/debian"}
	for _, h := range Hostile {
		bad = append(bad, h, "http://m.example/debian"+h, "http://m.example/debian"+h+"touch /tmp/pwned", "http://m.example"+h+"/debian",
			"http://m.example/debian'"+h+"touch /tmp/pwned;'")
	}
	for _, in := range bad {
		for _, args := range [][2]string{{in, ""}, {"", in}} {
			_, err := Mirrors(args[0], args[1])
			if err == nil || !strings.Contains(err.Error(), "http(s)://HOST[:PORT]/PATH") || strings.Contains(err.Error(), "\n") {
				t.Errorf("Mirrors(%q, %q) = %v; want one line refusing it", args[0], args[1], err)
			}
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
