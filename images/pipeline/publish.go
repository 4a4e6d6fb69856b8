package pipeline

import (
	"context"
	"fmt"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// Auth is a registry login; the password stays a secret end to end.
type Auth struct {
	Username string
	Password *dagger.Secret
}

// Publish pushes the image (one variant per platform: a multi-arch index when several) under
// every ref and returns the pushed digest refs in the same order. Refs must all be in registry r.
func Publish(ctx context.Context, c *dagger.Client, variants []*dagger.Container, r release.Registry, refs []string, auth *Auth) ([]string, error) {
	if len(variants) == 0 {
		return nil, fmt.Errorf("publish: nothing to push")
	}
	pusher := c.Container()
	if auth != nil && auth.Username != "" && auth.Password != nil {
		pusher = pusher.WithRegistryAuth(r.Host(), auth.Username, auth.Password)
	}
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		// gzip, always: unforced, the engine reuses whatever blob it holds for a layer, zstd
		// included, and Docker before 23 cannot pull a zstd layer ("invalid tar header")
		digest, err := pusher.Publish(ctx, ref, dagger.ContainerPublishOpts{PlatformVariants: variants, ForcedCompression: dagger.ImageLayerCompressionGzip})
		if err != nil {
			return out, pushError(ref, r, err)
		}
		out = append(out, digest)
	}
	return out, nil
}

// pushError turns the engine's push failure into what to do about it.
func pushError(ref string, r release.Registry, err error) error {
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "401") || strings.Contains(low, "unauthorized") || strings.Contains(low, "403") ||
		strings.Contains(low, "denied") || strings.Contains(low, "authentication required"):
		return fmt.Errorf("push of %s rejected by %s (authentication or permission): check --username/--password and that this account may push there", ref, r.Host())
	case strings.Contains(low, "connection refused") || strings.Contains(low, "no such host") || strings.Contains(low, "i/o timeout"):
		return fmt.Errorf("push of %s failed: registry %s is unreachable (%s)", ref, r.Host(), report.FirstLine(err.Error()))
	}
	return fmt.Errorf("push of %s failed: %s", ref, report.FirstLine(err.Error()))
}
