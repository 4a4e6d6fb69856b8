package e2e

import "dagger.io/dagger"

// registryService is a throwaway registry:2 for one run; its storage dies with it. The engine
// shares identical services, so the run's nonce makes this one its own: concurrent runs must not
// push into, pull from or stop each other's registry.
func registryService(c *dagger.Client, nonce string) *dagger.Service {
	return c.Container().From("registry:2").
		WithEnvVariable("E2E_RUN", nonce).
		WithExposedPort(5000).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true})
}

// clientContainer talks to the registry in plain HTTP with Debian's skopeo: a stock engine needs
// no configuration for that, whereas an engine-side push to a service name would need the engine
// to resolve and trust it.
func clientContainer(c *dagger.Client) *dagger.Container {
	return c.Container().From("debian:12-slim").
		WithExec([]string{"sh", "-c", "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends skopeo curl ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*"})
}
