package sbom

import (
	"context"
	"fmt"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
)

// Databases are where each package manager keeps its record of what is installed.
var Databases = map[catalog.PackageManager]string{
	catalog.Apt: "/var/lib/dpkg/status",
	catalog.Apk: "/lib/apk/db/installed",
}

// sumJars lists the sha256 of every jar under the folder given as $1, paths relative to it. A
// constant: the folder comes as an argument, so no value is ever part of the script's text.
const sumJars = `set -eu
cd "$1"
find . -type f -name '*.jar' -exec sha256sum {} +`

// Read gathers the SBOM's inputs from a finished image: its package database (of manager m),
// os-release, the Java runtime's release file (JAVA_HOME of the image's config) and the sums of
// every jar under FIT_JAVA_DIR. Files are read through the SDK; only the jars' sums run a
// command, a fixed script with the folder as its argument.
func Read(ctx context.Context, ctr *dagger.Container, m catalog.PackageManager) (Files, error) {
	var f Files
	db, ok := Databases[m]
	if !ok {
		return f, fmt.Errorf("sbom: no package database known for package manager %q", m)
	}
	read := func(p string) ([]byte, error) {
		s, err := ctr.File(p).Contents(ctx)
		if err != nil {
			return nil, fmt.Errorf("sbom: cannot read %s of the image: %w", p, err)
		}
		return []byte(s), nil
	}
	var err error
	if f.PackageDB, err = read(db); err != nil {
		return f, err
	}
	// os-release(5): /etc/os-release, else /usr/lib/os-release (Debian's /etc one is a symlink to it)
	if f.OSRelease, err = read("/etc/os-release"); err != nil {
		if f.OSRelease, err = read("/usr/lib/os-release"); err != nil {
			return f, err
		}
	}
	if f.JavaHome, err = ctr.EnvVariable(ctx, "JAVA_HOME"); err != nil {
		return f, fmt.Errorf("sbom: cannot read JAVA_HOME of the image: %w", err)
	}
	if f.JavaHome != "" {
		// a runtime without a release file is left out of the SBOM rather than failing it: its
		// package is listed all the same
		if b, err := read(strings.TrimSuffix(f.JavaHome, "/") + "/release"); err == nil {
			f.JavaRelease = b
		}
	}
	if f.FitJavaDir, err = ctr.EnvVariable(ctx, "FIT_JAVA_DIR"); err != nil {
		return f, fmt.Errorf("sbom: cannot read FIT_JAVA_DIR of the image: %w", err)
	}
	if f.FitJavaDir == "" {
		return f, fmt.Errorf("sbom: the image has no FIT_JAVA_DIR: is it a FIT image?")
	}
	out, err := ctr.WithExec([]string{"sh", "-c", sumJars, "sum-jars", f.FitJavaDir}).Stdout(ctx)
	if err != nil {
		return f, fmt.Errorf("sbom: cannot sum the jars under %s: %w", f.FitJavaDir, err)
	}
	if f.Jars, err = ParseSHA256Sums(out); err != nil {
		return f, fmt.Errorf("sbom: %w", err)
	}
	return f, nil
}
