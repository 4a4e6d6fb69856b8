// Package catalog describes the operating systems the FIT base images are built on, as plain data.
// Adding an OS means adding one file with a Register call in init, plus its tests; nothing else
// in the pipeline names an OS.
package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// PackageManager says how packages are installed and how a mirror is set on the base image.
type PackageManager string

const (
	Apt PackageManager = "apt"
	Apk PackageManager = "apk"
)

// Java selects the Java 17 flavour that goes into the image.
type Java string

const (
	// JRE is the default: FIT needs no compiler API, and the runtime is much smaller.
	JRE Java = "jre"
	// JDK matches the upstream images, which ship the full JDK.
	JDK Java = "jdk"
)

// ParseJava turns a user's --java value into a Java flavour.
func ParseJava(s string) (Java, error) {
	switch Java(strings.ToLower(strings.TrimSpace(s))) {
	case "", JRE:
		return JRE, nil
	case JDK:
		return JDK, nil
	}
	return "", fmt.Errorf("unknown --java %q: use jre (default, smaller) or jdk (upstream parity)", s)
}

// OS is one entry of the catalog.
type OS struct {
	Name        string // as users type it: "debian"
	Title       string // for the image title label: "Debian"
	Description string // one line, for `list`
	BaseImage   string // "debian:12-slim"
	Manager     PackageManager
	// Packages always installed; JavaPackages per flavour (the JDK flavour also brings the
	// upstream extras such as npm and wget, for parity).
	Packages     []string
	JavaPackages map[Java][]string
	// JavaExcludes are files of the Java packages a flavour leaves out (dpkg path globs), apt only.
	JavaExcludes map[Java][]string
	// JavaHome by Go architecture name (amd64, arm64, …); the image sets JAVA_HOME from it.
	JavaHome map[string]string
	// Sources are the files that name the package repository (absolute path globs: a base keeps
	// them in one or the other), and Upstream matches the repository's URL in them; a mirror
	// replaces what Upstream matches, so the files keep their own layout and suites.
	Sources  []string
	Upstream *regexp.Regexp
	// Env added to the image on top of the common FIT variables.
	Env map[string]string
}

var registry = map[string]OS{}

// Register adds an OS; called from the init of each OS file. It panics on a malformed entry so a
// broken catalog never reaches a build.
func Register(o OS) {
	if err := o.validate(); err != nil {
		panic(err)
	}
	if _, dup := registry[o.Name]; dup {
		panic("catalog: duplicate OS " + o.Name)
	}
	registry[o.Name] = o
}

func (o OS) validate() error {
	switch {
	case o.Name == "" || strings.ToLower(o.Name) != o.Name:
		return fmt.Errorf("catalog: OS name %q must be lowercase and non-empty", o.Name)
	case o.BaseImage == "" || o.Title == "" || o.Description == "":
		return fmt.Errorf("catalog: OS %s lacks base image, title or description", o.Name)
	case len(o.Sources) == 0 || o.Upstream == nil:
		return fmt.Errorf("catalog: OS %s needs its repository files and URL pattern", o.Name)
	case o.Manager != Apt && o.Manager != Apk:
		return fmt.Errorf("catalog: OS %s has unknown package manager %q", o.Name, o.Manager)
	case len(o.JavaPackages[JRE]) == 0 || len(o.JavaPackages[JDK]) == 0:
		return fmt.Errorf("catalog: OS %s needs packages for both jre and jdk", o.Name)
	case o.JavaHome["amd64"] == "":
		return fmt.Errorf("catalog: OS %s needs JAVA_HOME for amd64", o.Name)
	}
	return nil
}

// Names lists the supported OS names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// All returns every OS, sorted by name.
func All() []OS {
	out := make([]OS, 0, len(registry))
	for _, n := range Names() {
		out = append(out, registry[n])
	}
	return out
}

// Lookup finds an OS by name (case-insensitive, trimmed).
func Lookup(name string) (OS, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if o, ok := registry[n]; ok {
		return o, nil
	}
	if n == "" {
		return OS{}, fmt.Errorf("no OS given: use one of %s", strings.Join(Names(), ", "))
	}
	return OS{}, fmt.Errorf("unknown OS %q: supported are %s", name, strings.Join(Names(), ", "))
}

// InstallPackages lists what the image installs for a Java flavour, in a stable order.
func (o OS) InstallPackages(j Java) []string {
	pkgs := append(append([]string{}, o.Packages...), o.JavaPackages[j]...)
	sort.Strings(pkgs)
	return pkgs
}

// JavaHomeFor returns JAVA_HOME for a Go architecture name.
func (o OS) JavaHomeFor(arch string) (string, error) {
	if h, ok := o.JavaHome[arch]; ok {
		return h, nil
	}
	archs := make([]string, 0, len(o.JavaHome))
	for a := range o.JavaHome {
		archs = append(archs, a)
	}
	sort.Strings(archs)
	return "", fmt.Errorf("%s images are not available for architecture %q: supported are %s", o.Name, arch, strings.Join(archs, ", "))
}

// The install scripts are constants: what varies (dpkg options, packages) comes as their
// arguments ("$@"), so no value is ever part of a script's text.
const (
	// the JRE's postinst links man pages into man1, which slim images strip
	aptInstall = `set -e
mkdir -p /usr/share/man/man1
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
apt-get clean
rm -rf ` + aptLeftovers
	// --no-cache: no index in /var/cache/apk; the same on every base
	apkInstall = `apk add --no-cache "$@"`
)

// InstallExec is the command that installs the packages of a Java flavour and leaves in the layer
// only what the packages need at run time: a fixed script and its arguments.
func (o OS) InstallExec(j Java) []string {
	if o.Manager == Apk {
		return append([]string{"sh", "-c", apkInstall, "apk-install"}, o.InstallPackages(j)...)
	}
	args := []string{"sh", "-c", aptInstall, "apt-install"}
	for _, p := range append(append([]string{}, DpkgExcludes...), o.JavaExcludes[j]...) {
		args = append(args, "-o", "Dpkg::Options::=--path-exclude="+p)
	}
	for _, p := range DpkgIncludes {
		args = append(args, "-o", "Dpkg::Options::=--path-include="+p)
	}
	return append(args, o.InstallPackages(j)...)
}

// Mirrored is the content of a repository file with the distribution's URL replaced by mirror
// (taken literally), and whether the file named that URL at all.
func (o OS) Mirrored(content, mirror string) (string, bool) {
	if !o.Upstream.MatchString(content) {
		return content, false
	}
	return o.Upstream.ReplaceAllLiteralString(content, strings.TrimRight(mirror, "/")), true
}

// DpkgExcludes are the files dpkg does not unpack (Debian's slim images exclude the same): manuals,
// info pages, translations and documentation are read by people, never by FIT, Java or Node.
// Passed per install, so the image is as small on a base without the slim dpkg config.
var DpkgExcludes = []string{
	"/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/groff/*",
	"/usr/share/lintian/*", "/usr/share/linda/*", "/usr/share/locale/*",
}

// DpkgIncludes are kept although under an excluded folder: the licences of what the image ships.
var DpkgIncludes = []string{"/usr/share/doc/*/copyright"}

// aptLeftovers are what apt and dpkg leave behind that no program reads at run time: the package
// indexes and their binary caches (apt-get update rebuilds them), logs and the backups of dpkg's
// and debconf's databases. apt-get clean removes the downloaded .deb files and the caches first.
const aptLeftovers = "/var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb " +
	"/var/log/apt/* /var/log/dpkg.log /var/log/alternatives.log /var/cache/debconf/*-old /var/lib/dpkg/*-old"
