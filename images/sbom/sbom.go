// Package sbom builds the CycloneDX SBOM of a finished FIT image from the image's own files: the
// package manager's database, /etc/os-release, the Java runtime's release file and the sums of
// the release's jars. Generate is a pure function of those inputs, so the same image and the same
// created time give the same bytes; Read gathers the inputs from a container.
package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"dagger/fit-images/images/catalog"
)

// SpecVersion is the CycloneDX version written: 1.6, the newest that the common scanners read.
const SpecVersion = cdx.SpecVersion1_6

// PredicateType is the in-toto predicate type of a CycloneDX SBOM, the one
// `cosign verify-attestation --type cyclonedx` selects.
const PredicateType = "https://cyclonedx.org/bom"

// MediaType is the media type of the JSON this package writes.
const MediaType = "application/vnd.cyclonedx+json"

// Property names this package sets; the prefix keeps them apart from other tools' properties.
const (
	PropSumSource = "fit-images:sha256-source" // where the FIT zip's expected sum came from
	PropVerified  = "fit-images:verified"      // whether the zip was checked against that sum
	PropPath      = "fit-images:path"          // where a file lies in the image
	PropPlatform  = "fit-images:platform"      // the image variant's platform
	PropJavaHome  = "fit-images:java-home"
)

// Files are what Read gathers from an image.
type Files struct {
	PackageDB   []byte // /var/lib/dpkg/status or /lib/apk/db/installed
	OSRelease   []byte // /etc/os-release
	JavaRelease []byte // $JAVA_HOME/release
	JavaHome    string
	FitJavaDir  string // where the release lies, for the jars' paths
	Jars        []Jar
}

// Image names what the SBOM describes: one variant (platform) of a FIT image.
type Image struct {
	Name     string // fit-framework
	Version  string // 3.6.0-debian
	Platform string // linux/amd64
}

// FIT is the release zip the image was built from.
type FIT struct {
	Version   string // 3.6.0
	URL       string // where the zip was downloaded from
	SHA256    string // sha256:HEX it was verified against; "" when it was not verified
	SumSource string // where that sum came from (release.Sum.Source)
}

// Tool is the program that made the SBOM: this module at its revision.
type Tool struct {
	Name, Version string
}

// Input is everything Generate needs.
type Input struct {
	Manager catalog.PackageManager
	Files   Files
	Image   Image
	FIT     FIT
	Tool    Tool
	// Created is the SBOM's timestamp (the image's --created); zero leaves the timestamp out.
	Created time.Time
}

// javaPackage matches the packages of Java 17 on both bases: openjdk-17-jre-headless (Debian),
// openjdk17-jre-headless (Alpine), and their JDK flavours.
var javaPackage = regexp.MustCompile(`^openjdk-?17-`)

// nodePackage is Node.js's package on both bases.
const nodePackage = "nodejs"

// Generate is the CycloneDX 1.6 JSON SBOM of in. The serial number is a name-based UUID of the
// document's bytes without it, so it changes exactly when the content does.
func Generate(in Input) ([]byte, error) {
	bom, err := build(in)
	if err != nil {
		return nil, err
	}
	unserialised, err := encode(bom)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(unserialised)
	bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:fit-images:sbom:sha256:"+hex.EncodeToString(sum[:]))).String()
	return encode(bom)
}

func encode(bom *cdx.BOM) ([]byte, error) {
	var b bytes.Buffer
	enc := cdx.NewBOMEncoder(&b, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, SpecVersion); err != nil {
		return nil, fmt.Errorf("cannot encode the SBOM: %w", err)
	}
	return b.Bytes(), nil
}

func build(in Input) (*cdx.BOM, error) {
	if in.Image.Name == "" || in.Image.Version == "" || in.FIT.Version == "" {
		return nil, fmt.Errorf("sbom: the image name, image version and FIT version are required")
	}
	distro, err := ParseOSRelease(in.Files.OSRelease)
	if err != nil {
		return nil, err
	}
	pkgs, err := ParsePackages(in.Manager, in.Files.PackageDB)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("sbom: the package database lists no installed package")
	}

	var comps []cdx.Component
	var deps []cdx.Dependency
	pkgRefs := map[string]string{} // package name → bom-ref
	var osComps []cdx.Component
	for _, p := range pkgs {
		purl := p.PURL(in.Manager, distro)
		pkgRefs[p.Name] = purl
		osComps = append(osComps, cdx.Component{
			BOMRef: purl, Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version, PackageURL: purl,
		})
	}

	fit, jarComps, jarRefs, err := fitComponents(in)
	if err != nil {
		return nil, err
	}
	comps = append(comps, fit)
	deps = append(deps, dependency(fit.BOMRef, jarRefs))

	if java, ok := javaRuntime(in.Files); ok {
		var on []string
		for _, p := range pkgs {
			if javaPackage.MatchString(p.Name) {
				on = append(on, pkgRefs[p.Name])
			}
		}
		comps = append(comps, java)
		deps = append(deps, dependency(java.BOMRef, on))
	}
	if ref, ok := pkgRefs[nodePackage]; ok {
		var version string
		for _, p := range pkgs {
			if p.Name == nodePackage {
				version = UpstreamVersion(p.Version)
			}
		}
		node := cdx.Component{BOMRef: "runtime:node", Type: cdx.ComponentTypePlatform, Name: "node", Version: version,
			Description: "Node.js, from the " + nodePackage + " package"}
		comps = append(comps, node)
		deps = append(deps, dependency(node.BOMRef, []string{ref}))
	}
	comps = append(comps, jarComps...)
	comps = append(comps, osComps...)

	image := cdx.Component{
		BOMRef: "image", Type: cdx.ComponentTypeContainer, Name: in.Image.Name, Version: in.Image.Version,
		Description: fmt.Sprintf("FIT Framework %s on %s", in.FIT.Version, distro),
	}
	if in.Image.Platform != "" {
		image.Properties = &[]cdx.Property{{Name: PropPlatform, Value: in.Image.Platform}}
	}
	top := make([]string, 0, len(comps))
	for _, c := range comps {
		top = append(top, c.BOMRef)
	}
	deps = append(deps, dependency(image.BOMRef, top))
	sort.Slice(deps, func(i, j int) bool { return deps[i].Ref < deps[j].Ref })

	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{Component: &image}
	if !in.Created.IsZero() {
		bom.Metadata.Timestamp = in.Created.UTC().Format(time.RFC3339)
	}
	if in.Tool.Name != "" {
		bom.Metadata.Tools = &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: in.Tool.Name, Version: in.Tool.Version,
		}}}
	}
	bom.Components = &comps
	bom.Dependencies = &deps
	return bom, nil
}

// fitComponents are the release zip's component and one component per jar, with the jars'
// bom-refs.
func fitComponents(in Input) (cdx.Component, []cdx.Component, []string, error) {
	fit := cdx.Component{
		BOMRef: "fit-release", Type: cdx.ComponentTypeFramework, Group: "org.fitframework",
		Name: "fit-framework", Version: in.FIT.Version,
		Description: "the FIT Framework release zip " + in.FIT.Version + ".zip, unpacked into the image",
	}
	if in.FIT.URL != "" {
		fit.ExternalReferences = &[]cdx.ExternalReference{{Type: cdx.ERTypeDistribution, URL: in.FIT.URL}}
	}
	props := []cdx.Property{{Name: PropVerified, Value: "false"}}
	if in.FIT.SHA256 != "" {
		h := strings.TrimPrefix(in.FIT.SHA256, "sha256:")
		if !hex64.MatchString(h) {
			return fit, nil, nil, fmt.Errorf("sbom: the FIT zip's sum %q is not sha256:<64 hex digits>", in.FIT.SHA256)
		}
		fit.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: h}}
		props = []cdx.Property{{Name: PropSumSource, Value: in.FIT.SumSource}, {Name: PropVerified, Value: "true"}}
	}
	if in.Files.FitJavaDir != "" {
		props = append(props, cdx.Property{Name: PropPath, Value: in.Files.FitJavaDir})
	}
	fit.Properties = &props

	var comps []cdx.Component
	var refs []string
	for _, j := range in.Files.Jars {
		if !hex64.MatchString(j.SHA256) {
			return fit, nil, nil, fmt.Errorf("sbom: jar %s has a malformed sha256 %q", j.Path, j.SHA256)
		}
		c := cdx.Component{
			BOMRef: "jar:" + j.Path, Type: cdx.ComponentTypeLibrary, Name: j.Path,
			Hashes:     &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: j.SHA256}},
			Properties: &[]cdx.Property{{Name: PropPath, Value: joinPath(in.Files.FitJavaDir, j.Path)}},
		}
		if purl := MavenPURL(j.Path, in.FIT.Version); purl != "" {
			dir, file := splitJar(j.Path, in.FIT.Version)
			c.Group, c.Name, c.Version, c.PackageURL = mavenGroups[dir], file, in.FIT.Version, purl
		}
		comps = append(comps, c)
		refs = append(refs, c.BOMRef)
	}
	return fit, comps, refs, nil
}

// splitJar is the folder and artifact name of a FIT jar path MavenPURL accepted.
func splitJar(rel, version string) (dir, artifact string) {
	i := strings.LastIndex(rel, "/")
	if i >= 0 {
		dir, rel = rel[:i], rel[i+1:]
	}
	return dir, strings.TrimSuffix(rel, "-"+version+".jar")
}

func joinPath(dir, rel string) string {
	if dir == "" {
		return rel
	}
	return strings.TrimSuffix(dir, "/") + "/" + rel
}

// javaRuntime is the Java runtime as its release file describes it (JAVA_VERSION, the full
// JAVA_RUNTIME_VERSION, IMPLEMENTOR); false when there is no release file to read.
func javaRuntime(f Files) (cdx.Component, bool) {
	kv := map[string]string{}
	for _, line := range strings.Split(string(f.JavaRelease), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			kv[k] = strings.Trim(v, `"`)
		}
	}
	if kv["JAVA_VERSION"] == "" {
		return cdx.Component{}, false
	}
	c := cdx.Component{BOMRef: "runtime:java", Type: cdx.ComponentTypePlatform, Name: "java", Version: kv["JAVA_VERSION"]}
	var desc []string
	if impl := kv["IMPLEMENTOR"]; impl != "" {
		c.Publisher = impl
		desc = append(desc, "OpenJDK runtime by "+impl)
	}
	if rv := kv["JAVA_RUNTIME_VERSION"]; rv != "" {
		desc = append(desc, "runtime version "+rv)
	}
	c.Description = strings.Join(desc, ", ")
	if f.JavaHome != "" {
		c.Properties = &[]cdx.Property{{Name: PropJavaHome, Value: f.JavaHome}}
	}
	return c, true
}

// UpstreamVersion is the upstream part of a package version: Debian's epoch ("1:") and revision
// ("-6~deb12u2") and repack suffixes ("+dfsg"), Alpine's release ("-r0") removed.
func UpstreamVersion(v string) string {
	if _, after, ok := strings.Cut(v, ":"); ok {
		v = after
	}
	if i := strings.LastIndex(v, "-"); i > 0 {
		v = v[:i]
	}
	if i := strings.IndexAny(v, "+~"); i > 0 {
		v = v[:i]
	}
	return v
}

func dependency(ref string, on []string) cdx.Dependency {
	d := cdx.Dependency{Ref: ref}
	if len(on) > 0 {
		s := append([]string{}, on...)
		sort.Strings(s)
		d.Dependencies = &s
	}
	return d
}
