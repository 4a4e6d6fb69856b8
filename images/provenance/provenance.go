// Package provenance writes in-toto v1 Statements: the SLSA v1 provenance of a FIT image build,
// and the wrapper that turns any predicate (the SBOM) into a Statement about image digests. The
// types are in-toto's own (github.com/in-toto/attestation); the functions are pure, and the same
// inputs give the same bytes.
package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const (
	// PredicateType is SLSA provenance v1, the type `cosign verify-attestation --type
	// slsaprovenance1` selects.
	PredicateType = "https://slsa.dev/provenance/v1"
	// PayloadType is the DSSE payload type of an in-toto Statement.
	PayloadType = "application/vnd.in-toto+json"
	// BuildTypePath is where, in this module's repository, the build type is described; the
	// build type is the repository's URL with this path.
	BuildTypePath = "/blob/main/docs/supply-chain.md#provenance"
)

var (
	sha256Digest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	gitCommit    = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// Subject is what a Statement is about: an image manifest or index, by digest.
type Subject struct {
	Name   string // the image's name, without tag or digest: registry.example.com/fit/fit-framework
	Digest string // sha256:HEX
}

// Statement is the in-toto v1 Statement of predicate (JSON) of type predicateType about subjects,
// as compact JSON. Subjects are sorted (by digest, then name) so their order never changes the
// bytes, and the Statement is validated with in-toto's own rules before it is written.
func Statement(subjects []Subject, predicateType string, predicate []byte) ([]byte, error) {
	var pred structpb.Struct
	if err := protojson.Unmarshal(predicate, &pred); err != nil {
		return nil, fmt.Errorf("the %s predicate is not a JSON object: %w", predicateType, err)
	}
	return statement(subjects, predicateType, &pred)
}

func statement(subjects []Subject, predicateType string, pred *structpb.Struct) ([]byte, error) {
	if len(subjects) == 0 {
		return nil, fmt.Errorf("a statement needs at least one subject digest")
	}
	subs := append([]Subject{}, subjects...)
	sort.Slice(subs, func(i, j int) bool {
		if subs[i].Digest != subs[j].Digest {
			return subs[i].Digest < subs[j].Digest
		}
		return subs[i].Name < subs[j].Name
	})
	st := &intoto.Statement{Type: intoto.StatementTypeUri, PredicateType: predicateType, Predicate: pred}
	for i, s := range subs {
		if !sha256Digest.MatchString(s.Digest) {
			return nil, fmt.Errorf("subject %s has digest %q: expected sha256:<64 hex digits>", s.Name, s.Digest)
		}
		if i > 0 && subs[i-1] == s {
			continue
		}
		st.Subject = append(st.Subject, &intoto.ResourceDescriptor{Name: s.Name, Digest: map[string]string{"sha256": strings.TrimPrefix(s.Digest, "sha256:")}})
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("invalid in-toto statement: %w", err)
	}
	return marshal(st)
}

// marshal is m as compact JSON. protojson varies its whitespace on purpose (so that nobody
// relies on its bytes); compacting removes exactly that, and its field and map-key order is
// fixed, so the result is stable.
func marshal(m proto.Message) ([]byte, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Module is this Dagger module as the builder: its repository and the commit it ran at.
type Module struct {
	Repository string // https://github.com/OWNER/REPO
	Commit     string // the full 40-hex commit
	// Dagger is the engine version that ran the build (builder.version), optional.
	Dagger string
}

// Artifact is the FIT release zip the image was built from.
type Artifact struct {
	URL       string
	SHA256    string // sha256:HEX the zip was verified against; "" when it was not
	SumSource string // where that sum came from (release.Sum.Source)
}

// Base is the base image of one platform (or of all, when Platform is empty), by digest.
type Base struct {
	Name     string // as the catalog names it: debian:12-slim
	Digest   string // sha256:HEX
	Platform string // linux/amd64; "" for the index
}

// GitHub is the GitHub Actions run that built the image: the GITHUB_* values, passed in by the
// caller (this package never reads the environment).
type GitHub struct {
	ServerURL   string // GITHUB_SERVER_URL
	Repository  string // GITHUB_REPOSITORY
	RunID       string // GITHUB_RUN_ID
	RunAttempt  string // GITHUB_RUN_ATTEMPT
	Workflow    string // GITHUB_WORKFLOW
	WorkflowRef string // GITHUB_WORKFLOW_REF
	EventName   string // GITHUB_EVENT_NAME
	Ref         string // GITHUB_REF
	SHA         string // GITHUB_SHA
}

// RunURL is the run's page: SERVER/REPOSITORY/actions/runs/ID/attempts/N.
func (g GitHub) RunURL() string {
	u := strings.TrimSuffix(g.ServerURL, "/") + "/" + g.Repository + "/actions/runs/" + g.RunID
	if g.RunAttempt != "" {
		u += "/attempts/" + g.RunAttempt
	}
	return u
}

// Build is what the provenance of one release of a FIT image records.
type Build struct {
	Subjects []Subject // every pushed manifest and index digest
	Module   Module
	// External parameters: what the caller asked for.
	FITVersion string
	OS         string
	Platforms  []string
	Latest     string // the --latest rule: auto, always, never
	// Resolved dependencies.
	Artifact Artifact
	Bases    []Base
	// Run details; zero times are left out.
	Started, Finished time.Time
	GitHub            *GitHub // nil outside GitHub Actions
}

// Generate is the in-toto Statement with the SLSA v1 provenance of b.
func Generate(b Build) ([]byte, error) {
	p, err := Predicate(b)
	if err != nil {
		return nil, err
	}
	pred := &structpb.Struct{}
	raw, err := protojson.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := protojson.Unmarshal(raw, pred); err != nil {
		return nil, err
	}
	return statement(b.Subjects, PredicateType, pred)
}

// Predicate is the SLSA v1 provenance of b, validated by in-toto's rules.
func Predicate(b Build) (*slsa.Provenance, error) {
	repo := strings.TrimSuffix(b.Module.Repository, "/")
	switch {
	case !strings.HasPrefix(repo, "https://"):
		return nil, fmt.Errorf("provenance: the module's repository %q is not an https URL", b.Module.Repository)
	case !gitCommit.MatchString(b.Module.Commit):
		return nil, fmt.Errorf("provenance: the module's commit %q is not a full 40-hex commit", b.Module.Commit)
	case b.FITVersion == "" || b.OS == "":
		return nil, fmt.Errorf("provenance: the FIT version and the OS are required")
	case b.Artifact.URL == "":
		return nil, fmt.Errorf("provenance: the release zip's URL is required")
	}
	platforms := append([]string{}, b.Platforms...)
	sort.Strings(platforms)
	ext, err := structpb.NewStruct(map[string]any{
		"fitVersion": b.FITVersion,
		"os":         b.OS,
		"platforms":  toAny(platforms),
		"latest":     b.Latest,
	})
	if err != nil {
		return nil, err
	}

	zip := &intoto.ResourceDescriptor{Name: b.FITVersion + ".zip", Uri: b.Artifact.URL}
	if b.Artifact.SHA256 != "" {
		if !sha256Digest.MatchString(b.Artifact.SHA256) {
			return nil, fmt.Errorf("provenance: the zip's sum %q is not sha256:<64 hex digits>", b.Artifact.SHA256)
		}
		zip.Digest = map[string]string{"sha256": strings.TrimPrefix(b.Artifact.SHA256, "sha256:")}
		if zip.Annotations, err = structpb.NewStruct(map[string]any{"sha256Source": b.Artifact.SumSource}); err != nil {
			return nil, err
		}
	}
	deps := []*intoto.ResourceDescriptor{zip}

	bases := append([]Base{}, b.Bases...)
	sort.Slice(bases, func(i, j int) bool { return bases[i].Platform < bases[j].Platform })
	for _, base := range bases {
		if !sha256Digest.MatchString(base.Digest) {
			return nil, fmt.Errorf("provenance: base image %s has digest %q: expected sha256:<64 hex digits>", base.Name, base.Digest)
		}
		rd := &intoto.ResourceDescriptor{Name: base.Name, Uri: base.Name + "@" + base.Digest,
			Digest: map[string]string{"sha256": strings.TrimPrefix(base.Digest, "sha256:")}}
		if base.Platform != "" {
			if rd.Annotations, err = structpb.NewStruct(map[string]any{"platform": base.Platform}); err != nil {
				return nil, err
			}
		}
		deps = append(deps, rd)
	}
	deps = append(deps, &intoto.ResourceDescriptor{Uri: "git+" + repo + "@" + b.Module.Commit,
		Digest: map[string]string{"gitCommit": b.Module.Commit}})

	builder := &slsa.Builder{Id: repo + "@" + b.Module.Commit}
	if b.Module.Dagger != "" {
		builder.Version = map[string]string{"dagger": b.Module.Dagger}
	}
	meta := &slsa.BuildMetadata{}
	if !b.Started.IsZero() {
		meta.StartedOn = timestamppb.New(b.Started)
	}
	if !b.Finished.IsZero() {
		meta.FinishedOn = timestamppb.New(b.Finished)
	}
	var internal *structpb.Struct
	if g := b.GitHub; g != nil {
		if g.ServerURL == "" || g.Repository == "" || g.RunID == "" {
			return nil, fmt.Errorf("provenance: a GitHub run needs GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID")
		}
		meta.InvocationId = g.RunURL()
		if internal, err = structpb.NewStruct(map[string]any{"github": map[string]any{
			"repository":  g.Repository,
			"runId":       g.RunID,
			"runAttempt":  g.RunAttempt,
			"workflow":    g.Workflow,
			"workflowRef": g.WorkflowRef,
			"eventName":   g.EventName,
			"ref":         g.Ref,
			"sha":         g.SHA,
		}}); err != nil {
			return nil, err
		}
		if gitCommit.MatchString(g.SHA) && g.SHA != b.Module.Commit {
			// the workflow's own commit, when it differs from the module's (a workflow of another
			// repository calling this module)
			deps = append(deps, &intoto.ResourceDescriptor{Uri: "git+" + strings.TrimSuffix(g.ServerURL, "/") + "/" + g.Repository + "@" + g.SHA,
				Digest: map[string]string{"gitCommit": g.SHA}})
		}
	}
	if proto.Equal(meta, &slsa.BuildMetadata{}) {
		meta = nil
	}
	p := &slsa.Provenance{
		BuildDefinition: &slsa.BuildDefinition{
			BuildType:            repo + BuildTypePath,
			ExternalParameters:   ext,
			InternalParameters:   internal,
			ResolvedDependencies: deps,
		},
		RunDetails: &slsa.RunDetails{Builder: builder, Metadata: meta},
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return p, nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
