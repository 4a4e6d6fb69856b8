package catalog

import (
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
		if !strings.Contains(o.CreateUser, "2000") || !strings.Contains(o.CreateUser, "/bin/bash") {
			t.Errorf("%s user command %q lacks uid 2000 or bash", name, o.CreateUser)
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

func TestInstallCommand(t *testing.T) {
	debian, _ := Lookup("debian")
	cmd := debian.InstallCommand(JRE, "http://mirror.example/debian/")
	for _, want := range []string{"apt-get install", "--no-install-recommends", " curl ", "--path-exclude=/usr/lib/jvm/*/lib/ct.sym", "http://mirror.example/debian|g", "rm -rf /var/lib/apt/lists/*",
		// nothing but run-time files stays, whatever the base's own dpkg and apt configuration
		"apt-get clean", "/var/cache/apt/*.bin", "'Dpkg::Options::=--path-exclude=/usr/share/doc/*'",
		"'Dpkg::Options::=--path-include=/usr/share/doc/*/copyright'", "--path-exclude=/usr/share/man/*", "--path-exclude=/usr/share/locale/*"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("debian install command %q lacks %q", cmd, want)
		}
	}
	if strings.Contains(debian.InstallCommand(JRE, ""), "sed") {
		t.Errorf("no mirror given, yet sources are rewritten")
	}
	if strings.Contains(debian.InstallCommand(JDK, ""), "ct.sym") {
		t.Errorf("the JDK flavour leaves out ct.sym, which javac --release needs")
	}
	alpine, _ := Lookup("alpine")
	cmd = alpine.InstallCommand(JRE, "https://mirrors.example/alpine")
	if !strings.Contains(cmd, "apk add --no-cache bash") || !strings.Contains(cmd, "/etc/apk/repositories") {
		t.Errorf("alpine install command %q", cmd)
	}
}

func TestRegisterRejectsBrokenEntries(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("Register accepted an entry without packages")
		}
	}()
	Register(OS{Name: "broken", Title: "B", Description: "d", BaseImage: "x", Manager: Apt, CreateUser: "true"})
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
