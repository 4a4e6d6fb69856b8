package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssetDigest(t *testing.T) {
	sum := "sha256:" + strings.Repeat("c", 64)
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/repos/o/r/releases/tags/v3.6.1":
			_, _ = w.Write([]byte(`{"tag_name":"v3.6.1","assets":[{"name":"notes.txt","digest":null},{"name":"3.6.1.zip","digest":"` + sum + `"}]}`))
		case "/repos/o/r/releases/tags/v3.6.0":
			_, _ = w.Write([]byte(`{"tag_name":"v3.6.0","assets":[{"name":"3.6.0.zip","digest":null}]}`))
		case "/repos/o/r/releases/tags/v3.5.0":
			_, _ = w.Write([]byte(`{"tag_name":"v3.5.0","assets":[{"name":"other.zip"}]}`))
		case "/repos/o/r/releases/tags/v9.9.9":
			_, _ = w.Write([]byte(`not json`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	api, err := url.Parse(srv.URL + "/repos/o/r/releases")
	require.NoError(t, err)
	ctx := context.Background()

	d, err := AssetDigest(ctx, srv.Client(), api, "tok", "v3.6.1", "3.6.1.zip")
	require.NoError(t, err)
	assert.Equal(t, sum, d)
	assert.Equal(t, []string{"Bearer tok"}, auth, "the token goes to the loopback API")

	d, err = AssetDigest(ctx, srv.Client(), api, "", "v3.6.0", "3.6.0.zip")
	require.NoError(t, err)
	assert.Empty(t, d, "an asset GitHub gave no digest answers none")

	_, err = AssetDigest(ctx, srv.Client(), api, "", "v3.5.0", "3.5.0.zip")
	assert.ErrorContains(t, err, "release v3.5.0 has no asset 3.5.0.zip (it has: other.zip)")
	_, err = AssetDigest(ctx, srv.Client(), api, "", "v3.7.0", "3.7.0.zip")
	assert.ErrorContains(t, err, "404 Not Found: check --api-url")
	_, err = AssetDigest(ctx, srv.Client(), api, "", "v9.9.9", "9.9.9.zip")
	assert.ErrorContains(t, err, "did not answer a JSON release")

	remote, err := url.Parse("http://api.example.com/repos/o/r/releases")
	require.NoError(t, err)
	_, err = AssetDigest(ctx, srv.Client(), remote, "tok", "v3.6.1", "3.6.1.zip")
	assert.ErrorContains(t, err, "refusing to send the token over plain http")
}
