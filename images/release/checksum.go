package release

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// PinsPath is the repository file of pinned release-zip sums, embedded in the module at build time.
const PinsPath = "images/release/checksums.txt"

//go:embed checksums.txt
var pinnedText string

// Pins are the sha256 sums of release zips by version, and where they were read.
type Pins struct {
	From string // PinsPath, or the file given instead
	sums map[string]string
}

// Pinned are the sums of PinsPath as embedded in this build.
func Pinned() (Pins, error) { return ParsePins(pinnedText, PinsPath) }

// ParsePins reads "VERSION sha256:HEX" lines; blank lines and lines starting with # are skipped.
// A version listed twice is refused: which line wins would be a guess.
func ParsePins(text, from string) (Pins, error) {
	p := Pins{From: from, sums: map[string]string{}}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return p, fmt.Errorf("%s line %d: expected \"VERSION sha256:HEX\", got %q", from, i+1, line)
		}
		v, err := ParseVersion(f[0])
		if err != nil {
			return p, fmt.Errorf("%s line %d: %w", from, i+1, err)
		}
		sum, err := ParseChecksum(f[1])
		if err != nil {
			return p, fmt.Errorf("%s line %d: %w", from, i+1, err)
		}
		if _, dup := p.sums[v.String()]; dup {
			return p, fmt.Errorf("%s line %d: %s is pinned twice: keep one line", from, i+1, v)
		}
		p.sums[v.String()] = sum
	}
	return p, nil
}

// Lookup is the pinned sum of v, "" when v is not pinned.
func (p Pins) Lookup(v Version) string { return p.sums[v.String()] }

// SetPin returns text (a pins file) with v pinned to sum: the comment lines stay on top, the pins
// follow one a line, oldest version first, v's line replaced or added.
func SetPin(text string, v Version, sum string) (string, error) {
	s, err := ParseChecksum(sum)
	if err != nil || s == "" {
		return "", fmt.Errorf("cannot pin %s: malformed checksum %q", v, sum)
	}
	p, err := ParsePins(text, PinsPath)
	if err != nil {
		return "", err
	}
	p.sums[v.String()] = s
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") {
			b.WriteString(line + "\n")
		}
	}
	versions := make([]Version, 0, len(p.sums))
	for k := range p.sums {
		pv, _ := ParseVersion(k)
		versions = append(versions, pv)
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].Compare(versions[j]) < 0 })
	for _, pv := range versions {
		fmt.Fprintf(&b, "%s %s\n", pv, p.sums[pv.String()])
	}
	return b.String(), nil
}

// Source tells where an expected sum came from; messages name it.
type Source string

const (
	FromFlag Source = "--checksum"
	FromAPI  Source = "the GitHub release API (asset digest)"
)

// FromPins is the source of a pinned sum read from file.
func FromPins(file string) Source { return Source("the pinned sums (" + file + ")") }

// Sum is the sha256 a release zip must have and where that came from; the zero Sum means the zip
// is not verified.
type Sum struct {
	Value  string // "sha256:hex"
	Source Source
}

// Verified tells whether there is a sum to check the zip against.
func (s Sum) Verified() bool { return s.Value != "" }

// String is "sha256:… (from --checksum)", or "not verified".
func (s Sum) String() string {
	if !s.Verified() {
		return "not verified"
	}
	return fmt.Sprintf("%s (from %s)", s.Value, s.Source)
}

// SumQuery is what the expected sum of a release zip can be resolved from.
type SumQuery struct {
	Version Version
	Flag    string // --checksum as typed
	Pins    Pins
	// Required is the release path: without Flag the pins and then API are asked, and some sum must
	// be found. Outside it only Flag counts, so a laptop build of a test zip needs neither.
	Required bool
	// API asks the GitHub release API for the asset's digest; nil when it cannot be asked.
	API func() (string, error)
}

// ResolveSum picks the expected sum: --checksum, else (on the release path) the pinned sum of the
// version, else the GitHub release API's digest of its asset. None of them on the release path is
// an error that lists the three ways to supply one.
func ResolveSum(q SumQuery) (Sum, error) {
	if strings.TrimSpace(q.Flag) != "" {
		s, err := ParseChecksum(q.Flag)
		return Sum{Value: s, Source: FromFlag}, err
	}
	if !q.Required {
		return Sum{}, nil
	}
	if s := q.Pins.Lookup(q.Version); s != "" {
		return Sum{Value: s, Source: FromPins(q.Pins.From)}, nil
	}
	why := "not asked"
	if q.API != nil {
		d, err := q.API()
		switch {
		case err != nil:
			why = err.Error()
		case d == "":
			why = "it gives no digest for the asset"
		default:
			s, err := ParseChecksum(d)
			if err != nil {
				return Sum{}, fmt.Errorf("the GitHub release API gives the FIT %s zip a digest this cannot read (%v): pass --checksum", q.Version, err)
			}
			return Sum{Value: s, Source: FromAPI}, nil
		}
	}
	v, instead := q.Version, ""
	if q.Pins.From != "" && q.Pins.From != PinsPath {
		instead = " (this run read " + q.Pins.From + " instead, which has none)"
	}
	return Sum{}, fmt.Errorf("no checksum for the FIT %s release zip, and the release path builds only a verified zip. Supply one of:\n"+
		"  1. --checksum sha256:HEX\n"+
		"  2. a pinned sum: the line \"%s sha256:HEX\" in %s, which go run ./hack/pin %s adds (commit it)%s\n"+
		"  3. the GitHub release API's digest of asset %s of release v%s: %s",
		v, v, PinsPath, v, instead, ArtifactName(v), v, why)
}

// ArtifactName is the release asset's file name: "3.6.0.zip".
func ArtifactName(v Version) string { return v.String() + ".zip" }

// MismatchError is a zip whose sum is not the expected one (typed, so a report can tell it from
// an unreachable zip).
type MismatchError struct {
	Version Version
	What    string // where the zip came from: "from URL", "given with --artifact"
	Want    Sum
	Got     string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("checksum mismatch for the FIT %s zip %s: expected %s (from %s), got %s; the file is corrupt or not the release you meant: check the expected sum and the zip (--url or --artifact)",
		e.Version, e.What, e.Want.Value, e.Want.Source, e.Got)
}

// Mismatch is the error of a zip whose sum is not the expected one.
func Mismatch(v Version, what string, want Sum, got string) error {
	return &MismatchError{Version: v, What: what, Want: want, Got: got}
}

// Note is the line a report carries about the zip of v: verified against what, or not verified.
func (s Sum) Note(v Version) string {
	if s.Verified() {
		return fmt.Sprintf("artifact: FIT %s zip verified, %s", v, s)
	}
	return fmt.Sprintf("artifact: FIT %s zip not verified (no --checksum); publish and build-all --push verify it against --checksum, the pinned sums or the GitHub release API", v)
}
