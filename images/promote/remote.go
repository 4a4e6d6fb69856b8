package promote

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/upstream"
)

// Endpoint is a registry prefix and how to reach it.
type Endpoint struct {
	Registry           release.Registry
	Username, Password string
	Transport          http.RoundTripper // nil: go-containerregistry's default
}

// StagingPrefix is the registry prefix of a staged reference ({prefix}fit-framework@sha256:…).
func StagingPrefix(ref string) (release.Registry, error) {
	repo := Image{Ref: ref}.Repo()
	prefix, ok := strings.CutSuffix(repo, "/"+release.ImageName)
	if !ok {
		return "", fmt.Errorf("%s is not a %s image: give release-check's staged reference", ref, release.ImageName)
	}
	return release.ParseRegistry(prefix)
}

// Registry copies with go-containerregistry from the staging endpoint to the target one: the
// manifest (or index) bytes are copied as they are, so the target serves the staged digest.
// Credentials go only to each registry's own host (upstream.Remote).
func Registry(from, to Endpoint) (Copier, error) {
	src, srcOpts, err := upstream.Remote(from.Registry, from.Username, from.Password, from.Transport)
	if err != nil {
		return nil, err
	}
	dst, dstOpts, err := upstream.Remote(to.Registry, to.Username, to.Password, to.Transport)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, fromRef, toRef string) (string, error) {
		if repo := (Image{Ref: fromRef}).Repo(); repo != src.String() && repo != src.Name() {
			return "", fmt.Errorf("%s is not in %s", fromRef, src)
		}
		so := append(append([]remote.Option{}, srcOpts...), remote.WithContext(ctx))
		do := append(append([]remote.Option{}, dstOpts...), remote.WithContext(ctx))
		tag := dst.Tag(toRef[strings.LastIndex(toRef, ":")+1:])
		desc, err := remote.Get(src.Digest(release.DigestOf(fromRef)), so...)
		if err != nil {
			return "", fmt.Errorf("cannot read the staged %s: %s", fromRef, report.FirstLine(err.Error()))
		}
		if desc.MediaType.IsIndex() {
			idx, err := desc.ImageIndex()
			if err == nil {
				err = remote.WriteIndex(tag, idx, do...)
			}
			if err != nil {
				return "", fmt.Errorf("push rejected: %s", report.FirstLine(err.Error()))
			}
		} else {
			img, err := desc.Image()
			if err == nil {
				err = remote.Write(tag, img, do...)
			}
			if err != nil {
				return "", fmt.Errorf("push rejected: %s", report.FirstLine(err.Error()))
			}
		}
		served, err := remote.Head(tag, do...)
		if err != nil {
			return "", fmt.Errorf("pushed, but cannot read it back: %s", report.FirstLine(err.Error()))
		}
		return served.Digest.String(), nil
	}, nil
}
