package pipeline

import (
	"context"
	"fmt"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/sbom"
)

// SBOMOptions is what the SBOM of one built image says besides what the image's files say.
type SBOMOptions struct {
	OS      catalog.OS
	Version release.Version
	// Zip is the release zip the image was built from: URL, the sum it was verified against and
	// where that sum came from (Version is filled in here).
	Zip sbom.FIT
	// Created is the image's --created (RFC 3339, UTC), the SBOM's timestamp; "" leaves it out.
	Created string
	Tool    sbom.Tool
}

// SBOM is the CycloneDX JSON of one built image variant, read from the image's own files.
func SBOM(ctx context.Context, img *dagger.Container, o SBOMOptions) ([]byte, error) {
	var created time.Time
	if o.Created != "" {
		var err error
		if created, err = time.Parse(time.RFC3339, o.Created); err != nil {
			return nil, fmt.Errorf("sbom: created time %q is not RFC 3339: %w", o.Created, err)
		}
	}
	p, err := platformOf(ctx, img)
	if err != nil {
		return nil, err
	}
	files, err := sbom.Read(ctx, img, o.OS.Manager)
	if err != nil {
		return nil, fmt.Errorf("%s", Explain(err))
	}
	zip := o.Zip
	zip.Version = o.Version.String()
	return sbom.Generate(sbom.Input{
		Manager: o.OS.Manager, Files: files,
		Image: sbom.Image{Name: release.ImageName, Version: release.Tags(o.Version, o.OS.Name)[0], Platform: p.String()},
		FIT:   zip, Tool: o.Tool, Created: created,
	})
}
