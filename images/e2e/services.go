package e2e

import "dagger.io/dagger"

// clientContainer (with zip and unzip, for the plugin steps) talks to the registry in plain HTTP with Debian's skopeo: a stock engine needs
// no configuration for that, whereas an engine-side push to a service name would need the engine
// to resolve and trust it.
func clientContainer(c *dagger.Client) *dagger.Container {
	return c.Container().From("debian:12-slim").
		WithExec([]string{"sh", "-c", "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends skopeo curl zip unzip ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*"})
}
