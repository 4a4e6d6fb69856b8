// Package scripts holds the two bash scripts that ship inside every FIT base image: the
// container entrypoint and the healthcheck command. Their behaviour is described at the top of
// each script (entrypoint.sh, healthcheck.sh) and tested from the host in scripts_test.go.
//
// The image installs them at EntrypointPath and HealthcheckPath with mode Permissions, sets
// ENTRYPOINT [EntrypointPath] with CMD ["fit", "start"], and HEALTHCHECK CMD [HealthcheckPath].
// Both need bash; everything else they use is optional (timeout, nc, curl, hostname, sleep).
package scripts

import _ "embed"

const (
	// EntrypointPath is where the image installs the entrypoint script.
	EntrypointPath = "/usr/local/bin/fit-entrypoint"
	// HealthcheckPath is where the image installs the healthcheck script.
	HealthcheckPath = "/usr/local/bin/fit-healthcheck"
	// Permissions is the file mode both scripts need in the image (world-executable).
	Permissions = 0o755
)

//go:embed entrypoint.sh
var entrypoint string

//go:embed healthcheck.sh
var healthcheck string

// Entrypoint returns the text of the entrypoint script.
func Entrypoint() string { return entrypoint }

// Healthcheck returns the text of the healthcheck script.
func Healthcheck() string { return healthcheck }
