package pipeline

import (
	"context"
	"fmt"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// Smoke runs `fit version` in the image and checks it reports v: the cheapest proof that the
// artifact, Node and the PATH fit together.
func Smoke(ctx context.Context, img *dagger.Container, v release.Version) error {
	out, err := img.WithExec([]string{"fit", "version"}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).CombinedOutput(ctx)
	if err != nil {
		return fmt.Errorf("smoke check: `fit version` could not run: %s", report.FirstLine(err.Error()))
	}
	want := "Version: " + v.String()
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == want {
			return nil
		}
	}
	return fmt.Errorf("smoke check: `fit version` should print %q but printed %q: the artifact is not FIT %s", want, strings.TrimSpace(out), v)
}
