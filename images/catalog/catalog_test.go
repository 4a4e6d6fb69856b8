package catalog

import (
	"regexp"
	"strings"
	"testing"
)

func TestCatalogEntries(t *testing.T) {
	if got := strings.Join(Names(), ","); got != "alpine,debian" {
		t.Fatalf("Names() = %s", got)
	}
	want := map[string]struct{ base, jre, home string }{
		"alpine": {"alpine:3.19", "openjdk17-jre-headless", "/usr/lib/jvm/java-17-openjdk"},
		"debian": {"debian:12-slim", "openjdk-17-jre-headless", "/usr/lib/jvm/java-17-openjdk-amd64"},
	}
	for name, w := range want {
		o, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if o.BaseImage != w.base {
			t.Errorf("%s base = %s; want %s", name, o.BaseImage, w.base)
		}
		pkgs := strings.Join(o.InstallPackages(JRE), " ")
		for _, p := range []string{w.jre, "nodejs", "curl", "bash", "tzdata", "ca-certificates", "netcat-openbsd"} {
			if !strings.Contains(" "+pkgs+" ", " "+p+" ") {
				t.Errorf("%s jre packages %q lack %s", name, pkgs, p)
			}
		}
		// the JRE image carries no compiler, npm or wget; the JDK image does (upstream parity)
		for _, p := range strings.Fields(pkgs) {
			if strings.HasSuffix(p, "-jdk") || p == "npm" || p == "wget" {
				t.Errorf("%s jre packages %q contain %s", name, pkgs, p)
			}
		}
		jdk := strings.Join(o.InstallPackages(JDK), " ")
		for _, p := range []string{"jdk", "npm", "wget"} {
			if !strings.Contains(jdk, p) {
				t.Errorf("%s jdk packages %q lack %s", name, jdk, p)
			}
		}
		if h, err := o.JavaHomeFor("amd64"); err != nil || h != w.home {
			t.Errorf("%s JAVA_HOME amd64 = %s, %v", name, h, err)
		}
	}
	alpine, _ := Lookup("alpine")
	for _, p := range []string{"shadow", "su-exec"} {
		if !strings.Contains(strings.Join(alpine.Packages, " "), p) {
			t.Errorf("alpine lacks %s", p)
		}
	}
	debian, _ := Lookup("debian")
	if debian.Env["TZ"] != "Asia/Shanghai" {
		t.Errorf("debian TZ = %q", debian.Env["TZ"])
	}
}

func TestJavaHomePerArchitecture(t *testing.T) {
	debian, _ := Lookup("debian")
	if h, _ := debian.JavaHomeFor("arm64"); h != "/usr/lib/jvm/java-17-openjdk-arm64" {
		t.Errorf("debian arm64 JAVA_HOME = %s", h)
	}
	if h, _ := debian.JavaHomeFor("ppc64le"); h != "/usr/lib/jvm/java-17-openjdk-ppc64el" {
		t.Errorf("debian ppc64le JAVA_HOME = %s (Debian calls it ppc64el)", h)
	}
	if _, err := debian.JavaHomeFor("riscv64"); err == nil || !strings.Contains(err.Error(), "amd64, arm64") {
		t.Errorf("unsupported arch error = %v", err)
	}
}

func TestLookupErrors(t *testing.T) {
	if o, err := Lookup(" Debian "); err != nil || o.Name != "debian" {
		t.Errorf("Lookup(\" Debian \") = %v, %v", o.Name, err)
	}
	_, err := Lookup("windows")
	if err == nil || !strings.Contains(err.Error(), `"windows"`) || !strings.Contains(err.Error(), "alpine, debian") {
		t.Errorf("Lookup(windows) error = %v", err)
	}
	if _, err := Lookup(""); err == nil || !strings.Contains(err.Error(), "no OS") {
		t.Errorf("Lookup(\"\") error = %v", err)
	}
}

func TestInstallExec(t *testing.T) {
	debian, _ := Lookup("debian")
	argv := debian.InstallExec(JRE)
	if len(argv) < 5 || argv[0] != "sh" || argv[1] != "-c" || argv[2] != aptInstall {
		t.Fatalf("debian install = %q; want the fixed apt script with arguments", argv)
	}
	args := " " + strings.Join(argv[4:], " ") + " "
	for _, want := range []string{" curl ", " openjdk-17-jre-headless ", "-o Dpkg::Options::=--path-exclude=/usr/lib/jvm/*/lib/ct.sym ",
		// nothing but run-time files stays, whatever the base's own dpkg and apt configuration
		"-o Dpkg::Options::=--path-exclude=/usr/share/doc/* ", "-o Dpkg::Options::=--path-include=/usr/share/doc/*/copyright ",
		"--path-exclude=/usr/share/man/* ", "--path-exclude=/usr/share/locale/* "} {
		if !strings.Contains(args, want) {
			t.Errorf("debian install arguments %q lack %q", args, want)
		}
	}
	for _, want := range []string{`"$@"`, "--no-install-recommends", "apt-get clean", "rm -rf /var/lib/apt/lists/*", "/var/cache/apt/*.bin"} {
		if !strings.Contains(aptInstall, want) {
			t.Errorf("apt script lacks %q", want)
		}
	}
	if strings.Contains(strings.Join(debian.InstallExec(JDK), " "), "ct.sym") {
		t.Errorf("the JDK flavour leaves out ct.sym, which javac --release needs")
	}
	alpine, _ := Lookup("alpine")
	argv = alpine.InstallExec(JRE)
	if argv[2] != apkInstall || !strings.Contains(apkInstall, "apk add --no-cache \"$@\"") || argv[4] != "bash" {
		t.Errorf("alpine install = %q", argv)
	}
}

// The repository files of the real bases, rewritten: the URL is replaced literally, the rest of
// each file (suites, keys, layout) stays.
func TestMirrored(t *testing.T) {
	debian, _ := Lookup("debian")
	alpine, _ := Lookup("alpine")
	deb822 := "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n" +
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\n" +
		"Suites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
	cases := []struct {
		os         OS
		in, mirror string
		want       string
		changed    bool
	}{
		{debian, deb822, "http://m.example:8080/debian/", strings.NewReplacer("http://deb.debian.org/debian", "http://m.example:8080/debian").Replace(deb822), true},
		{debian, "deb http://deb.debian.org/debian bookworm main\n", "https://m.example/debian", "deb https://m.example/debian bookworm main\n", true},
		// "$1" or "&" would be expansions in a regexp replacement or sed: literal here
		{debian, "deb http://deb.debian.org/debian bookworm main\n", "http://m.example/$1&", "deb http://m.example/$1& bookworm main\n", true},
		{debian, "deb http://other.example/debian bookworm main\n", "http://m.example/debian", "deb http://other.example/debian bookworm main\n", false},
		{alpine, "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\nhttps://dl-cdn.alpinelinux.org/alpine/v3.19/community\n", "http://m.example/alpine",
			"http://m.example/alpine/v3.19/main\nhttp://m.example/alpine/v3.19/community\n", true},
	}
	for _, c := range cases {
		got, changed := c.os.Mirrored(c.in, c.mirror)
		if got != c.want || changed != c.changed {
			t.Errorf("%s Mirrored(%q, %q) = %q, %v; want %q, %v", c.os.Name, c.in, c.mirror, got, changed, c.want, c.changed)
		}
	}
}

func TestRegisterRejectsBrokenEntries(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("Register accepted an entry without packages")
		}
	}()
	Register(OS{Name: "broken", Title: "B", Description: "d", BaseImage: "x", Manager: Apt, Sources: []string{"/x"}, Upstream: regexp.MustCompile("x")})
}

func TestParseJava(t *testing.T) {
	if j, err := ParseJava(""); err != nil || j != JRE {
		t.Errorf("default java = %s, %v", j, err)
	}
	if j, err := ParseJava("JDK"); err != nil || j != JDK {
		t.Errorf("JDK = %s, %v", j, err)
	}
	if _, err := ParseJava("graal"); err == nil || !strings.Contains(err.Error(), "jre") {
		t.Errorf("ParseJava(graal) = %v", err)
	}
}
