package main

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"dagger/fit-images/images/release"
)

// The tested image travels from release-check to publish as an OCI image tarball (an OCI image
// layout in a tar: index.json, oci-layout, blobs/sha256/…), as Container.AsTarball writes it.
// publish reads its index here, on the host, to know which platforms it holds: the engine's
// Container.Import takes one manifest per call (the one matching the importing container's
// platform), so a multi-platform tarball is imported once per platform listed here.

const (
	mediaOCIIndex     = "application/vnd.oci.image.index.v1+json"
	mediaOCIManifest  = "application/vnd.oci.image.manifest.v1+json"
	mediaDockerList   = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaDockerManife = "application/vnd.docker.distribution.manifest.v2+json"
)

type ociDescriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	// Annotations of the manifest, as the index lists it
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
		Variant      string `json:"variant,omitempty"`
	} `json:"platform,omitempty"`
}

type ociIndex struct {
	MediaType string          `json:"mediaType"`
	Manifests []ociDescriptor `json:"manifests"`
}

type ociManifest struct {
	Config      ociDescriptor     `json:"config"`
	Layers      []ociDescriptor   `json:"layers"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type ociConfig struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
	Config       struct {
		Env []string `json:"Env"`
	} `json:"config"`
}

// ociImage is one platform's image in a tarball.
type ociImage struct {
	Platform release.Platform
	Manifest string   // digest of the manifest
	Layers   []string // digests of the layers, in order
	Env      []string // the config's environment
	// Annotations of the manifest (org.opencontainers.image.*): Container.Import drops them.
	Annotations map[string]string
}

// maxOCIMetadata bounds what is read into memory: index.json, manifests and configs are small;
// layers (larger) are skipped.
const maxOCIMetadata = 8 << 20

// readOCITarball lists the images of an OCI image tarball, sorted by platform. It fails when the
// file is not an OCI layout tarball or holds no image.
func readOCITarball(path string) ([]ociImage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var index []byte
	blobs := map[string][]byte{} // "sha256:hex" → content
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s is not a readable tar file: %v", path, err)
		}
		name := strings.TrimPrefix(h.Name, "./")
		if h.Typeflag != tar.TypeReg || h.Size > maxOCIMetadata {
			continue
		}
		switch {
		case name == "index.json":
			if index, err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("%s is not a readable tar file: %v", path, err)
			}
		case strings.HasPrefix(name, "blobs/sha256/"):
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("%s is not a readable tar file: %v", path, err)
			}
			blobs["sha256:"+strings.TrimPrefix(name, "blobs/sha256/")] = b
		}
	}
	if index == nil {
		return nil, fmt.Errorf("%s is not an OCI image tarball: it has no index.json", path)
	}
	var images []ociImage
	var walk func(idx []byte, depth int) error
	walk = func(idx []byte, depth int) error {
		var ix ociIndex
		if err := json.Unmarshal(idx, &ix); err != nil {
			return fmt.Errorf("malformed image index: %v", err)
		}
		for _, d := range ix.Manifests {
			blob, ok := blobs[d.Digest]
			if !ok {
				return fmt.Errorf("blob %s (%s) is missing", d.Digest, d.MediaType)
			}
			switch d.MediaType {
			case mediaOCIIndex, mediaDockerList:
				if depth > 4 {
					return fmt.Errorf("image indexes nested too deep")
				}
				if err := walk(blob, depth+1); err != nil {
					return err
				}
			case mediaOCIManifest, mediaDockerManife:
				if d.Platform != nil && d.Platform.OS == "unknown" {
					continue // an attestation manifest, not an image
				}
				img, err := readOCIImage(d, blob, blobs)
				if err != nil {
					return err
				}
				images = append(images, img)
			}
		}
		return nil
	}
	if err := walk(index, 0); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("%s holds no image manifest", path)
	}
	sort.Slice(images, func(i, j int) bool { return images[i].Platform.String() < images[j].Platform.String() })
	for i := 1; i < len(images); i++ {
		if images[i].Platform == images[i-1].Platform {
			return nil, fmt.Errorf("%s holds two images for %s", path, images[i].Platform)
		}
	}
	return images, nil
}

func readOCIImage(d ociDescriptor, blob []byte, blobs map[string][]byte) (ociImage, error) {
	var m ociManifest
	if err := json.Unmarshal(blob, &m); err != nil {
		return ociImage{}, fmt.Errorf("malformed manifest %s: %v", d.Digest, err)
	}
	cb, ok := blobs[m.Config.Digest]
	if !ok {
		return ociImage{}, fmt.Errorf("config %s of manifest %s is missing", m.Config.Digest, d.Digest)
	}
	var cfg ociConfig
	if err := json.Unmarshal(cb, &cfg); err != nil {
		return ociImage{}, fmt.Errorf("malformed config %s: %v", m.Config.Digest, err)
	}
	p := release.Platform{OS: cfg.OS, Arch: cfg.Architecture, Variant: cfg.Variant}
	if d.Platform != nil && d.Platform.Architecture != "" {
		p = release.Platform{OS: d.Platform.OS, Arch: d.Platform.Architecture, Variant: d.Platform.Variant}
	}
	if p.OS == "" || p.Arch == "" {
		return ociImage{}, fmt.Errorf("manifest %s names no platform", d.Digest)
	}
	img := ociImage{Platform: p, Manifest: d.Digest, Env: cfg.Config.Env, Annotations: m.Annotations}
	if len(img.Annotations) == 0 {
		img.Annotations = d.Annotations
	}
	for _, l := range m.Layers {
		img.Layers = append(img.Layers, l.Digest)
	}
	return img, nil
}

// envValue returns the value of NAME in a KEY=VALUE list.
func envValue(env []string, name string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

func platformStrings(images []ociImage) []string {
	out := make([]string, len(images))
	for i, img := range images {
		out[i] = img.Platform.String()
	}
	return out
}

// samePlatform compares platforms as the OCI spec does: arm64 without a variant is arm64/v8.
func samePlatform(a, b release.Platform) bool {
	norm := func(p release.Platform) release.Platform {
		p.OS, p.Arch, p.Variant = strings.ToLower(p.OS), strings.ToLower(p.Arch), strings.ToLower(p.Variant)
		if p.Arch == "arm64" && p.Variant == "v8" {
			p.Variant = ""
		}
		return p
	}
	return norm(a) == norm(b)
}
