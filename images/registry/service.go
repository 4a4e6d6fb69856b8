package registry

import "dagger.io/dagger"

// Image is the registry image; the test bed serves it through its docker.io mirror.
const Image = "registry:2"

// Port is where the registry listens inside its container.
const Port = 5000

// Service is a registry with storage that dies with it. The engine shares identical services
// between callers, so a non-empty instance key makes this one its own: concurrent e2e runs must
// not push into, pull from or stop each other's registry.
func Service(c *dagger.Client, instance string) *dagger.Service {
	ctr := c.Container().From(Image)
	if instance != "" {
		ctr = ctr.WithEnvVariable("FIT_REGISTRY_INSTANCE", instance)
	}
	return ctr.WithExposedPort(Port).AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true})
}
