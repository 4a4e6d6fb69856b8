package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/release"
)

// served is an in-process registry on loopback (so spoken to over plain http) and its host:port;
// opts add to it (ggcr.WithReferrersSupport).
func served(t *testing.T, opts ...ggcr.Option) string {
	t.Helper()
	srv := httptest.NewServer(ggcr.New(opts...))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// push writes img (a v1.Image or v1.ImageIndex) as ref and answers its digest.
func push(t *testing.T, ref string, img any) string {
	t.Helper()
	tag, err := name.NewTag(ref, name.Insecure)
	require.NoError(t, err)
	var d v1.Hash
	switch x := img.(type) {
	case v1.Image:
		require.NoError(t, remote.Write(tag, x))
		d, err = x.Digest()
	case v1.ImageIndex:
		require.NoError(t, remote.WriteIndex(tag, x))
		d, err = x.Digest()
	}
	require.NoError(t, err)
	return d.String()
}

func repo(t *testing.T, prefix string) Repo {
	t.Helper()
	r, err := release.ParseRegistry(prefix)
	require.NoError(t, err)
	return Repo{Registry: r}
}

func TestList(t *testing.T) {
	host := served(t)
	img, err := random.Image(64, 1)
	require.NoError(t, err)
	for _, tag := range []string{"3.6.0-debian", "debian"} {
		push(t, host+"/team/fit-framework:"+tag, img)
	}
	tags, err := repo(t, host+"/team").List(context.Background())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"3.6.0-debian", "debian"}, tags)

	tags, err = repo(t, host+"/nobody").List(context.Background())
	require.NoError(t, err, "a repository that does not exist has no tags")
	assert.Empty(t, tags)

	// the same registry under another loopback name, dialled elsewhere as a service of the caller is
	named := repo(t, "localhost:1/team")
	named.Transport = dial.Via(map[string]string{"localhost:1": host})
	tags, err = named.List(context.Background())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"3.6.0-debian", "debian"}, tags)

	half := repo(t, host+"/team")
	half.Username = "u"
	_, err = half.List(context.Background())
	assert.ErrorContains(t, err, "needs both --username and --password")
}

// A registry that names a token realm on another host does not get the credentials sent there.
func TestCredentialsStayWithTheRegistry(t *testing.T) {
	var realmHits []string
	realm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		realmHits = append(realmHits, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"token":"t"}`))
	}))
	defer realm.Close()
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="reg"`, strings.Replace(realm.URL, "127.0.0.1", "localhost", 1)))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer reg.Close()
	r := repo(t, strings.TrimPrefix(reg.URL, "http://"))
	r.Username, r.Password = "u", "secret"
	_, err := r.List(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to send registry credentials to localhost:")
	for _, h := range realmHits {
		assert.Empty(t, h, "no credentials reached the other host")
	}
}

func TestAddr(t *testing.T) {
	for _, tc := range []struct{ prefix, want string }{
		{"localhost:5000/", "localhost:5000"},
		{"modelengine/", "docker.io:443"},
		{"registry.example.com/fit/", "registry.example.com:443"},
		{"localhost/x", "localhost:80"},
		{"[::1]:5000/", "[::1]:5000"},
	} {
		t.Run(tc.prefix, func(t *testing.T) {
			if got := Addr(repo(t, tc.prefix).Registry); got != tc.want {
				t.Errorf("Addr(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
		})
	}
}

// Digest reads where a tag points; Point moves it back by digest (rollout's put-back).
func TestDigestAndPoint(t *testing.T) {
	host := served(t)
	r := repo(t, host+"/")
	ctx := context.Background()
	old, err := random.Image(64, 1)
	require.NoError(t, err)
	cur, err := random.Image(64, 1)
	require.NoError(t, err)
	dOld := push(t, host+"/fit-framework:3.6.0-debian", old)
	dCur := push(t, host+"/fit-framework:debian", cur)

	got, err := r.Digest(ctx, "debian")
	require.NoError(t, err)
	assert.Equal(t, dCur, got)
	got, err = r.Digest(ctx, "latest-debian")
	require.NoError(t, err)
	assert.Empty(t, got, "a tag that does not exist has no digest")

	require.NoError(t, r.Point(ctx, "debian", dOld))
	got, err = r.Digest(ctx, "debian")
	require.NoError(t, err)
	assert.Equal(t, dOld, got, "the tag names the earlier image again, byte for byte")

	err = r.Point(ctx, "debian", "sha256:"+strings.Repeat("0", 64))
	assert.ErrorContains(t, err, "cannot point "+host+"/fit-framework:debian at sha256:000")
}

// Copier copies an image and a multi-platform index by digest: the target serves the same digest.
func TestCopier(t *testing.T) {
	staging, prod := served(t), served(t)
	ctx := context.Background()
	img, err := random.Image(64, 2)
	require.NoError(t, err)
	idx, err := random.Index(64, 1, 2)
	require.NoError(t, err)
	dImg := push(t, staging+"/s/fit-framework:run-1", img)
	dIdx := push(t, staging+"/s/fit-framework:run-2", idx)

	copyRef, err := Copier(repo(t, staging+"/s/"), repo(t, prod+"/"))
	require.NoError(t, err)
	for _, tc := range []struct{ name, digest, to string }{
		{"image", dImg, prod + "/fit-framework:3.6.1-debian"},
		{"index", dIdx, prod + "/fit-framework:3.6.1-alpine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := copyRef(ctx, staging+"/s/fit-framework@"+tc.digest, tc.to)
			require.NoError(t, err)
			assert.Equal(t, tc.digest, got)
			tag := tc.to[strings.LastIndex(tc.to, ":")+1:]
			served, err := repo(t, prod+"/").Digest(ctx, tag)
			require.NoError(t, err)
			assert.Equal(t, tc.digest, served)
		})
	}

	_, err = copyRef(ctx, prod+"/fit-framework@"+dImg, prod+"/fit-framework:debian")
	assert.ErrorContains(t, err, "is not in "+staging+"/s/fit-framework")
	_, err = copyRef(ctx, staging+"/s/fit-framework@sha256:"+strings.Repeat("0", 64), prod+"/fit-framework:debian")
	assert.ErrorContains(t, err, "cannot read the staged")

	_, err = Copier(Repo{Registry: "r/", Username: "u"}, repo(t, prod+"/"))
	assert.ErrorContains(t, err, "needs both --username and --password")
}

// The cosign tags of a copied digest come along: an index's .sig and .att and a manifest's .sig,
// byte for byte; a digest without any is copied alone.
func TestCopierCopiesSignaturesAndAttestations(t *testing.T) {
	staging, prod := served(t), served(t)
	ctx := context.Background()
	idx, err := random.Index(64, 1, 2)
	require.NoError(t, err)
	dIdx := push(t, staging+"/s/fit-framework:run", idx)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	child := m.Manifests[0].Digest.String()
	attached := map[string]string{}
	for _, tag := range []string{Attached(dIdx)[0], Attached(dIdx)[1], Attached(child)[0]} {
		sig, err := random.Image(32, 1)
		require.NoError(t, err)
		attached[tag] = push(t, staging+"/s/fit-framework:"+tag, sig)
	}
	copyRef, err := Copier(repo(t, staging+"/s/"), repo(t, prod+"/"))
	require.NoError(t, err)
	_, err = copyRef(ctx, staging+"/s/fit-framework@"+dIdx, prod+"/fit-framework:3.6.1-debian")
	require.NoError(t, err)
	for tag, want := range attached {
		got, err := repo(t, prod+"/").Digest(ctx, tag)
		require.NoError(t, err)
		assert.Equal(t, want, got, tag)
	}
	none, err := repo(t, prod+"/").Digest(ctx, Attached(child)[1])
	require.NoError(t, err)
	assert.Empty(t, none, "no .att was staged for the child: none is made up")
	assert.Equal(t, []string{"sha256-" + strings.Repeat("a", 64) + ".sig", "sha256-" + strings.Repeat("a", 64) + ".att"}, Attached("sha256:"+strings.Repeat("a", 64)))
}

// The OCI 1.1 referrers of a copied index and of its manifests come along, whether each side has a
// referrers API or keeps the referrers tag.
func TestCopierCopiesReferrers(t *testing.T) {
	api := []ggcr.Option{ggcr.WithReferrersSupport(true)}
	for _, tc := range []struct {
		name          string
		staging, prod []ggcr.Option
	}{
		{"API to API", api, api},
		{"tag to API", nil, api},
		{"API to tag", api, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			staging, prod := served(t, tc.staging...), served(t, tc.prod...)
			idx, err := random.Index(64, 1, 2)
			require.NoError(t, err)
			dIdx := push(t, staging+"/s/fit-framework:run", idx)
			m, err := idx.IndexManifest()
			require.NoError(t, err)
			child := m.Manifests[0]
			want := map[string]string{} // subject → its referrer's digest
			for _, sub := range []v1.Descriptor{{MediaType: types.OCIImageIndex, Digest: must(v1.NewHash(dIdx)), Size: must(idx.Size())}, child} {
				att, err := random.Image(32, 1)
				require.NoError(t, err)
				r := mutate.Subject(mutate.ConfigMediaType(att, "application/vnd.in-toto+json"), sub).(v1.Image)
				d := must(r.Digest())
				ref, err := name.NewDigest(staging+"/s/fit-framework@"+d.String(), name.Insecure)
				require.NoError(t, err)
				require.NoError(t, remote.Write(ref, r))
				want[sub.Digest.String()] = d.String()
			}
			copyRef, err := Copier(repo(t, staging+"/s/"), repo(t, prod+"/"))
			require.NoError(t, err)
			_, err = copyRef(context.Background(), staging+"/s/fit-framework@"+dIdx, prod+"/fit-framework:3.6.1-debian")
			require.NoError(t, err)
			for sub, ref := range want {
				d, err := name.NewDigest(prod+"/fit-framework@"+sub, name.Insecure)
				require.NoError(t, err)
				got, err := remote.Referrers(d)
				require.NoError(t, err)
				gm, err := got.IndexManifest()
				require.NoError(t, err)
				require.Len(t, gm.Manifests, 1, "one referrer of %s in prod", sub)
				assert.Equal(t, ref, gm.Manifests[0].Digest.String())
				assert.Equal(t, "application/vnd.in-toto+json", gm.Manifests[0].ArtifactType)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Labels reads a tag's config labels, through an index too.
func TestLabels(t *testing.T) {
	host := served(t)
	img, err := random.Image(32, 1)
	require.NoError(t, err)
	img, err = mutate.Config(img, v1.Config{Labels: map[string]string{"org.opencontainers.image.base.digest": "sha256:" + strings.Repeat("a", 64)}})
	require.NoError(t, err)
	push(t, host+"/fit-framework:3.6.0-debian", img)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	push(t, host+"/fit-framework:3.6.0-alpine", idx)
	for _, tag := range []string{"3.6.0-debian", "3.6.0-alpine"} {
		l, err := repo(t, host+"/").Labels(context.Background(), tag)
		require.NoError(t, err, tag)
		assert.Equal(t, "sha256:"+strings.Repeat("a", 64), l["org.opencontainers.image.base.digest"], tag)
	}
	_, err = repo(t, host+"/").Labels(context.Background(), "nope")
	assert.ErrorContains(t, err, "cannot read "+host+"/fit-framework:nope")
}
