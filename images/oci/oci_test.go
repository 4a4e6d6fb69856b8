package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// must stops the test on an error while it writes its input: a test of a broken tarball proves nothing.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// layer is a gzip tar of name → size bytes.
func layer(t *testing.T, files map[string]int) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for n, size := range files {
		must(t, tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(size), Typeflag: tar.TypeReg}))
		_, err := tw.Write(make([]byte, size))
		must(t, err)
	}
	must(t, tw.WriteHeader(&tar.Header{Name: "usr/lib/", Mode: 0o755, Typeflag: tar.TypeDir}))
	must(t, tw.Close())
	must(t, zw.Close())
	return b.Bytes()
}

// tarball writes an OCI layout tar with the given layers (one image) and returns its path.
func tarball(t *testing.T, layers ...[]byte) string {
	blobs := map[string][]byte{}
	put := func(b []byte) map[string]any {
		sum := sha256.Sum256(b)
		d := "sha256:" + hex.EncodeToString(sum[:])
		blobs[d] = b
		return map[string]any{"digest": d, "size": len(b), "mediaType": "x"}
	}
	var ls []any
	var hist []any
	for _, l := range layers {
		ls = append(ls, put(l))
		hist = append(hist, map[string]any{"created_by": "step"}, map[string]any{"created_by": "env", "empty_layer": true})
	}
	cfg, _ := json.Marshal(map[string]any{"history": hist})
	man, _ := json.Marshal(map[string]any{"config": put(cfg), "layers": ls})
	md := put(man)
	md["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
	idx, _ := json.Marshal(map[string]any{"manifests": []any{md}})
	path := filepath.Join(t.TempDir(), "img.tar")
	f, err := os.Create(path)
	must(t, err)
	tw := tar.NewWriter(f)
	add := func(name string, b []byte) {
		must(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(b)
		must(t, err)
	}
	add("index.json", idx)
	for d, b := range blobs {
		add("blobs/sha256/"+d[len("sha256:"):], b)
	}
	must(t, tw.Close())
	must(t, f.Close())
	return path
}

func TestReadPullStats(t *testing.T) {
	base := layer(t, map[string]int{"etc/os-release": 10})
	pkgs := layer(t, map[string]int{"usr/lib/jvm/java/lib/modules": 5000, "usr/lib/x86_64-linux-gnu/libnode.so": 3000, "var/cache/apt/pkgcache.bin": 2000, "usr/bin/node": 100})
	app1 := layer(t, map[string]int{"opt/fit-framework/java/a-1.jar": 300})
	app2 := layer(t, map[string]int{"opt/fit-framework/java/a-2.jar": 301})
	v1, err := Read(tarball(t, base, pkgs, app1))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := Read(tarball(t, base, pkgs, app2))
	if err != nil {
		t.Fatal(err)
	}
	if len(v1.Layers) != 3 || v1.Largest() != 1 || v1.History[1] != "step" {
		t.Fatalf("layers %+v history %q", v1.Layers, v1.History)
	}
	if v1.Size() != int64(len(base)+len(pkgs)+len(app1)) {
		t.Errorf("Size = %d", v1.Size())
	}
	idx, n := Pull(v1, v2)
	if len(idx) != 1 || idx[0] != 2 || n != int64(len(app2)) {
		t.Errorf("Pull = %v, %d; want only the app layer", idx, n)
	}
	st, err := v1.Stats(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if st[1].Bytes != 10100 {
		t.Errorf("package layer bytes = %d", st[1].Bytes)
	}
	want := []Folder{{"/usr/lib/jvm", 5000}, {"/usr/lib/x86_64-linux-gnu", 3000}}
	if len(st[1].Folders) != 2 || st[1].Folders[0] != want[0] || st[1].Folders[1] != want[1] {
		t.Errorf("folders = %+v; want %+v", st[1].Folders, want)
	}
	if folderOf("usr/bin/node", 3) != "/usr/bin" || folderOf("./etc/x", 3) != "/etc" {
		t.Error("folderOf")
	}
}

func TestReadRejects(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.tar")
	must(t, os.WriteFile(p, []byte("not a tar"), 0o644))
	if _, err := Read(p); err == nil {
		t.Error("a non-tarball was read")
	}
}
