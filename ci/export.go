package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// A release publishes what it tested: release-check --export-dir DIR writes every OS image that
// passed all its items as DIR/<os>.tar (an OCI image tarball of the very containers it checked,
// one variant per platform) and DIR/<os>.json (exportedImage); publish --image-tar DIR/<os>.tar
// imports that tarball, verifies it against the JSON next to it, and pushes it without building.

// exportedImage is DIR/<os>.json: what the tarball next to it holds and how to recognise it.
type exportedImage struct {
	OS        string   `json:"os"`
	Version   string   `json:"version"`
	Tags      []string `json:"tags"`      // without registry: 3.6.0-debian, 3.6-debian, …
	Platforms []string `json:"platforms"` // of the images in the tarball, sorted
	Tarball   string   `json:"tarball"`   // file name, in the same directory
	SHA256    string   `json:"sha256"`    // sha256:hex of the tarball
	Size      int64    `json:"size"`      // bytes
}

// exportPaths are the files of one OS in the export directory.
func exportPaths(dir, osName string) (tarball, manifest string) {
	return filepath.Join(dir, osName+".tar"), filepath.Join(dir, osName+".json")
}

// manifestPathFor is the JSON next to a tarball: images-out/debian.tar → images-out/debian.json.
func manifestPathFor(tarball string) string {
	return strings.TrimSuffix(tarball, filepath.Ext(tarball)) + ".json"
}

// clearExports removes what an earlier run left for these OSes, so that a failed OS never leaves
// an older tarball behind to be published.
func clearExports(dir string, osNames []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var errs []error
	for _, n := range osNames {
		tarball, manifest := exportPaths(dir, n)
		for _, p := range []string{tarball, manifest, tarball + ".partial"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// exportImage writes the variants (one per platform) as dir/<os>.tar and its dir/<os>.json. The
// tarball is written under a temporary name and renamed once complete, then read back: it must
// hold one image per variant, each with FIT_VERSION=v.
func exportImage(ctx context.Context, c *dagger.Client, dir, osName string, v release.Version, variants []*dagger.Container) (exportedImage, error) {
	tarball, manifest := exportPaths(dir, osName)
	abs, err := filepath.Abs(tarball)
	if err != nil {
		return exportedImage{}, err
	}
	partial := abs + ".partial"
	// an empty container with every variant: AsTarball leaves the empty one out (as Publish does)
	file := c.Container().AsTarball(dagger.ContainerAsTarballOpts{PlatformVariants: variants})
	if _, err := file.Export(ctx, partial); err != nil {
		os.Remove(partial)
		return exportedImage{}, fmt.Errorf("cannot export the image: %s", report.FirstLine(err.Error()))
	}
	if err := os.Chmod(partial, 0o644); err != nil { // the engine writes 0600: let an upload step read it
		os.Remove(partial)
		return exportedImage{}, err
	}
	if err := os.Rename(partial, abs); err != nil {
		os.Remove(partial)
		return exportedImage{}, err
	}
	images, err := readOCITarball(abs)
	if err == nil && len(images) != len(variants) {
		err = fmt.Errorf("the exported tarball holds %d images (%s), not %d", len(images), strings.Join(platformStrings(images), ", "), len(variants))
	}
	if err == nil {
		err = checkImagesVersion(images, v)
	}
	var st os.FileInfo
	if err == nil {
		st, err = os.Stat(abs)
	}
	var sum string
	if err == nil {
		sum, err = fileSHA256(abs)
	}
	if err != nil {
		os.Remove(abs)
		return exportedImage{}, err
	}
	e := exportedImage{
		OS: osName, Version: v.String(), Tags: release.Tags(v, osName), Platforms: platformStrings(images),
		Tarball: filepath.Base(tarball), SHA256: sum, Size: st.Size(),
	}
	b, _ := json.MarshalIndent(e, "", "  ")
	if err := os.WriteFile(manifest, append(b, '\n'), 0o644); err != nil {
		os.Remove(abs)
		return exportedImage{}, err
	}
	return e, nil
}

// checkImagesVersion fails unless every image's config sets FIT_VERSION=v.
func checkImagesVersion(images []ociImage, v release.Version) error {
	for _, img := range images {
		got, ok := envValue(img.Env, "FIT_VERSION")
		switch {
		case !ok:
			return fmt.Errorf("the %s image sets no FIT_VERSION: it is not a FIT image", img.Platform)
		case got != v.String():
			return fmt.Errorf("the %s image is FIT %s (FIT_VERSION=%s), not %s", img.Platform, got, got, v)
		}
	}
	return nil
}

// readExportedImage reads the JSON next to a tarball; found is false when there is none.
func readExportedImage(path string) (e exportedImage, found bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return e, false, nil
	}
	if err != nil {
		return e, true, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, true, fmt.Errorf("%s is not the JSON release-check writes: %v", path, err)
	}
	return e, true, nil
}

// verifyTarball checks a tarball, before anything is imported or pushed, against what publish
// was asked for and against the JSON release-check wrote next to it (when there is one): same
// sha256, version, OS, tags and platforms; and every image in it must carry FIT_VERSION=v.
// note says what was verified, for the log and the summary.
func verifyTarball(path string, osName string, v release.Version) (images []ociImage, note string, err error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, "", err
	}
	jsonPath := manifestPathFor(path)
	e, found, err := readExportedImage(jsonPath)
	if err != nil {
		return nil, "", err
	}
	if found {
		var problems []string
		if e.SHA256 != sum {
			problems = append(problems, fmt.Sprintf("sha256 mismatch: %s records %s, the tarball is %s (corrupt, truncated or replaced since release-check wrote it)", filepath.Base(jsonPath), e.SHA256, sum))
		}
		if e.Version != v.String() {
			problems = append(problems, fmt.Sprintf("it was tested as FIT %s, not %s", e.Version, v))
		}
		if e.OS != osName {
			problems = append(problems, fmt.Sprintf("it is the %s image, not %s", e.OS, osName))
		}
		if want := release.Tags(v, osName); e.OS == osName && e.Version == v.String() && !slices.Equal(e.Tags, want) {
			problems = append(problems, fmt.Sprintf("its tags %s are not %s", strings.Join(e.Tags, ", "), strings.Join(want, ", ")))
		}
		if len(problems) > 0 {
			return nil, "", fmt.Errorf("refusing %s: %s", path, strings.Join(problems, "; "))
		}
	}
	if images, err = readOCITarball(path); err != nil {
		return nil, "", err
	}
	if found && !slices.Equal(e.Platforms, platformStrings(images)) {
		return nil, "", fmt.Errorf("refusing %s: it holds %s, %s records %s", path, strings.Join(platformStrings(images), ", "), filepath.Base(jsonPath), strings.Join(e.Platforms, ", "))
	}
	if err := checkImagesVersion(images, v); err != nil {
		return nil, "", fmt.Errorf("refusing %s: %v", path, err)
	}
	if found {
		note = fmt.Sprintf("%s (%s, %s) matches %s", path, sum, strings.Join(platformStrings(images), ", "), filepath.Base(jsonPath))
	} else {
		note = fmt.Sprintf("%s (%s, %s); no %s next to it: its sha256 was not checked against release-check's", path, sum, strings.Join(platformStrings(images), ", "), filepath.Base(jsonPath))
	}
	return images, note, nil
}
