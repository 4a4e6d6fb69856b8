package catalog

import "regexp"

func init() {
	Register(OS{
		Name:        "debian",
		Title:       "Debian",
		Description: "Debian 12 (bookworm, glibc): stable and broadly compatible",
		BaseImage:   "debian:12-slim",
		Manager:     Apt,
		// procps: ps/pgrep for operators; netcat: the entrypoint's registry wait when bash lacks /dev/tcp
		Packages: []string{"bash", "ca-certificates", "curl", "netcat-openbsd", "nodejs", "procps", "tzdata"},
		JavaPackages: map[Java][]string{
			JRE: {"openjdk-17-jre-headless"},
			JDK: {"openjdk-17-jdk", "npm", "unzip", "wget"},
		},
		// Two files of the runtime FIT never reads (22 MB): javac's table of older releases' APIs,
		// used only to compile with --release (the JRE has no javac), and the class-data archive
		// for JVMs without compressed pointers (heaps of 32 GB and more, which then start without
		// it). The JDK flavour keeps both.
		JavaExcludes: map[Java][]string{
			JRE: {"/usr/lib/jvm/*/lib/ct.sym", "/usr/lib/jvm/*/lib/server/classes_nocoops.jsa"},
		},
		// Debian names the JVM folder after its own architecture names
		JavaHome: map[string]string{
			"amd64":   "/usr/lib/jvm/java-17-openjdk-amd64",
			"arm64":   "/usr/lib/jvm/java-17-openjdk-arm64",
			"ppc64le": "/usr/lib/jvm/java-17-openjdk-ppc64el",
			"s390x":   "/usr/lib/jvm/java-17-openjdk-s390x",
		},
		Sources: []string{"/etc/apt/sources.list", "/etc/apt/sources.list.d/*.sources"},
		// deb.debian.org/debian-security becomes MIRROR-security, as mirrors lay them out
		Upstream: regexp.MustCompile(`https?://deb\.debian\.org/debian`),
		Env:      map[string]string{"TZ": "Asia/Shanghai"},
	})
}
