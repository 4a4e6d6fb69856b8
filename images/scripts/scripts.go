// Package scripts holds the bash scripts that ship inside every FIT base image: the container
// entrypoint, the healthcheck command and the library both of them source. Their behaviour is
// described at the top of each script and tested from the host, against the fixture release, in
// scripts_test.go.
//
// The image installs Files(): the library at LibraryPath (mode 0644) and the two scripts at
// EntrypointPath and HealthcheckPath with mode Permissions, then sets ENTRYPOINT [EntrypointPath]
// with CMD ["fit", "start"], and HEALTHCHECK CMD [HealthcheckPath]. The scripts find the library
// as ../lib/fit-images/common.sh from their own folder (or at $FIT_SCRIPTS_LIB), so the three
// files must keep that layout. They need bash, curl (healthcheck), printenv, mktemp and timeout;
// hostname is optional.
package scripts

import _ "embed"

const (
	// EntrypointPath is where the image installs the entrypoint script.
	EntrypointPath = "/usr/local/bin/fit-entrypoint"
	// HealthcheckPath is where the image installs the healthcheck script.
	HealthcheckPath = "/usr/local/bin/fit-healthcheck"
	// LibraryPath is where the image installs the library both scripts source; it is
	// ../lib/fit-images/common.sh from the folder of the scripts.
	LibraryPath = "/usr/local/lib/fit-images/common.sh"
	// Permissions is the file mode both scripts need in the image (world-executable).
	Permissions = 0o755
)

// libraryPermissions is the file mode of the library: world-readable, not a command.
const libraryPermissions = 0o644

//go:embed entrypoint.sh
var entrypoint string

//go:embed healthcheck.sh
var healthcheck string

//go:embed common.sh
var library string

// Entrypoint returns the text of the entrypoint script.
func Entrypoint() string { return entrypoint }

// Healthcheck returns the text of the healthcheck script.
func Healthcheck() string { return healthcheck }

// File is one script the image installs.
type File struct {
	Path, Content string
	Mode          int
}

// Files lists everything the image installs from this package, in install order.
func Files() []File {
	return []File{
		{Path: LibraryPath, Content: library, Mode: libraryPermissions},
		{Path: EntrypointPath, Content: entrypoint, Mode: Permissions},
		{Path: HealthcheckPath, Content: healthcheck, Mode: Permissions},
	}
}
