// Package bench is what the benchmark (BenchmarkSideBySide, ./hack/bench) and the performance
// tests measure on images: the layers of an exported image, what an upgrade pulls, which folders
// make a layer big, and when Docker first reports a container healthy. Nothing here needs an
// engine; the tests hand it what the engine produced.
package bench

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Layer is one layer of an image, as the registry stores it.
type Layer struct {
	Digest string // of the compressed blob: what registries and nodes compare
	Size   int64  // compressed bytes, what a pull transfers
}

// Image is the one platform image of a tarball.
type Image struct {
	Layers []Layer
	// History is the created_by of each non-empty layer, in layer order ("" when the config has none).
	History []string
	layers  []v1.Layer // to read layer contents back
}

// ReadTarball reads the image of a tarball as Container.Export writes it for one platform: by its
// manifest.json, which the engine writes (for `docker load`) only when the root is one image. A
// multi-platform tarball has none and is refused: measure one platform at a time.
func ReadTarball(file string) (Image, error) {
	img, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		return Image{}, fmt.Errorf("%s is not the tarball of one platform's image: %v", file, err)
	}
	layers, err := img.Layers()
	if err != nil {
		return Image{}, fmt.Errorf("%s: %v", file, err)
	}
	out := Image{layers: layers}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return Image{}, fmt.Errorf("%s: %v", file, err)
		}
		size, err := l.Size()
		if err != nil {
			return Image{}, fmt.Errorf("%s: %v", file, err)
		}
		out.Layers = append(out.Layers, Layer{Digest: d.String(), Size: size})
	}
	if cfg, err := img.ConfigFile(); err == nil {
		for _, h := range cfg.History {
			if !h.EmptyLayer {
				out.History = append(out.History, h.CreatedBy)
			}
		}
	}
	if len(out.History) != len(out.Layers) {
		out.History = make([]string, len(out.Layers))
	}
	return out, nil
}

// Size is the sum of the compressed layers.
func (i Image) Size() int64 {
	var n int64
	for _, l := range i.Layers {
		n += l.Size
	}
	return n
}

// Largest returns the index of the biggest layer.
func (i Image) Largest() int {
	best := 0
	for k, l := range i.Layers {
		if l.Size > i.Layers[best].Size {
			best = k
		}
	}
	return best
}

// Pull is what a node that holds have must download to run want: the layers of want it lacks.
func Pull(have, want Image) (layers []int, bytes int64) {
	held := map[string]bool{}
	for _, l := range have.Layers {
		held[l.Digest] = true
	}
	for i, l := range want.Layers {
		if !held[l.Digest] {
			layers = append(layers, i)
			bytes += l.Size
		}
	}
	return layers, bytes
}

// Folder is a folder of a layer with the bytes of the files under it.
type Folder struct {
	Path  string
	Bytes int64
}

// LayerStats are the uncompressed bytes of a layer and its largest folders.
type LayerStats struct {
	Bytes   int64
	Folders []Folder // largest first
}

// Stats reads every layer and returns, per layer, its uncompressed bytes and its n largest
// folders, paths cut to depth elements (a file directly in a shallower folder counts for that
// one). A layer that repeats is read once.
func (i Image) Stats(depth, n int) ([]LayerStats, error) {
	out := make([]LayerStats, len(i.layers))
	done := map[string]int{} // digest → the layer read for it
	for k, l := range i.layers {
		if first, ok := done[i.Layers[k].Digest]; ok {
			out[k] = out[first]
			continue
		}
		st, err := layerStats(l, depth, n)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %v", i.Layers[k].Digest, err)
		}
		out[k], done[i.Layers[k].Digest] = st, k
	}
	return out, nil
}

func layerStats(l v1.Layer, depth, n int) (LayerStats, error) {
	var st LayerStats
	rc, err := l.Uncompressed()
	if err != nil {
		return st, err
	}
	defer func() { _ = rc.Close() }() // read only: nothing to lose
	sums := map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, err
		}
		if h.Typeflag == tar.TypeReg {
			st.Bytes += h.Size
			sums[folderOf(h.Name, depth)] += h.Size
		}
	}
	for p, b := range sums {
		st.Folders = append(st.Folders, Folder{p, b})
	}
	sort.Slice(st.Folders, func(a, b int) bool {
		if st.Folders[a].Bytes != st.Folders[b].Bytes {
			return st.Folders[a].Bytes > st.Folders[b].Bytes
		}
		return st.Folders[a].Path < st.Folders[b].Path
	})
	if len(st.Folders) > n {
		st.Folders = st.Folders[:n]
	}
	return st, nil
}

// folderOf is "/" + the first depth elements of the folder holding name.
func folderOf(name string, depth int) string {
	dir := path.Dir(path.Clean("/" + name))
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if len(parts) > depth {
		parts = parts[:depth]
	}
	return "/" + strings.Join(parts, "/")
}
