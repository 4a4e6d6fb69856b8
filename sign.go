package main

import (
	"context"
	"fmt"

	"dagger/fit-images/images/attest"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/provenance"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/releasecheck"
	"dagger/fit-images/images/sbom"
)

// attester is release-check's signing step (images/attest) for the module's settings: it reaches
// the staging registry from this function (its service, else --registry-service when it is the
// same address, as promote does), makes each variant's SBOM from the built container and the
// provenance from the release's inputs. sum answers the zip's verified sum once the checklist
// has it. The signing key and the staging password are read only when an image is signed.
func (q releaseCheckQuery) attester(ctx context.Context, sum func() release.Sum) (func(context.Context, releasecheck.Staged) (string, error), error) {
	in, o := q.in, q.o
	addr := registry.Addr(o.Staging)
	svc := in.staging.service
	if svc == nil && in.registry.prefix != "" && addr == registry.Addr(in.registry.prefix) {
		svc = in.registry.service
	}
	rt, err := routes(ctx, hostService{addr: addr, flag: "--staging-service", svc: svc})
	if err != nil {
		return nil, err
	}
	zipName := ""
	if in.artifact != nil {
		if zipName, err = in.artifact.Name(ctx); err != nil {
			return nil, err
		}
	}
	// the engine that ran the build, the provenance's builder.version
	engine, err := in.c.Version(ctx)
	if err != nil {
		return nil, err
	}
	key := func(ctx context.Context) ([]byte, []byte, error) {
		k, err := plaintext(ctx, in.signing.key)
		if err != nil {
			return nil, nil, err
		}
		p, err := plaintext(ctx, in.signing.password)
		if err != nil {
			return nil, nil, err
		}
		return []byte(k), []byte(p), nil
	}
	return func(ctx context.Context, s releasecheck.Staged) (string, error) {
		pw, err := plaintext(ctx, in.staging.password)
		if err != nil {
			return "", err
		}
		repo, opts, err := registry.Repo{Registry: o.Staging, Username: in.staging.username, Password: pw, Transport: dial.Via(rt)}.Options()
		if err != nil {
			return "", err
		}
		sm := sum()
		zip := sbom.FIT{SHA256: sm.Value, SumSource: string(sm.Source)}
		if in.artifact == nil {
			zip.URL, _ = release.ArtifactURL(o.Version, in.url) // validated by parseReleaseCheck
		}
		var variants []attest.Variant
		var platforms []string
		for _, img := range s.Variants {
			p, err := img.Platform(ctx)
			if err != nil {
				return "", err
			}
			plat, err := release.ParsePlatform(string(p))
			if err != nil {
				return "", err
			}
			b, err := pipeline.SBOM(ctx, img, pipeline.SBOMOptions{OS: s.OS, Version: o.Version, Zip: zip, Created: o.Created, Tool: sbom.Tool{Name: tool.Name, Version: o.Revision}})
			if err != nil {
				return "", fmt.Errorf("the SBOM of %s: %w", plat, err)
			}
			base := provenance.Base{}
			if base.Name, err = img.Label(ctx, pipeline.LabelBaseName); err != nil {
				return "", err
			}
			if base.Digest, err = img.Label(ctx, pipeline.LabelBaseDigest); err != nil {
				return "", err
			}
			variants = append(variants, attest.Variant{Platform: plat.String(), SBOM: b, Base: base})
			platforms = append(platforms, plat.String())
		}
		// the provenance names the zip by its URL; a given --artifact by its file name
		art := provenance.Artifact{URL: zip.URL, SHA256: sm.Value, SumSource: string(sm.Source)}
		if art.URL == "" {
			art.URL = "file:" + zipName
		}
		signed, err := attest.Sign(ctx, attest.Staged{Ref: s.Ref, Variants: variants, Build: provenance.Build{
			Module:     provenance.Module{Repository: moduleRepository, Commit: o.Revision, Dagger: engine},
			FITVersion: o.Version.String(), OS: s.OS.Name, Platforms: platforms, Latest: string(q.latest),
			Artifact: art, GitHub: q.github,
		}}, key, repo, opts)
		if err != nil {
			return "", err
		}
		return signed.Detail(), nil
	}, nil
}
