// Package attest signs a staged FIT image and attaches its supply-chain documents in cosign's
// layout (images/signing): the index digest and every platform's manifest digest are signed; each
// manifest carries its platform's SBOM, the index every platform's SBOM, and all of them the one
// provenance whose subjects are the index and every manifest. It speaks to the registry itself
// (go-containerregistry); the SBOMs are made by the caller, from the built containers.
package attest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"dagger/fit-images/images/provenance"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/sbom"
	"dagger/fit-images/images/signing"
)

// Variant is one platform of the staged image.
type Variant struct {
	Platform string // os/arch[/variant], as release.Platform writes it
	SBOM     []byte // CycloneDX JSON of this variant
	Base     provenance.Base
}

// Key answers the cosign private key (PEM) and its password; it is called once, at the moment of
// signing, so the secrets' plaintext is read only then.
type Key func(ctx context.Context) (key, password []byte, err error)

// Staged is one image staged by digest and what its provenance says besides the digests.
type Staged struct {
	Ref      string // REPO@sha256:HEX, as release-check staged it
	Variants []Variant
	// Build is the provenance without Subjects and Bases, which Sign fills in.
	Build provenance.Build
}

// Signed is what Sign signed: the index (empty for a single manifest) and each platform's
// manifest digest.
type Signed struct {
	Index     string
	Manifests map[string]string // platform → sha256:HEX
	// NoReferrers is why the registry holds no OCI 1.1 referrers of them (it refused the first
	// one); the cosign tags are written all the same.
	NoReferrers string
}

// Detail is the one line a report shows.
func (s Signed) Detail() string {
	var ps []string
	for p, d := range s.Manifests {
		ps = append(ps, p+" "+short(d))
	}
	sort.Strings(ps)
	what := "manifest " + strings.Join(ps, ", ")
	if s.Index != "" {
		what = "index " + short(s.Index) + " and manifests " + strings.Join(ps, ", ")
	}
	line := "signed " + what + "; SBOM (CycloneDX) and provenance (SLSA v1) attested"
	if s.NoReferrers != "" {
		line += "; cosign tags only, no OCI referrers (" + s.NoReferrers + ")"
	}
	return line
}

// tolerate notes a refused referrer and answers every other error: referrers are stored where a
// registry takes them; the tags cosign reads by default were written before.
func (s *Signed) tolerate(err error) error {
	if !errors.Is(err, signing.ErrReferrer) {
		return err
	}
	if s.NoReferrers == "" {
		s.NoReferrers = err.Error()
	}
	return nil
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

// Sign signs s.Ref and its manifests with key and attests them, through opts (login, transport)
// in repo, the staging repository s.Ref names.
func Sign(ctx context.Context, s Staged, key Key, repo name.Repository, opts []remote.Option) (Signed, error) {
	var out Signed
	at := strings.LastIndex(s.Ref, "@")
	if at < 0 {
		return out, fmt.Errorf("%s is not a digest reference", s.Ref)
	}
	ref := repo.Digest(s.Ref[at+1:])
	ro := append(append([]remote.Option{}, opts...), remote.WithContext(ctx))
	desc, err := remote.Get(ref, ro...)
	if err != nil {
		return out, fmt.Errorf("cannot read the staged %s: %s", s.Ref, report.FirstLine(err.Error()))
	}
	var manifests []v1.Descriptor
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return out, fmt.Errorf("cannot read the staged index %s: %s", s.Ref, report.FirstLine(err.Error()))
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return out, fmt.Errorf("cannot read the staged index %s: %s", s.Ref, report.FirstLine(err.Error()))
		}
		manifests = m.Manifests
		out.Index = desc.Digest.String()
	}
	if out.Manifests, err = Match(desc.Digest.String(), manifests, s.Variants); err != nil {
		return out, err
	}

	b := s.Build
	b.Subjects, b.Bases = nil, nil
	subject := func(d string) provenance.Subject { return provenance.Subject{Name: repo.Name(), Digest: d} }
	if out.Index != "" {
		b.Subjects = append(b.Subjects, subject(out.Index))
	}
	for _, v := range s.Variants {
		b.Subjects = append(b.Subjects, subject(out.Manifests[v.Platform]))
		base := v.Base
		base.Platform = v.Platform
		b.Bases = append(b.Bases, base)
	}
	prov, err := provenance.Generate(b)
	if err != nil {
		return out, err
	}
	// each platform's SBOM is about its manifest; on an index it is about the index too, so that
	// verifying the tag (which names the index) finds every platform's SBOM
	docs := map[string][][]byte{}
	for _, v := range s.Variants {
		subs := []provenance.Subject{subject(out.Manifests[v.Platform])}
		if out.Index != "" {
			subs = append(subs, subject(out.Index))
		}
		st, err := provenance.Statement(subs, sbom.PredicateType, v.SBOM)
		if err != nil {
			return out, fmt.Errorf("the SBOM of %s: %w", v.Platform, err)
		}
		docs[out.Manifests[v.Platform]] = append(docs[out.Manifests[v.Platform]], st, prov)
		if out.Index != "" {
			docs[out.Index] = append(docs[out.Index], st)
		}
	}
	if out.Index != "" {
		docs[out.Index] = append(docs[out.Index], prov)
	}

	signer, err := load(ctx, key)
	if err != nil {
		return out, err
	}
	targets := make([]string, 0, len(docs))
	for d := range docs {
		targets = append(targets, d)
	}
	sort.Strings(targets)
	for _, d := range targets {
		dr := repo.Digest(d)
		if err := out.tolerate(signer.Sign(ctx, dr, "", opts...)); err != nil {
			return out, err
		}
		if err := out.tolerate(signer.Attest(ctx, dr, docs[d], opts...)); err != nil {
			return out, err
		}
	}
	return out, nil
}

// load reads the key's plaintext and drops the copies as soon as the signer holds the key.
func load(ctx context.Context, key Key) (*signing.Signer, error) {
	k, pw, err := key(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot read the signing key: %w", err)
	}
	defer clear(k)
	defer clear(pw)
	if len(k) == 0 {
		return nil, fmt.Errorf("the signing key is empty: give the cosign private key with --signing-key, e.g. env:COSIGN_KEY")
	}
	return signing.Load(k, pw)
}

// Match pairs each variant with its manifest digest: the index's manifest of its platform, or,
// for a single manifest (no index: manifests empty), that manifest, which then must be the only
// variant.
func Match(digest string, manifests []v1.Descriptor, variants []Variant) (map[string]string, error) {
	out := map[string]string{}
	if len(variants) == 0 {
		return nil, fmt.Errorf("nothing to sign: no platform was built")
	}
	if len(manifests) == 0 {
		if len(variants) != 1 {
			return nil, fmt.Errorf("the staged %s is a single manifest, but %d platforms were built", digest, len(variants))
		}
		out[variants[0].Platform] = digest
		return out, nil
	}
	for _, v := range variants {
		for _, m := range manifests {
			if m.Platform != nil && samePlatform(*m.Platform, v.Platform) {
				if out[v.Platform] != "" {
					return nil, fmt.Errorf("the staged index %s lists %s twice", digest, v.Platform)
				}
				out[v.Platform] = m.Digest.String()
			}
		}
		if out[v.Platform] == "" {
			return nil, fmt.Errorf("the staged index %s has no manifest for %s", digest, v.Platform)
		}
	}
	return out, nil
}

// samePlatform compares os/arch, and the variant when both name one (linux/arm64 is linux/arm64/v8).
func samePlatform(p v1.Platform, want string) bool {
	parts := strings.SplitN(want, "/", 3)
	if len(parts) < 2 || p.OS != parts[0] || p.Architecture != parts[1] {
		return false
	}
	return len(parts) == 2 || p.Variant == "" || p.Variant == parts[2]
}
