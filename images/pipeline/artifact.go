// Package pipeline turns (OS, version, artifact, options) into FIT images, checks them and pushes
// them. It is written against the published SDK (dagger.io/dagger) so that the Dagger module and
// the Go tests run the same code (the CI driver runs the module, through dagger call).
package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"dagger.io/dagger"

	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/upstream"
)

// toolsImage unpacks and inspects artifacts; Debian's unzip reports corrupt archives precisely.
const toolsImage = "debian:12-slim"

// ArtifactOptions say which release zip to take and how its expected sha256 is found.
type ArtifactOptions struct {
	Local    *dagger.File // a zip of the caller's (--artifact) instead of the download
	URL      string       // download URL override; {version} is replaced
	Checksum string       // --checksum as typed
	// Release is the release path: the zip must be verified, against Checksum, else the pinned
	// sums, else the GitHub release API's digest (release.ResolveSum).
	Release bool
	Pins    *release.Pins // nil: the pins embedded from release.PinsPath
	API     *url.URL      // the GitHub releases listing; nil: upstream.DefaultAPIURL
	Token   string        // for the API, may be empty
	Routes  map[string]string
}

// VerifiedArtifact is the release zip of v and the sum it was verified against (the zero Sum when
// not verified, which only happens off the release path). The expected sum is resolved before any
// download, so a missing one fails first. The File answered is the output of the command that
// checked the sum, so the zip that is built is the zip that was verified.
func VerifiedArtifact(ctx context.Context, c *dagger.Client, v release.Version, o ArtifactOptions) (*dagger.File, release.Sum, error) {
	u, err := release.ArtifactURL(v, o.URL)
	if err != nil {
		return nil, release.Sum{}, err
	}
	pins := o.Pins
	if pins == nil {
		p, err := release.Pinned()
		if err != nil {
			return nil, release.Sum{}, err
		}
		pins = &p
	}
	sum, err := release.ResolveSum(release.SumQuery{Version: v, Flag: o.Checksum, Pins: *pins, Required: o.Release, API: func() (string, error) {
		return assetDigest(ctx, v, o)
	}})
	if err != nil {
		return nil, sum, err
	}
	f, what := o.Local, "given with --artifact"
	if f == nil {
		f, what = c.HTTP(u, dagger.HTTPOpts{Name: release.ArtifactName(v)}), "from "+u
		// Sync forces the download now, so an unreachable URL fails here with a message of ours
		if _, err := f.Sync(ctx); err != nil {
			return nil, sum, fmt.Errorf("cannot download the FIT %s artifact from %s: %s; check that release v%s exists, or pass --url or a local --artifact", v, u, Explain(err), v)
		}
	}
	if !sum.Verified() {
		return f, sum, nil
	}
	f, err = verifiedCopy(ctx, c, f, v, what, sum)
	return f, sum, err
}

// Download is VerifiedArtifact off the release path: the zip at url, verified when checksum is given.
func Download(ctx context.Context, c *dagger.Client, v release.Version, url, checksum string) (*dagger.File, error) {
	f, _, err := VerifiedArtifact(ctx, c, v, ArtifactOptions{URL: url, Checksum: checksum})
	return f, err
}

// assetDigest asks the GitHub release API for the digest of v's zip, the asset the default
// download URL names, whatever URL the zip itself comes from.
func assetDigest(ctx context.Context, v release.Version, o ArtifactOptions) (string, error) {
	api := o.API
	if api == nil {
		var err error
		if api, err = upstream.ParseAPIURL(""); err != nil {
			return "", err
		}
	}
	hc := &http.Client{Transport: dial.Via(o.Routes), Timeout: time.Minute}
	return upstream.AssetDigest(ctx, hc, api, o.Token, "v"+v.String(), release.ArtifactName(v))
}

// verifiedCopy is f as the output of a command that fails unless f has sum: whatever the engine
// evaluates again later, the zip built from it has that sum. (The engine's own file digests hash
// more than the bytes, so sha256sum it is.)
func verifiedCopy(ctx context.Context, c *dagger.Client, f *dagger.File, v release.Version, what string, sum release.Sum) (*dagger.File, error) {
	const script = `set -eu
got=$(sha256sum /in/artifact.zip | cut -d' ' -f1)
echo "sha256:$got"
[ "sha256:$got" = "$WANT" ] || exit 3
mkdir -p /out && cp /in/artifact.zip "/out/$NAME"`
	ctr := c.Container().From(toolsImage).
		WithMountedFile("/in/artifact.zip", f).
		WithEnvVariable("WANT", sum.Value).
		WithEnvVariable("NAME", release.ArtifactName(v)).
		WithExec([]string{"sh", "-c", script}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot checksum the FIT %s artifact: %s", v, Explain(err))
	}
	out, _ := ctr.Stdout(ctx)
	switch got := strings.TrimSpace(out); {
	case code == 3:
		return nil, release.Mismatch(v, what, sum, got)
	case code != 0:
		return nil, fmt.Errorf("cannot checksum the FIT %s artifact: sha256sum exited with code %d", v, code)
	}
	return ctr.File("/out/" + release.ArtifactName(v)), nil
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
		return nil, fmt.Errorf("cannot read the FIT %s artifact: %s", v, Explain(err))
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
