package pipeline

import (
	"context"
	"fmt"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/release"
)

// CheckBase proves that the base image has a variant for the platform. An engine given a single-arch
// base uses it for any requested platform without a word, so an "arm64" image would be amd64 inside:
// `uname -m` in the base (cached with it) tells.
func CheckBase(ctx context.Context, c *dagger.Client, base string, p release.Platform) error {
	out, err := c.Container(dagger.ContainerOpts{Platform: dagger.Platform(p.String())}).From(base).
		WithExec([]string{"uname", "-m"}).Stdout(ctx)
	if err != nil {
		msg := Explain(err)
		if strings.Contains(msg+err.Error(), "exec format error") {
			return fmt.Errorf("this engine cannot run %s containers (exec format error): register QEMU's binfmt handlers on the engine's host (docker/setup-qemu-action on GitHub, or qemu-user-static with binfmt_misc)", p)
		}
		return fmt.Errorf("base image %s for %s: %s", base, p, msg)
	}
	if !p.RunsOn(out) {
		return fmt.Errorf("base image %s has no %s variant: its container runs %s. Use a multi-platform base (an image index listing %s) or build only the platforms it has", base, p, strings.TrimSpace(out), p)
	}
	return nil
}

// platformOf is the platform a container was built for.
func platformOf(ctx context.Context, img *dagger.Container) (release.Platform, error) {
	p, err := img.Platform(ctx)
	if err != nil {
		return release.Platform{}, err
	}
	return release.ParsePlatform(string(p))
}
