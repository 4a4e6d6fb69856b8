package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A test bed that fails to come up stops hack/test before any test runs, with the failing phase in the
// summary (it once went on, and ten tests failed with an engine error instead).
func TestHackTestStopsWhenTestbedFails(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("hack/testbed runs as root only")
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "_EXPERIMENTAL_DAGGER_RUNNER_HOST", "_EXPERIMENTAL_DAGGER_CLI_BIN", "PATH", "FIT_TESTBED":
			continue // no reachable engine: hack/test must bring the test bed up
		}
		env = append(env, kv)
	}
	cmd := exec.Command("./hack/test", "-run", "TestNothing", "./images/release/")
	cmd.Dir = root
	cmd.Env = append(env, "PATH=/usr/local/go/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"FIT_TESTBED_CACHE="+t.TempDir(), "FIT_TESTBED_FAIL=apt", "FIT_TEST_OUT="+t.TempDir())
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "hack/test must fail when the test bed does not come up:\n%s", out)
	s := string(out)
	assert.Contains(t, s, "forced failure of phase 'apt'")
	assert.Regexp(t, `(?m)^apt\s+FAILED`, s)
	assert.Contains(t, s, "no test was run")
	assert.NotContains(t, s, "go vet")
}
