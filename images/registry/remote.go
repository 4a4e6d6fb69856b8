// Package registry is every exchange with an image registry: the tags of {prefix}fit-framework,
// the digest a tag names, a tag pointed at a digest and an image or index copied by digest, with
// go-containerregistry; and a throwaway registry:2 as a Dagger service, for the e2e flow and for
// trying pushes locally. Credentials go only to the registry's own hosts, and plain http only to
// a loopback registry.
package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// Repo is the repository {Registry}fit-framework and how to reach it.
type Repo struct {
	Registry release.Registry
	// Username and Password log in; empty is anonymous (enough to read public images).
	Username, Password string
	// Transport is the base HTTP transport (nil: go-containerregistry's default), e.g. dial.Via.
	Transport http.RoundTripper
}

// Addr is the host:port a registry prefix connects to (plain http for loopback ones).
func Addr(r release.Registry) string {
	scheme := "https"
	if dial.IsLoopback(dial.HostOnly(r.Host())) {
		scheme = "http"
	}
	return dial.HostPort(&url.URL{Scheme: scheme, Host: r.Host()})
}

// List answers every tag of the repository; a repository that does not exist yet has no tags.
func (t Repo) List(ctx context.Context) ([]string, error) {
	repo, opts, err := t.remote(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := remote.List(repo, opts...)
	switch {
	case notFound(err):
		return nil, nil // nothing pushed under this name yet
	case err != nil:
		return nil, fmt.Errorf("cannot list the tags of %s: %s", t.name(), report.FirstLine(err.Error()))
	}
	return tags, nil
}

// Digest answers the manifest digest a tag points at; "" when the tag does not exist.
func (t Repo) Digest(ctx context.Context, tag string) (string, error) {
	repo, opts, err := t.remote(ctx)
	if err != nil {
		return "", err
	}
	d, err := remote.Head(repo.Tag(tag), opts...)
	switch {
	case notFound(err):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("cannot read %s:%s: %s", t.name(), tag, report.FirstLine(err.Error()))
	}
	return d.Digest.String(), nil
}

// Labels are the image config labels of tag (of its linux/amd64 image when tag names an index:
// the labels the build writes are the same on every platform).
func (t Repo) Labels(ctx context.Context, tag string) (map[string]string, error) {
	repo, opts, err := t.remote(ctx)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(repo.Tag(tag), opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s:%s: %s", t.name(), tag, report.FirstLine(err.Error()))
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("cannot read the configuration of %s:%s: %s", t.name(), tag, report.FirstLine(err.Error()))
	}
	return cfg.Config.Labels, nil
}

// Point moves tag to the manifest digest (sha256:…) the repository already holds: the manifest's
// bytes are copied as they are, so the tag names exactly that image again.
func (t Repo) Point(ctx context.Context, tag, digest string) error {
	repo, opts, err := t.remote(ctx)
	if err != nil {
		return err
	}
	desc, err := remote.Get(repo.Digest(digest), opts...)
	if err == nil {
		err = remote.Tag(repo.Tag(tag), desc, opts...)
	}
	if err != nil {
		return fmt.Errorf("cannot point %s:%s at %s: %s", t.name(), tag, digest, report.FirstLine(err.Error()))
	}
	return nil
}

// Copier copies from one repository to another by digest: copy(ctx, "REPO@sha256:…", "REF:TAG")
// puts the manifest (or index) bytes of the digest, as they are, under TAG of to, and answers
// the digest to serves for TAG afterwards. fromRef must be in from. Errors name no credentials.
func Copier(from, to Repo) (func(ctx context.Context, fromRef, toRef string) (string, error), error) {
	src, srcOpts, err := from.options()
	if err != nil {
		return nil, err
	}
	dst, dstOpts, err := to.options()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, fromRef, toRef string) (string, error) {
		at := strings.LastIndex(fromRef, "@")
		if repo := fromRef[:max(at, 0)]; at < 0 || (repo != src.String() && repo != src.Name()) {
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
		// the signatures and attestations come along, so the promoted tags verify with cosign
		if err := copyAttached(desc, src, dst, so, do); err != nil {
			return "", err
		}
		return served.Digest.String(), nil
	}, nil
}

// Attached are the tags under which cosign keeps what it attaches to a digest: its signatures
// (sha256-HEX.sig) and attestations (sha256-HEX.att).
func Attached(digest string) []string {
	h := strings.Replace(digest, ":", "-", 1)
	return []string{h + ".sig", h + ".att"}
}

// copyAttached copies the cosign tags of desc's digest and, for an index, of each of its
// manifests' digests, from src to dst, and their OCI 1.1 referrers (by digest: dst lists them in
// its referrers API, or go-containerregistry in dst's referrers tag); a digest that has none is
// left as it is (unsigned staging). Copying again writes the same bytes: a promote retried, or a
// second tag of one image, is harmless.
func copyAttached(desc *remote.Descriptor, src, dst name.Repository, so, do []remote.Option) error {
	digests := []string{desc.Digest.String()}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return fmt.Errorf("cannot read the staged index %s: %s", desc.Digest, report.FirstLine(err.Error()))
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return fmt.Errorf("cannot read the staged index %s: %s", desc.Digest, report.FirstLine(err.Error()))
		}
		for _, d := range m.Manifests {
			digests = append(digests, d.Digest.String())
		}
	}
	for _, d := range digests {
		for _, t := range Attached(d) {
			a, err := remote.Get(src.Tag(t), so...)
			switch {
			case notFound(err):
				continue
			case err != nil:
				return fmt.Errorf("cannot read the staged %s: %s", src.Tag(t), report.FirstLine(err.Error()))
			}
			img, err := a.Image()
			if err == nil {
				err = remote.Write(dst.Tag(t), img, do...)
			}
			if err != nil {
				return fmt.Errorf("cannot copy %s to %s: %s", t, dst, report.FirstLine(err.Error()))
			}
		}
		if err := copyReferrers(src.Digest(d), dst, so, do); err != nil {
			return err
		}
	}
	return nil
}

// copyReferrers copies the referrers of subject (read through src's referrers API or its
// referrers tag) to dst, each by its digest.
func copyReferrers(subject name.Digest, dst name.Repository, so, do []remote.Option) error {
	idx, err := remote.Referrers(subject, so...)
	var m *v1.IndexManifest
	if err == nil {
		m, err = idx.IndexManifest()
	}
	if err != nil {
		return fmt.Errorf("cannot list the referrers of the staged %s: %s", subject, report.FirstLine(err.Error()))
	}
	for _, r := range m.Manifests {
		img, err := remote.Image(subject.Context().Digest(r.Digest.String()), so...)
		if err == nil {
			err = remote.Write(dst.Digest(r.Digest.String()), img, do...)
		}
		if err != nil {
			return fmt.Errorf("cannot copy the referrer %s of %s to %s: %s", r.Digest, subject.DigestStr(), dst, report.FirstLine(err.Error()))
		}
	}
	return nil
}

// Options are the repository's name and the remote options that reach it (login, transport,
// plain http only for a loopback registry), for callers that speak to it themselves (signing).
func (t Repo) Options() (name.Repository, []remote.Option, error) { return t.options() }

func notFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}

func (t Repo) name() string { return strings.TrimSuffix(t.Registry.Ref(""), ":") }

// remote is options with ctx on every request.
func (t Repo) remote(ctx context.Context) (name.Repository, []remote.Option, error) {
	repo, opts, err := t.options()
	return repo, append(opts, remote.WithContext(ctx)), err
}

// options is the repository's name and what reaches it: the login (or anonymous), plain http
// only for a loopback registry, and a transport that sends credentials only to the registry's
// own hosts.
func (t Repo) options() (name.Repository, []remote.Option, error) {
	// go-containerregistry reads "modelengine/fit-framework" as Docker Hub's, like docker does
	plain := dial.IsLoopback(dial.HostOnly(t.Registry.Host()))
	var opts []name.Option
	if plain {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(string(t.Registry)+release.ImageName, opts...)
	if err != nil {
		return repo, nil, fmt.Errorf("cannot name the repository of %s: %v", t.Registry.Ref(""), err)
	}
	if err := release.Login(t.Username, t.Password != "", ""); err != nil {
		return repo, nil, err
	}
	auth := authn.Anonymous
	if t.Username != "" {
		auth = authn.FromConfig(authn.AuthConfig{Username: t.Username, Password: t.Password})
	}
	base := t.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	rt := &guard{base: base, allowed: allowedHosts(repo.RegistryStr()), plainOK: plain}
	return repo, []remote.Option{remote.WithAuth(auth), remote.WithTransport(rt)}, nil
}

// guard refuses to send credentials anywhere but the registry's own hosts, and over plain http
// unless the registry is a loopback one.
type guard struct {
	base    http.RoundTripper
	allowed map[string]bool
	plainOK bool
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		host := strings.ToLower(req.URL.Hostname())
		switch {
		case !g.allowed[host] && !g.allowed[strings.ToLower(req.URL.Host)]:
			return nil, fmt.Errorf("refusing to send registry credentials to %s, which is not the registry's host", req.URL.Host)
		case req.URL.Scheme != "https" && !g.plainOK:
			return nil, fmt.Errorf("refusing to send registry credentials over plain http to %s", req.URL.Host)
		}
	}
	return g.base.RoundTrip(req)
}

// allowedHosts is the registry host (with and without port); Docker Hub's registry is served by
// registry-1.docker.io and authenticates at auth.docker.io.
func allowedHosts(registry string) map[string]bool {
	r := strings.ToLower(registry)
	m := map[string]bool{r: true, dial.HostOnly(r): true}
	if r == name.DefaultRegistry || r == "docker.io" {
		for _, h := range []string{"index.docker.io", "registry-1.docker.io", "auth.docker.io", "docker.io"} {
			m[h] = true
		}
	}
	return m
}
