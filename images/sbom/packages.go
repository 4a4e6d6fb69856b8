package sbom

import (
	"fmt"
	"sort"
	"strings"

	"github.com/package-url/packageurl-go"

	"dagger/fit-images/images/catalog"
)

// Package is one installed OS package as its package manager's database records it.
type Package struct {
	Name, Version, Arch string
	// Source is the source package (dpkg Source, apk origin) when it differs from Name; purls carry
	// it as the upstream qualifier, which is how scanners match advisories filed against the source.
	Source string
}

// Distro is the distribution a package database belongs to, as /etc/os-release names it.
type Distro struct {
	ID        string // debian, alpine
	VersionID string // 12, 3.19.1
}

// String is the purl distro qualifier: debian-12, alpine-3.19.1.
func (d Distro) String() string { return d.ID + "-" + d.VersionID }

// ParseOSRelease reads ID and VERSION_ID of an os-release file (shell-style KEY=value lines,
// values optionally quoted). Both are required: a purl without its distro is ambiguous.
func ParseOSRelease(b []byte) (Distro, error) {
	var d Distro
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			d.ID = v
		case "VERSION_ID":
			d.VersionID = v
		}
	}
	if d.ID == "" || d.VersionID == "" {
		return d, fmt.Errorf("os-release lacks ID or VERSION_ID (got ID=%q VERSION_ID=%q)", d.ID, d.VersionID)
	}
	return d, nil
}

// stanzas splits a package database into its records (blank-line separated), each a list of
// lines with continuation lines (leading space or tab, dpkg's multi-line fields) joined to the
// line they continue, so multi-line descriptions never look like fields.
func stanzas(db []byte) [][]string {
	var out [][]string
	var cur []string
	for _, line := range strings.Split(strings.ReplaceAll(string(db), "\r\n", "\n"), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
		case (line[0] == ' ' || line[0] == '\t') && len(cur) > 0:
			cur[len(cur)-1] += "\n" + line
		default:
			cur = append(cur, line)
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// ParseDpkgStatus lists the packages of a dpkg status file that are installed (Status ends in
// "installed": removed packages whose configuration remains are listed too, with status
// "deinstall ok config-files", and are not in the image), sorted by name and architecture.
func ParseDpkgStatus(db []byte) ([]Package, error) {
	var out []Package
	for i, st := range stanzas(db) {
		f := map[string]string{}
		for _, line := range st {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("dpkg status record %d: line %q is not a field", i+1, firstLine(line))
			}
			f[k] = strings.TrimSpace(v)
		}
		if !strings.HasSuffix(f["Status"], " installed") {
			continue
		}
		p := Package{Name: f["Package"], Version: f["Version"], Arch: f["Architecture"]}
		if p.Name == "" || p.Version == "" {
			return nil, fmt.Errorf("dpkg status record %d: an installed package without Package or Version", i+1)
		}
		// Source: "name" or "name (version)" when the binary's version differs
		if src, _, _ := strings.Cut(f["Source"], " "); src != "" && src != p.Name {
			p.Source = src
		}
		out = append(out, p)
	}
	return sorted(out)
}

// ParseApkInstalled lists the packages of apk's installed database (records of "X:value" lines:
// P name, V version, A architecture, o origin), sorted by name and architecture.
func ParseApkInstalled(db []byte) ([]Package, error) {
	var out []Package
	for i, st := range stanzas(db) {
		var p Package
		for _, line := range st {
			if len(line) < 2 || line[1] != ':' {
				return nil, fmt.Errorf("apk installed record %d: line %q is not a field", i+1, firstLine(line))
			}
			v := line[2:]
			switch line[0] {
			case 'P':
				p.Name = v
			case 'V':
				p.Version = v
			case 'A':
				p.Arch = v
			case 'o':
				p.Source = v
			}
		}
		if p.Name == "" || p.Version == "" {
			return nil, fmt.Errorf("apk installed record %d: a package without P or V", i+1)
		}
		if p.Source == p.Name {
			p.Source = ""
		}
		out = append(out, p)
	}
	return sorted(out)
}

// ParsePackages reads the database of manager m (the dpkg status file for apt, apk's installed
// database for apk).
func ParsePackages(m catalog.PackageManager, db []byte) ([]Package, error) {
	switch m {
	case catalog.Apt:
		return ParseDpkgStatus(db)
	case catalog.Apk:
		return ParseApkInstalled(db)
	}
	return nil, fmt.Errorf("no package database reader for package manager %q", m)
}

// sorted orders packages by name and architecture and refuses a package listed twice: two
// records of one installed package mean a corrupt database, and the SBOM would have to pick one.
func sorted(ps []Package) ([]Package, error) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		return ps[i].Arch < ps[j].Arch
	})
	for i := 1; i < len(ps); i++ {
		if ps[i].Name == ps[i-1].Name && ps[i].Arch == ps[i-1].Arch {
			return nil, fmt.Errorf("package %s (%s) is listed twice in the package database", ps[i].Name, ps[i].Arch)
		}
	}
	return ps, nil
}

// PURL is the package URL of p: pkg:deb/debian/NAME@VERSION?arch=…&distro=debian-12 for apt,
// pkg:apk/alpine/NAME@VERSION?arch=…&distro=alpine-3.19.1 for apk.
func (p Package) PURL(m catalog.PackageManager, d Distro) string {
	typ := packageurl.TypeDebian
	if m == catalog.Apk {
		typ = packageurl.TypeApk
	}
	q := map[string]string{"distro": d.String()}
	if p.Arch != "" {
		q["arch"] = p.Arch
	}
	if p.Source != "" {
		q["upstream"] = p.Source
	}
	return packageurl.NewPackageURL(typ, d.ID, p.Name, p.Version, packageurl.QualifiersFromMap(q), "").ToString()
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
