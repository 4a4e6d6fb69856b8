package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPin(t *testing.T) {
	zip := []byte("PK fake release zip")
	h := sha256.Sum256(zip)
	sum := "sha256:" + hex.EncodeToString(h[:])
	digest := sum
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/dl/v3.6.1/3.6.1.zip":
			_, _ = w.Write(zip)
		case "/repos/o/r/releases/tags/v3.6.1":
			_, _ = w.Write([]byte(`{"assets":[{"name":"3.6.1.zip","digest":"` + digest + `"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "checksums.txt")
	require.NoError(t, os.WriteFile(file, []byte("# pins\n3.6.0 sha256:"+strings.Repeat("a", 64)+"\n"), 0o644))
	common := []string{"-file", file, "-api-url", srv.URL + "/repos/o/r/releases", "-url", srv.URL + "/dl/v{version}/{version}.zip"}

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), append(common, "3.6.1"), &out))
	assert.Contains(t, out.String(), "the GitHub API gives the same digest")
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "# pins\n3.6.0 sha256:"+strings.Repeat("a", 64)+"\n3.6.1 "+sum+"\n", string(got))

	local := filepath.Join(t.TempDir(), "3.6.1.zip")
	require.NoError(t, os.WriteFile(local, []byte("another zip"), 0o644))
	err = run(context.Background(), append(common, "-zip", local, "3.6.1"), &out)
	require.Error(t, err, "a zip the API disagrees with is not pinned")
	assert.Contains(t, err.Error(), "but the GitHub API gives "+sum)

	digest = "" // an API without the release: pinned, said so
	out.Reset()
	require.NoError(t, run(context.Background(), append(common, "-zip", local, "v3.6.1"), &out))
	assert.Contains(t, out.String(), "not compared with the GitHub API")
	got, _ = os.ReadFile(file)
	assert.NotContains(t, string(got), sum, "the line of 3.6.1 is replaced")
}
