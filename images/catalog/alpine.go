package catalog

import "regexp"

func init() {
	Register(OS{
		Name:        "alpine",
		Title:       "Alpine",
		Description: "Alpine Linux 3.19 (musl): the smallest image, cloud native",
		BaseImage:   "alpine:3.19",
		Manager:     Apk,
		// shadow and su-exec stay for parity: images built FROM this one use them
		Packages: []string{"bash", "ca-certificates", "curl", "netcat-openbsd", "nodejs", "shadow", "su-exec", "tzdata"},
		JavaPackages: map[Java][]string{
			JRE: {"openjdk17-jre-headless"},
			JDK: {"openjdk17-jdk", "npm", "unzip", "wget"},
		},
		// Alpine's JVM folder has no architecture suffix
		JavaHome: map[string]string{
			"amd64":   "/usr/lib/jvm/java-17-openjdk",
			"arm64":   "/usr/lib/jvm/java-17-openjdk",
			"ppc64le": "/usr/lib/jvm/java-17-openjdk",
			"s390x":   "/usr/lib/jvm/java-17-openjdk",
		},
		Sources: []string{"/etc/apk/repositories"},
		// https://dl-cdn.alpinelinux.org/alpine/v3.19/main becomes MIRROR/v3.19/main
		Upstream: regexp.MustCompile(`https?://[^/\s]+/alpine`),
	})
}
