package bench

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// must stops the test on an error while it writes its input: a test of a broken tarball proves nothing.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// layer is a gzip tar of name → size bytes, as a layer; the same files give the same digest.
func layer(t *testing.T, files map[string]int) v1.Layer {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		must(t, tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(files[n]), Typeflag: tar.TypeReg}))
		_, err := tw.Write(make([]byte, files[n]))
		must(t, err)
	}
	must(t, tw.WriteHeader(&tar.Header{Name: "usr/lib/", Mode: 0o755, Typeflag: tar.TypeDir}))
	must(t, tw.Close())
	must(t, zw.Close())
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.Bytes())), nil })
	must(t, err)
	return l
}

// image is the layers with a history like a Dockerfile's: a step per layer, an ENV between.
func image(t *testing.T, layers ...v1.Layer) v1.Image {
	t.Helper()
	img := empty.Image
	var err error
	for _, l := range layers {
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "step"}})
		must(t, err)
	}
	cfg, err := img.ConfigFile()
	must(t, err)
	cfg = cfg.DeepCopy()
	var hist []v1.History
	for _, h := range cfg.History {
		hist = append(hist, h, v1.History{CreatedBy: "env", EmptyLayer: true})
	}
	cfg.History = hist
	img, err = mutate.ConfigFile(img, cfg)
	must(t, err)
	return img
}

// write saves images as a docker-loadable tarball (manifest.json), one tag each.
func write(t *testing.T, imgs ...v1.Image) string {
	t.Helper()
	refs := map[name.Reference]v1.Image{}
	for i, img := range imgs {
		tag, err := name.NewTag("fit-framework:" + string(rune('a'+i)))
		must(t, err)
		refs[tag] = img
	}
	p := filepath.Join(t.TempDir(), "img.tar")
	must(t, tarball.MultiRefWriteToFile(p, refs))
	return p
}

func TestReadPullStats(t *testing.T) {
	base := layer(t, map[string]int{"etc/os-release": 10})
	pkgs := layer(t, map[string]int{"usr/lib/jvm/java/lib/modules": 5000, "usr/lib/x86_64-linux-gnu/libnode.so": 3000, "var/cache/apt/pkgcache.bin": 2000, "usr/bin/node": 100})
	app1 := layer(t, map[string]int{"opt/fit-framework/java/a-1.jar": 300})
	app2 := layer(t, map[string]int{"opt/fit-framework/java/a-2.jar": 301})
	v1img, err := ReadTarball(write(t, image(t, base, pkgs, app1)))
	must(t, err)
	v2img, err := ReadTarball(write(t, image(t, base, pkgs, app2)))
	must(t, err)
	if len(v1img.Layers) != 3 || v1img.Largest() != 1 || v1img.History[1] != "step" {
		t.Fatalf("layers %+v history %q", v1img.Layers, v1img.History)
	}
	var want int64
	for _, l := range []v1.Layer{base, pkgs, app1} {
		n, err := l.Size()
		must(t, err)
		want += n
	}
	if v1img.Size() != want {
		t.Errorf("Size = %d, want %d (the compressed blobs)", v1img.Size(), want)
	}
	idx, n := Pull(v1img, v2img)
	app2Size, err := app2.Size()
	must(t, err)
	if len(idx) != 1 || idx[0] != 2 || n != app2Size {
		t.Errorf("Pull = %v, %d; want only the app layer", idx, n)
	}
	st, err := v1img.Stats(3, 2)
	must(t, err)
	if st[1].Bytes != 10100 {
		t.Errorf("package layer bytes = %d", st[1].Bytes)
	}
	folders := []Folder{{"/usr/lib/jvm", 5000}, {"/usr/lib/x86_64-linux-gnu", 3000}}
	if len(st[1].Folders) != 2 || st[1].Folders[0] != folders[0] || st[1].Folders[1] != folders[1] {
		t.Errorf("folders = %+v; want %+v", st[1].Folders, folders)
	}
}

func TestFolderOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		depth int
		want  string
	}{
		{"usr/bin/node", 3, "/usr/bin"},
		{"./etc/x", 3, "/etc"},
		{"usr/lib/jvm/java/lib/modules", 3, "/usr/lib/jvm"},
		{"top", 3, "/"},
	} {
		if got := folderOf(tc.name, tc.depth); got != tc.want {
			t.Errorf("folderOf(%q, %d) = %q, want %q", tc.name, tc.depth, got, tc.want)
		}
	}
}

func TestReadTarballRejects(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.tar")
	must(t, os.WriteFile(p, []byte("not a tar"), 0o644))
	if _, err := ReadTarball(p); err == nil {
		t.Error("a non-tarball was read")
	}
	two := write(t, image(t, layer(t, map[string]int{"a": 1})), image(t, layer(t, map[string]int{"b": 1})))
	if _, err := ReadTarball(two); err == nil {
		t.Error("a tarball of two images was read as one")
	}
}
