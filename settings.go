package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	sdkdagger "dagger.io/dagger"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/options"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/upstream"
	"dagger/fit-images/internal/dagger"
)

// FitImages builds the FIT Framework Docker base images. The settings its functions share are given once, before the function name: `dagger call --registry localhost:5000/ --registry-service tcp://localhost:5000 build-all --push`.
type FitImages struct {
	// The fields are the constructor's arguments as typed: state, not API (private), parsed by
	// settings, the one parser of each group. A field may not share a function's name (Registry,
	// Artifact), hence RegistryPrefix and ArtifactFile.
	//
	// +private
	RegistryPrefix string
	// +private
	Username string
	// +private
	Password *dagger.Secret
	// +private
	RegistryService *dagger.Service
	// +private
	Staging string
	// +private
	StagingUsername string
	// +private
	StagingPassword *dagger.Secret
	// +private
	StagingService *dagger.Service
	// +private
	ArtifactFile *dagger.File
	// +private
	URL string
	// +private
	Checksum string
	// +private
	ChecksumsFile *dagger.File
	// +private
	APIURL string
	// +private
	Token *dagger.Secret
	// +private
	APIService *dagger.Service
	// +private
	Java string
	// +private
	AptMirror string
	// +private
	ApkMirror string
	// +private
	SigningKey *dagger.Secret
	// +private
	SigningPassword *dagger.Secret
}

// New takes the settings the functions share: the registry and its login, the staging registry,
// where the release zip comes from and what vouches for it, the GitHub API, the Java flavour,
// the package mirrors and the signing key. A malformed one is refused here, before any function runs.
func New(
	// registry prefix such as registry.example.com/fit/ or localhost:5000/ (a trailing / is added): where images are pushed, promoted to or compared with; its tags decide the floating ones
	// +optional
	registry string,
	// registry user name (public images are read without one)
	// +optional
	username string,
	// registry password or token, e.g. env:REGISTRY_PASSWORD
	// +optional
	password *dagger.Secret,
	// the registry when it runs on your machine, e.g. tcp://localhost:5000 (the host:port of --registry), spoken to over plain http
	// +optional
	registryService *dagger.Service,
	// registry prefix the tested images are staged in by digest (release-check pushes there, promote copies from there), e.g. ghcr.io/OWNER/fit-staging/
	// +optional
	staging string,
	// user name for --staging
	// +optional
	stagingUsername string,
	// password or token for --staging
	// +optional
	stagingPassword *dagger.Secret,
	// the staging registry when it runs on your machine (default: --registry-service when it is the same address)
	// +optional
	stagingService *dagger.Service,
	// the release zip, instead of downloading it (e.g. --artifact ./3.6.0.zip)
	// +optional
	artifact *dagger.File,
	// download URL of the release zip when no --artifact; {version} is replaced (default: the GitHub release of that version)
	// +optional
	url string,
	// expected sha256 of the release zip, downloaded or --artifact: sha256:HEX or HEX (default: the pinned sums, else GitHub's asset digest, when the zip must be verified: artifact, build-all --push, publish, release-check)
	// +optional
	checksum string,
	// pinned sums (lines "VERSION sha256:HEX") instead of the module's images/release/checksums.txt
	// +optional
	checksumsFile *dagger.File,
	// the GitHub "list releases" API of FIT; a release's digests are read from {api-url}/tags/v{version}
	// +default="https://api.github.com/repos/ModelEngine-Group/fit-framework/releases"
	apiUrl string,
	// GitHub token for the API (higher rate limit), e.g. env:GITHUB_TOKEN
	// +optional
	token *dagger.Secret,
	// the API server when it runs on your machine, e.g. tcp://localhost:8080 (the host:port of --api-url)
	// +optional
	apiService *dagger.Service,
	// Java 17 flavour: jre (smaller) or jdk (upstream parity)
	// +default="jre"
	java string,
	// Debian mirror replacing deb.debian.org, e.g. http://mirrors.example.com/debian
	// +optional
	aptMirror string,
	// Alpine mirror replacing dl-cdn.alpinelinux.org/alpine, e.g. https://mirrors.example.com/alpine
	// +optional
	apkMirror string,
	// cosign private key (PEM, as cosign generate-key-pair writes it) that release-check --sign signs with, e.g. env:COSIGN_KEY or file:./cosign.key
	// +optional
	signingKey *dagger.Secret,
	// password of --signing-key, e.g. env:COSIGN_PASSWORD
	// +optional
	signingPassword *dagger.Secret,
) (*FitImages, error) {
	m := &FitImages{
		RegistryPrefix: registry, Username: username, Password: password, RegistryService: registryService,
		Staging: staging, StagingUsername: stagingUsername, StagingPassword: stagingPassword, StagingService: stagingService,
		ArtifactFile: artifact, URL: url, Checksum: checksum, ChecksumsFile: checksumsFile,
		APIURL: apiUrl, Token: token, APIService: apiService,
		Java: java, AptMirror: aptMirror, ApkMirror: apkMirror,
		SigningKey: signingKey, SigningPassword: signingPassword,
	}
	if _, err := m.settings(); err != nil {
		return nil, err
	}
	return m, nil
}

// settings are the module's fields parsed and validated: everything is checked before the engine
// does work (secrets and services are only held; they are read or started by the function that
// needs them).
type settings struct {
	registry, staging registryAccess
	java              catalog.Java
	mirrors           map[catalog.PackageManager]string
	artifact          *dagger.File
	url               string // as typed: release.ArtifactURL needs the version
	checksum          string // release.ParseChecksum's form; "" when not given
	sums              sumSources
	signing           signingKey
}

// signingKey is the cosign key pair's private half and its password, held as secrets: their
// plaintext is read only when an image is signed.
type signingKey struct {
	key, password *dagger.Secret
}

// registryAccess is a registry prefix with its login and the service that reaches it from inside
// the engine when it runs on the caller's machine.
type registryAccess struct {
	prefix   release.Registry
	username string
	password *dagger.Secret
	service  *dagger.Service
}

// sumSources are where the expected sum of a release zip comes from besides --checksum.
type sumSources struct {
	checksumsFile *dagger.File // instead of the pinned sums of release.PinsPath
	api           *url.URL     // the GitHub releases listing
	token         *dagger.Secret
	apiService    *dagger.Service
}

// settings is the one parser of the module's settings; New runs it to refuse early, and every
// function runs it again (it is pure and cheap) to get the parsed values.
func (m *FitImages) settings() (s settings, err error) {
	if s.registry.prefix, err = release.ParseRegistry(m.RegistryPrefix); err != nil {
		return s, err
	}
	if err = release.Login(m.Username, m.Password != nil, ""); err != nil {
		return s, err
	}
	s.registry.username, s.registry.password, s.registry.service = m.Username, m.Password, m.RegistryService
	if s.staging.prefix, err = release.ParseRegistry(m.Staging); err != nil {
		return s, fmt.Errorf("--staging: %w", err)
	}
	if err = release.Login(m.StagingUsername, m.StagingPassword != nil, "staging-"); err != nil {
		return s, err
	}
	s.staging.username, s.staging.password, s.staging.service = m.StagingUsername, m.StagingPassword, m.StagingService
	if s.java, err = catalog.ParseJava(m.Java); err != nil {
		return s, err
	}
	if s.mirrors, err = options.Mirrors(m.AptMirror, m.ApkMirror); err != nil {
		return s, err
	}
	if m.ArtifactFile != nil && strings.TrimSpace(m.URL) != "" {
		return s, fmt.Errorf("pass either --artifact or --url, not both")
	}
	s.artifact, s.url = m.ArtifactFile, m.URL
	if s.checksum, err = release.ParseChecksum(m.Checksum); err != nil {
		return s, err
	}
	if s.sums.api, err = upstream.ParseAPIURL(m.APIURL); err != nil {
		return s, err
	}
	s.sums.checksumsFile, s.sums.token, s.sums.apiService = m.ChecksumsFile, m.Token, m.APIService
	if m.SigningPassword != nil && m.SigningKey == nil {
		return s, fmt.Errorf("--signing-password needs --signing-key: give the cosign private key too, e.g. --signing-key env:COSIGN_KEY")
	}
	s.signing = signingKey{key: m.SigningKey, password: m.SigningPassword}
	return s, nil
}

// artifactOptions are the sources of the release zip for the pipeline: the given zip or the URL,
// and what vouches for it. verify: the zip must be verified (the release path).
func (s settings) artifactOptions(ctx context.Context, c *sdkdagger.Client, verify bool) (pipeline.ArtifactOptions, error) {
	o := pipeline.ArtifactOptions{URL: s.url, Checksum: s.checksum, Release: verify, API: s.sums.api}
	var err error
	if s.artifact != nil {
		if o.Local, err = fileIn(ctx, c, s.artifact); err != nil {
			return o, err
		}
	}
	if s.sums.checksumsFile != nil {
		text, err := s.sums.checksumsFile.Contents(ctx)
		if err != nil {
			return o, fmt.Errorf("cannot read --checksums-file: %w", err)
		}
		pins, err := release.ParsePins(text, "--checksums-file")
		if err != nil {
			return o, err
		}
		o.Pins = &pins
	}
	if o.Routes, err = routes(ctx, hostService{addr: dial.HostPort(o.API), flag: "--api-service", svc: s.sums.apiService}); err != nil {
		return o, err
	}
	o.Token, err = plaintext(ctx, s.sums.token)
	return o, err
}
