package pipeline

import (
	"context"
	"fmt"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/release"
)

// smokeProbe prints the machine, whether JAVA_HOME exists, then `fit version`.
const smokeProbe = `echo "machine=$(uname -m)"; if [ -d "$JAVA_HOME" ]; then echo java_home=yes; else echo java_home=no; fi; fit version`

// Smoke checks the image runs its own architecture, JAVA_HOME exists and `fit version` reports v:
// the cheapest proof that platform, artifact, Node and the PATH fit together.
func Smoke(ctx context.Context, img *dagger.Container, v release.Version) error {
	plat, err := platformOf(ctx, img)
	if err != nil {
		return err
	}
	out, err := img.WithExec([]string{"sh", "-c", smokeProbe}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).CombinedOutput(ctx)
	if err != nil {
		return fmt.Errorf("smoke check: the image could not run a shell: %s", Explain(err))
	}
	want := "Version: " + v.String()
	facts := probeFacts(out)
	machine := facts["machine"]
	version := false
	for _, line := range strings.Split(out, "\n") {
		version = version || strings.TrimSpace(line) == want
	}
	if !plat.RunsOn(machine) {
		return fmt.Errorf("smoke check: the %s image runs %q: it is not of its platform (a single-arch base?)", plat, machine)
	}
	if facts["java_home"] != "yes" {
		return fmt.Errorf("smoke check: JAVA_HOME of the %s image does not exist (the catalog's JavaHome for %s is wrong)", plat, plat.Arch)
	}
	if !version {
		return fmt.Errorf("smoke check: `fit version` should print %q but printed %q: the artifact is not FIT %s", want, strings.TrimSpace(out), v)
	}
	return nil
}
