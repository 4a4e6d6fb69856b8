// Package oci reads image tarballs as Container.AsTarball writes them (an OCI image layout in a
// tar: index.json, blobs/sha256/…) to measure images: the layers and their compressed sizes, what
// a node holding one image must pull for another, and which folders make a layer big.
package oci

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
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
	path    string // the tarball, to read layer contents back
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

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	Platform  *struct {
		OS string `json:"os"`
	} `json:"platform,omitempty"`
}

// Read reads the single image of a tarball; a multi-platform tarball is refused (measure one
// platform at a time).
func Read(tarball string) (Image, error) {
	meta := map[string][]byte{}
	err := walk(tarball, func(name string, size int64, r io.Reader) error {
		if name != "index.json" && (size > 4<<20 || !strings.HasPrefix(name, "blobs/")) {
			return nil // layers are read on demand
		}
		b, err := io.ReadAll(r)
		meta[name] = b
		return err
	})
	if err != nil {
		return Image{}, err
	}
	blob := func(d string) ([]byte, error) {
		b, ok := meta["blobs/"+strings.Replace(d, ":", "/", 1)]
		if !ok {
			return nil, fmt.Errorf("%s: blob %s missing", tarball, d)
		}
		return b, nil
	}
	var ix struct{ Manifests []descriptor }
	if err := json.Unmarshal(meta["index.json"], &ix); err != nil {
		return Image{}, fmt.Errorf("%s is not an OCI image tarball: %v", tarball, err)
	}
	var manifests []descriptor
	for len(ix.Manifests) > 0 {
		d := ix.Manifests[0]
		ix.Manifests = ix.Manifests[1:]
		b, err := blob(d.Digest)
		if err != nil {
			return Image{}, err
		}
		if strings.Contains(d.MediaType, "index") || strings.Contains(d.MediaType, "list") {
			var sub struct{ Manifests []descriptor }
			if err := json.Unmarshal(b, &sub); err != nil {
				return Image{}, err
			}
			ix.Manifests = append(ix.Manifests, sub.Manifests...)
			continue
		}
		if d.Platform != nil && d.Platform.OS == "unknown" {
			continue // an attestation
		}
		manifests = append(manifests, d)
	}
	if len(manifests) != 1 {
		return Image{}, fmt.Errorf("%s holds %d images; want one platform", tarball, len(manifests))
	}
	b, err := blob(manifests[0].Digest)
	if err != nil {
		return Image{}, err
	}
	var m struct {
		Config descriptor
		Layers []descriptor
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return Image{}, err
	}
	img := Image{path: tarball}
	for _, l := range m.Layers {
		img.Layers = append(img.Layers, Layer{Digest: l.Digest, Size: l.Size})
	}
	if cb, err := blob(m.Config.Digest); err == nil {
		var cfg struct {
			History []struct {
				CreatedBy  string `json:"created_by"`
				EmptyLayer bool   `json:"empty_layer"`
			}
		}
		if json.Unmarshal(cb, &cfg) == nil {
			for _, h := range cfg.History {
				if !h.EmptyLayer {
					img.History = append(img.History, h.CreatedBy)
				}
			}
		}
	}
	if len(img.History) != len(img.Layers) {
		img.History = make([]string, len(img.Layers))
	}
	return img, nil
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

// Stats reads every layer once and returns, per layer, its uncompressed bytes and its n largest
// folders, paths cut to depth elements (a file directly in a shallower folder counts for that one).
func (i Image) Stats(depth, n int) ([]LayerStats, error) {
	index := map[string][]int{} // blob name → layers (a layer may repeat)
	for k, l := range i.Layers {
		name := "blobs/" + strings.Replace(l.Digest, ":", "/", 1)
		index[name] = append(index[name], k)
	}
	out := make([]LayerStats, len(i.Layers))
	seen := make([]bool, len(i.Layers))
	err := walk(i.path, func(name string, _ int64, r io.Reader) error {
		ks, ok := index[name]
		if !ok {
			return nil
		}
		st, err := layerStats(r, depth, n)
		if err != nil {
			return fmt.Errorf("layer %s: %v", name, err)
		}
		for _, k := range ks {
			out[k], seen[k] = st, true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("%s: layer %s missing", i.path, i.Layers[k].Digest)
		}
	}
	return out, nil
}

func layerStats(r io.Reader, depth, n int) (LayerStats, error) {
	var st LayerStats
	zr, err := gzip.NewReader(r)
	if err != nil {
		return st, fmt.Errorf("not gzip: %v", err)
	}
	sums := map[string]int64{}
	tr := tar.NewReader(zr)
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

// walk calls fn for every regular file of a tar, name without a leading "./".
func walk(tarball string, fn func(name string, size int64, r io.Reader) error) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s is not a readable tar file: %v", tarball, err)
		}
		if h.Typeflag == tar.TypeReg {
			if err := fn(strings.TrimPrefix(h.Name, "./"), h.Size, tr); err != nil {
				return err
			}
		}
	}
}
