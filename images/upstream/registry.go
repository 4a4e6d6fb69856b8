package upstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// Tags says where and how to list the tags of the image under a registry prefix.
type Tags struct {
	Registry release.Registry
	// Username and Password log in; empty lists anonymously (enough for public images).
	Username, Password string
	// Transport is the base HTTP transport (nil: go-containerregistry's default).
	Transport http.RoundTripper
}

// List answers every tag of {registry}fit-framework; a repository that does not exist yet has
// no tags. Only loopback registries are spoken to over plain http; credentials go
// only to the registry's own host (for Docker Hub, also its token service auth.docker.io).
func (t Tags) List(ctx context.Context) ([]string, error) {
	repo, opts, err := t.remote(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := remote.List(repo, opts...)
	var terr *transport.Error
	switch {
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
		return nil, nil // nothing pushed under this name yet
	case err != nil:
		return nil, fmt.Errorf("cannot list the tags of %s: %s", t.repoName(), report.FirstLine(err.Error()))
	}
	return tags, nil
}

// Digest answers the manifest digest a tag points at; "" when the tag does not exist.
func (t Tags) Digest(ctx context.Context, tag string) (string, error) {
	repo, opts, err := t.remote(ctx)
	if err != nil {
		return "", err
	}
	d, err := remote.Head(repo.Tag(tag), opts...)
	var terr *transport.Error
	switch {
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
		return "", nil
	case err != nil:
		return "", fmt.Errorf("cannot read %s:%s: %s", t.repoName(), tag, report.FirstLine(err.Error()))
	}
	return d.Digest.String(), nil
}

// Point moves tag to the manifest digest (sha256:…) the repository already holds: the manifest's
// bytes are copied as they are, so the tag names exactly that image again.
func (t Tags) Point(ctx context.Context, tag, digest string) error {
	repo, opts, err := t.remote(ctx)
	if err != nil {
		return err
	}
	desc, err := remote.Get(repo.Digest(digest), opts...)
	if err == nil {
		err = remote.Tag(repo.Tag(tag), desc, opts...)
	}
	if err != nil {
		return fmt.Errorf("cannot point %s:%s at %s: %s", t.repoName(), tag, digest, report.FirstLine(err.Error()))
	}
	return nil
}

func (t Tags) repoName() string { return strings.TrimSuffix(t.Registry.Ref(""), ":") }

// remote is Remote for t, with ctx on every request.
func (t Tags) remote(ctx context.Context) (name.Repository, []remote.Option, error) {
	repo, opts, err := Remote(t.Registry, t.Username, t.Password, t.Transport)
	return repo, append(opts, remote.WithContext(ctx)), err
}

// Remote is the repository {registry}fit-framework and the options that reach it: the login (or
// anonymous), plain http only for a loopback registry, and a transport (base, nil for
// go-containerregistry's default) that sends credentials only to the registry's own host.
func Remote(r release.Registry, username, password string, base http.RoundTripper) (name.Repository, []remote.Option, error) {
	// go-containerregistry reads "modelengine/fit-framework" as Docker Hub's, like docker does
	plain := IsLoopback(hostOnly(r.Host()))
	var opts []name.Option
	if plain {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(string(r)+release.ImageName, opts...)
	if err != nil {
		return repo, nil, fmt.Errorf("cannot name the repository of %s: %v", r.Ref(""), err)
	}
	if err := release.Login(username, password != "", ""); err != nil {
		return repo, nil, err
	}
	auth := authn.Anonymous
	if username != "" {
		auth = authn.FromConfig(authn.AuthConfig{Username: username, Password: password})
	}
	if base == nil {
		base = remote.DefaultTransport
	}
	rt := &guard{base: base, allowed: allowedHosts(repo.RegistryStr()), plainOK: plain}
	return repo, []remote.Option{remote.WithAuth(auth), remote.WithTransport(rt)}, nil
}

// guard refuses to send credentials anywhere but the registry's own hosts, and over plain http
// unless the registry is a loopback or test one.
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
	m := map[string]bool{r: true, hostOnly(r): true}
	if r == name.DefaultRegistry || r == "docker.io" {
		for _, h := range []string{"index.docker.io", "registry-1.docker.io", "auth.docker.io", "docker.io"} {
			m[h] = true
		}
	}
	return m
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// IsLoopback tells whether a host name or address stays on this machine.
func IsLoopback(host string) bool {
	h := strings.ToLower(strings.Trim(host, "[]"))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
