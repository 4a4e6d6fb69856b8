package tests

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/e2e"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/tests/fixture"
)

func debian(t *testing.T) catalog.OS {
	o, err := catalog.Lookup("debian")
	require.NoError(t, err)
	return o
}

func v360(t *testing.T) release.Version {
	v, err := release.ParseVersion(version)
	require.NoError(t, err)
	return v
}

func hostZip(v fixture.Variant) *dagger.File { return client.Host().File(zips[v].Path) }

// Broken or unreachable artifacts fail before anything is built, each with its own message.
func TestBadArtifacts(t *testing.T) {
	needEngine(t)
	ctx := context.Background()
	v := v360(t)
	t.Run("not a zip", func(t *testing.T) {
		t.Parallel()
		_, err := pipeline.Build(ctx, client, pipeline.Options{OS: debian(t), Version: v, Artifact: hostZip(fixture.NotAZip)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not a valid zip")
	})
	t.Run("no bin/fit", func(t *testing.T) {
		t.Parallel()
		_, err := pipeline.Build(ctx, client, pipeline.Options{OS: debian(t), Version: v, Artifact: hostZip(fixture.NoFitBinary)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "lacks 3.6.0/bin/fit")
	})
	t.Run("zip of another version", func(t *testing.T) {
		t.Parallel()
		other, err := release.ParseVersion("3.6.1")
		require.NoError(t, err)
		_, err = pipeline.Build(ctx, client, pipeline.Options{OS: debian(t), Version: other, Artifact: hostZip(fixture.Healthy)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "lacks 3.6.1/bin/fit")
	})
	t.Run("404", func(t *testing.T) {
		t.Parallel()
		_, err := pipeline.Download(ctx, client, v, baseURL+"/nowhere/3.6.0.zip", "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cannot download the FIT 3.6.0 artifact")
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		_, err := pipeline.Download(ctx, client, v, "http://127.0.0.1:9/3.6.0.zip", "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cannot download the FIT 3.6.0 artifact from http://127.0.0.1:9/3.6.0.zip")
	})
	t.Run("checksum mismatch", func(t *testing.T) {
		t.Parallel()
		_, err := pipeline.Download(ctx, client, v, releaseURL(fixture.Healthy), strings.Repeat("1", 64))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "checksum mismatch")
	})
	t.Run("checksum match", func(t *testing.T) {
		t.Parallel()
		f, err := pipeline.Download(ctx, client, v, releaseURL(fixture.Healthy), zips[fixture.Healthy].SHA256)
		require.NoError(t, err)
		size, err := f.Size(ctx)
		require.NoError(t, err)
		assert.Positive(t, size)
	})
}

func TestSmokeCatchesWrongVersion(t *testing.T) {
	needEngine(t)
	ctx := context.Background()
	img, err := pipeline.Build(ctx, client, pipeline.Options{OS: debian(t), Version: v360(t), Artifact: hostZip(fixture.WrongVersion)})
	require.NoError(t, err)
	err = pipeline.Smoke(ctx, img, v360(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `should print "Version: 3.6.0"`)
}

// e2e fails at the right step, with the evidence, for apps that are broken in different ways.
func TestE2EFailsForTheRightReason(t *testing.T) {
	needEngine(t)
	cases := []struct {
		variant  fixture.Variant
		timeout  time.Duration
		step     string
		evidence string
	}{
		{fixture.NeverHealthy, 25 * time.Second, "wait until healthy", "worker.id: fit-worker-"},
		{fixture.NoPlugins, 120 * time.Second, "plugins endpoint", "at least one plugin jar shipped"},
		{fixture.WrongVersion, 120 * time.Second, "fit version", "0.0.0-wrong"},
		// the fixture's old behaviour (health on 3.6.0, no root plugin) is not a 3.6.0 release
		{fixture.Legacy, 120 * time.Second, "plugins endpoint", "the root plugin fit-discrete-launcher listed once"},
	}
	for _, c := range cases {
		t.Run(string(c.variant), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			steps, err := e2e.Run(context.Background(), client, e2e.Options{OS: debian(t), Version: v360(t), Artifact: hostZip(c.variant), Timeout: c.timeout})
			require.Error(t, err)
			var f *e2e.Failure
			require.True(t, errors.As(err, &f), "want an e2e.Failure, got %v", err)
			assert.Equal(t, c.step, f.Step)
			assert.Contains(t, err.Error(), c.evidence)
			assert.NotEmpty(t, f.Logs, "the failure carries the container's logs")
			require.NotEmpty(t, steps)
			assert.False(t, steps[len(steps)-1].OK)
			t.Logf("%s failed at %q after %s: %s", c.variant, f.Step, time.Since(start).Round(time.Second), report.FirstLine(err.Error()))
		})
	}
}

// A registry that requires a login rejects a push with wrong credentials, and says so.
func TestPushRejectedWithoutValidLogin(t *testing.T) {
	needEngine(t)
	ctx := context.Background()
	htpasswd := client.Container().From("debian:12-slim").
		WithExec([]string{"sh", "-c", "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends apache2-utils >/dev/null"}).
		WithExec([]string{"sh", "-c", "htpasswd -Bbn fit right-password > /htpasswd"}).
		File("/htpasswd")
	reg := client.Container().From("registry:2").
		WithFile("/auth/htpasswd", htpasswd).
		WithEnvVariable("REGISTRY_AUTH", "htpasswd").
		WithEnvVariable("REGISTRY_AUTH_HTPASSWD_REALM", "fit-test").
		WithEnvVariable("REGISTRY_AUTH_HTPASSWD_PATH", "/auth/htpasswd").
		WithExposedPort(5000).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true})
	tunnel, err := client.Host().Tunnel(reg).Start(ctx)
	require.NoError(t, err)
	defer tunnel.Stop(ctx) //nolint:errcheck
	endpoint, err := tunnel.Endpoint(ctx)
	require.NoError(t, err)
	r, err := release.ParseRegistry(endpoint + "/")
	require.NoError(t, err)

	img, err := pipeline.Build(ctx, client, pipeline.Options{OS: debian(t), Version: v360(t), Artifact: hostZip(fixture.Healthy)})
	require.NoError(t, err)
	refs := release.Refs(r, v360(t), "debian")
	wrong := &pipeline.Auth{Username: "fit", Password: client.SetSecret("wrong-password", "not-the-password")}
	_, err = pipeline.Publish(ctx, client, []*dagger.Container{img}, r, refs, wrong)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rejected by "+r.Host())
	assert.NotContains(t, err.Error(), "not-the-password")

	right := &pipeline.Auth{Username: "fit", Password: client.SetSecret("right-password", "right-password")}
	digests, err := pipeline.Publish(ctx, client, []*dagger.Container{img}, r, refs[:1], right)
	require.NoError(t, err)
	assert.Regexp(t, `@sha256:[0-9a-f]{64}$`, digests[0])
}
