package main

import (
	"context"
	"fmt"
	"strings"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/promote"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/rollout"
	"dagger/fit-images/internal/dagger"
)

// promoteQuery is the arguments of promote, validated before any request.
type promoteQuery struct {
	v                     release.Version
	images                []promote.Image
	registry, staging     release.Registry
	username, stagingUser string
	password, stagingPass *dagger.Secret
	latest                release.Latest
	format                string
}

func parsePromote(version, images, registry, username string, password *dagger.Secret, stagingUser string, stagingPass *dagger.Secret, latest, format string) (q promoteQuery, err error) {
	if q.v, err = release.ParseVersion(version); err != nil {
		return q, err
	}
	if q.images, err = promote.ParseImages(images); err != nil {
		return q, err
	}
	for i, img := range q.images {
		p, err := promote.StagingPrefix(img.Ref)
		if err != nil {
			return q, err
		}
		if i > 0 && p != q.staging {
			return q, fmt.Errorf("--images come from %s and %s: promote copies from one staging prefix", q.staging, p)
		}
		q.staging = p
	}
	if strings.TrimSpace(registry) == "" {
		return q, fmt.Errorf("no --registry given: promote needs a prefix such as modelengine/ or registry.example.com/fit/")
	}
	if q.registry, err = release.ParseRegistry(registry); err != nil {
		return q, err
	}
	if q.registry == q.staging {
		return q, fmt.Errorf("--registry %s is the staging prefix of --images: promote to another prefix", q.registry)
	}
	if err = release.Login(username, password != nil, ""); err != nil {
		return q, err
	}
	if err = release.Login(stagingUser, stagingPass != nil, "staging-"); err != nil {
		return q, err
	}
	if q.latest, err = release.ParseLatest(latest); err != nil {
		return q, err
	}
	if err = q.latest.Allows(q.v); err != nil {
		return q, err
	}
	if q.format, err = checklist.ParseFormat(format); err != nil {
		return q, err
	}
	q.username, q.password, q.stagingUser, q.stagingPass = username, password, stagingUser, stagingPass
	return q, nil
}

func (q promoteQuery) run(ctx context.Context, registrySvc, stagingSvc *dagger.Service) (string, error) {
	dstAddr, srcAddr := registry.Addr(q.registry), registry.Addr(q.staging)
	if stagingSvc == nil && srcAddr == dstAddr {
		stagingSvc = registrySvc
	}
	rt, err := routes(ctx, hostService{dstAddr, "--registry-service", registrySvc}, hostService{srcAddr, "--staging-service", stagingSvc})
	if err != nil {
		return "", err
	}
	pw, err := plaintext(ctx, q.password)
	if err != nil {
		return "", err
	}
	spw, err := plaintext(ctx, q.stagingPass)
	if err != nil {
		return "", err
	}
	transport := dial.Via(rt)
	copier, err := registry.Copier(registry.Repo{Registry: q.staging, Username: q.stagingUser, Password: spw, Transport: transport},
		registry.Repo{Registry: q.registry, Username: q.username, Password: pw, Transport: transport})
	if err != nil {
		return "", err
	}
	// the floating tags follow the target's releases (rollout.Plans), and a failure puts moved ones back
	dst := registry.Repo{Registry: q.registry, Username: q.username, Password: pw, Transport: transport}
	var list rollout.Lister
	if rollout.NeedsRegistry(q.v, q.latest) {
		list = dst.List
	}
	oses := make([]string, len(q.images))
	for i, img := range q.images {
		oses[i] = img.OS
	}
	plans, err := rollout.Plans(ctx, q.v, oses, q.latest, list)
	if err != nil {
		return "", err
	}
	out := rollout.Run(ctx, q.registry, plans, promote.Pusher(q.images, copier), dst)
	r := promote.Report(fmt.Sprintf("Promotion: FIT %s to %s%s", q.v, q.registry, release.ImageName), q.registry, out)
	r.Version = q.v.String()
	text := r.Format(q.format)
	if !r.OK() {
		return "", fmt.Errorf("promote of FIT %s: %s\n%s", q.v, r.Verdict(), text)
	}
	return text, nil
}
