// Package cosigntest runs the real cosign CLI in tests: finding the binary hack/cosign builds, running
// it apart from the machine's own sigstore state, and reading the statements it verified. The unit
// tests of images/... and the engine tests of tests/ share it, so they verify in the same way.
package cosigntest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Version is the cosign the tests verify with: hack/cosign builds it, hack/testbed env exports it as
// FIT_COSIGN.
const Version = "v2.6.5"

// Timeout bounds one cosign run: a cosign that tries to reach the network fails instead of hanging.
const Timeout = 2 * time.Minute

// lookup is the cosign binary and the test-bed cache it was looked for in; path is empty when the
// cache has none. An unusable $FIT_COSIGN is an error: it was asked for by name.
func lookup() (path, cache string, err error) {
	if p := os.Getenv("FIT_COSIGN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", "", fmt.Errorf("FIT_COSIGN=%s: %w", p, err)
		}
		return p, "", nil
	}
	cache = os.Getenv("FIT_TESTBED_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "fit-testbed")
	}
	// one directory per Go version that built it; the last sorts newest
	found, _ := filepath.Glob(filepath.Join(cache, "cosign-"+Version+"-*", "cosign"))
	if len(found) == 0 {
		return "", cache, nil
	}
	return found[len(found)-1], cache, nil
}

// Binary is the real cosign CLI: $FIT_COSIGN, else hack/cosign's build in the test-bed cache. Without
// one the test is skipped, loudly; under CI=true it fails: there, nothing verified by cosign means
// the supply chain is untested.
func Binary(t testing.TB) string {
	t.Helper()
	p, cache, err := lookup()
	if err != nil {
		t.Fatal(err)
	}
	if p != "" {
		return p
	}
	msg := missing(cache)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED, " + msg)
	return ""
}

func missing(cache string) string {
	return fmt.Sprintf("NOT VERIFIED BY COSIGN: no cosign %s binary (set FIT_COSIGN, or run hack/cosign, which builds it into %s; hack/testbed up does)", Version, cache)
}

// Run runs the CLI with its own HOME (no trust roots or credentials of the machine) and a timeout;
// stdout and stderr apart, since verify-attestation prints the envelopes on stdout and the reasons
// on stderr.
func Run(t testing.TB, bin, home string, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = home
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "TUF_ROOT=" + filepath.Join(home, ".sigstore")}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// KeyPair has the real cosign generate a key pair in dir, encrypted with password: the paths of
// cosign.key and cosign.pub.
func KeyPair(t testing.TB, bin, dir, password string) (key, pub string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o700))
	_, errOut, err := Run(t, bin, dir, []string{"COSIGN_PASSWORD=" + password}, "generate-key-pair")
	require.NoError(t, err, errOut)
	return filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
}

// Payloads are the decoded payloads of the DSSE envelopes cosign printed after verifying, one
// envelope a line; other lines are skipped.
func Payloads(t testing.TB, out string) [][]byte {
	t.Helper()
	var payloads [][]byte
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20) // an SBOM envelope is one long line
	for sc.Scan() {
		var env struct {
			Payload string `json:"payload"`
		}
		if json.Unmarshal(bytes.TrimSpace(sc.Bytes()), &env) != nil || env.Payload == "" {
			continue
		}
		p, err := base64.StdEncoding.DecodeString(env.Payload)
		require.NoError(t, err, "an envelope's payload is base64")
		payloads = append(payloads, p)
	}
	require.NoError(t, sc.Err())
	return payloads
}

// Statements are the in-toto statements of the envelopes cosign printed; it fails when there is none.
func Statements(t testing.TB, out string) []map[string]any {
	t.Helper()
	var sts []map[string]any
	for _, p := range Payloads(t, out) {
		var st map[string]any
		require.NoError(t, json.Unmarshal(p, &st), "a payload is an in-toto statement")
		sts = append(sts, st)
	}
	require.NotEmpty(t, sts, "cosign printed no verified envelope:\n%s", out)
	return sts
}

// Statement is the first statement of predicateType cosign printed, as its JSON; it fails when there
// is none.
func Statement(t testing.TB, out, predicateType string) string {
	t.Helper()
	for _, p := range Payloads(t, out) {
		var st struct {
			PredicateType string `json:"predicateType"`
		}
		require.NoError(t, json.Unmarshal(p, &st), "a payload is an in-toto statement")
		if st.PredicateType == predicateType {
			return string(p)
		}
	}
	t.Fatalf("cosign printed no verified %s statement:\n%s", predicateType, out)
	return ""
}
