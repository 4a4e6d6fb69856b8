// Package pipeline turns (OS, version, artifact, options) into FIT images, checks them and pushes
// them. It is written against the published SDK (dagger.io/dagger) so that the Dagger module,
// the CI driver and the Go tests all run the same code.
package pipeline

import (
	"context"
	"fmt"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// toolsImage unpacks and inspects artifacts; Debian's unzip reports corrupt archives precisely.
const toolsImage = "debian:12-slim"

// Download fetches a release zip over HTTP(S) and, when checksum is given ("sha256:…"), verifies
// it. The engine caches the download, so a second build of the same version does not fetch again.
func Download(ctx context.Context, c *dagger.Client, v release.Version, url, checksum string) (*dagger.File, error) {
	u, err := release.ArtifactURL(v, url)
	if err != nil {
		return nil, err
	}
	sum, err := release.ParseChecksum(checksum)
	if err != nil {
		return nil, err
	}
	f := c.HTTP(u, dagger.HTTPOpts{Name: v.String() + ".zip"})
	// Sync forces the download now, so an unreachable URL fails here with a message of ours
	if _, err := f.Sync(ctx); err != nil {
		return nil, fmt.Errorf("cannot download the FIT %s artifact from %s: %s; check that release v%s exists, or pass --url or a local --artifact", v, u, report.FirstLine(err.Error()), v)
	}
	if sum == "" {
		return f, nil
	}
	// the engine's own file digests hash more than the bytes, so sha256sum it is
	out, err := tools(c).WithMountedFile("/in/artifact.zip", f).WithExec([]string{"sha256sum", "/in/artifact.zip"}).Stdout(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot checksum the FIT %s artifact: %s", v, report.FirstLine(err.Error()))
	}
	fields := strings.Fields(out)
	if len(fields) == 0 {
		return nil, fmt.Errorf("cannot checksum the FIT %s artifact: sha256sum printed nothing", v)
	}
	if got := "sha256:" + fields[0]; got != sum {
		return nil, fmt.Errorf("checksum mismatch for %s: expected %s, got %s; the file is corrupt or not the release you meant: check --checksum and --url", u, sum, got)
	}
	return f, nil
}

// Unpack checks that artifact is the release zip of v and returns the content of its top folder
// {V}/, everything in bin/ made executable.
func Unpack(ctx context.Context, c *dagger.Client, artifact *dagger.File, v release.Version) (*dagger.Directory, error) {
	// exit codes of the script below name the problem, so the message can say how to fix it
	const script = `set -u
z=/in/artifact.zip
unzip -tqq "$z" >/tmp/test.log 2>&1 || { cat /tmp/test.log >&2; exit 10; }
unzip -Z1 "$z" >/tmp/list
grep -qx "$V/bin/fit" /tmp/list || { head -n 5 /tmp/list | sed 's/^/  /' >&2; exit 11; }
mkdir -p /x && unzip -q "$z" -d /x && mv "/x/$V" /out
chmod -R u+rwX,go+rX /out && chmod 0755 /out/bin/*`
	ctr := tools(c).
		WithMountedFile("/in/artifact.zip", artifact).
		WithEnvVariable("V", v.String()).
		WithExec([]string{"bash", "-c", script}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot read the FIT %s artifact: %s", v, report.FirstLine(err.Error()))
	}
	if code != 0 {
		detail, _ := ctr.Stderr(ctx)
		detail = strings.TrimSpace(detail)
		switch code {
		case 10:
			return nil, fmt.Errorf("the FIT %s artifact is not a valid zip (%s): pass the release zip %s.zip, or check the download URL", v, report.FirstLine(detail), v)
		case 11:
			return nil, fmt.Errorf("the FIT %s artifact lacks %sbin/fit: is it the release zip of FIT %s? It starts with:\n%s", v, release.ArtifactRoot(v), v, detail)
		default:
			return nil, fmt.Errorf("unpacking the FIT %s artifact failed (exit %d): %s", v, code, detail)
		}
	}
	return ctr.Directory("/out"), nil
}

func tools(c *dagger.Client) *dagger.Container {
	return c.Container().From(toolsImage).
		WithExec([]string{"sh", "-c", "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends unzip >/dev/null && rm -rf /var/lib/apt/lists/*"})
}
