package main

import (
	"context"
	"fmt"

	"dagger/fit-images/images/checklist"
	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/promote"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/rollout"
)

// promoteArgs are promote's own arguments as typed.
type promoteArgs struct {
	version, images, latest, format string
}

// promoteQuery is promote's arguments and the module's registries, validated before any request.
type promoteQuery struct {
	v                 release.Version
	images            []promote.Image
	registry, staging registryAccess // staging: the prefix of --images
	latest            release.Latest
	format            string
}

func parsePromote(s settings, a promoteArgs) (q promoteQuery, err error) {
	if q.v, err = release.ParseVersion(a.version); err != nil {
		return q, err
	}
	if q.images, err = promote.ParseImages(a.images); err != nil {
		return q, err
	}
	q.staging = s.staging
	for i, img := range q.images {
		p, err := promote.StagingPrefix(img.Ref)
		if err != nil {
			return q, err
		}
		if i > 0 && p != q.staging.prefix {
			return q, fmt.Errorf("--images come from %s and %s: promote copies from one staging prefix", q.staging.prefix, p)
		}
		q.staging.prefix = p
	}
	if s.staging.prefix != "" && s.staging.prefix != q.staging.prefix {
		return q, fmt.Errorf("--images come from %s, not --staging %s: promote copies from the staging prefix", q.staging.prefix, s.staging.prefix)
	}
	if s.registry.prefix == "" {
		return q, fmt.Errorf("no --registry given: promote needs a prefix such as modelengine/ or registry.example.com/fit/")
	}
	q.registry = s.registry
	if q.registry.prefix == q.staging.prefix {
		return q, fmt.Errorf("--registry %s is the staging prefix of --images: promote to another prefix", q.registry.prefix)
	}
	if q.latest, err = release.ParseLatest(a.latest); err != nil {
		return q, err
	}
	if err = q.latest.Allows(q.v); err != nil {
		return q, err
	}
	if q.format, err = checklist.ParseFormat(a.format); err != nil {
		return q, err
	}
	return q, nil
}

func (q promoteQuery) run(ctx context.Context) (string, error) {
	dstAddr, srcAddr := registry.Addr(q.registry.prefix), registry.Addr(q.staging.prefix)
	stagingSvc := q.staging.service
	if stagingSvc == nil && srcAddr == dstAddr {
		stagingSvc = q.registry.service
	}
	rt, err := routes(ctx, hostService{addr: dstAddr, flag: "--registry-service", svc: q.registry.service},
		hostService{addr: srcAddr, flag: "--staging-service", svc: stagingSvc})
	if err != nil {
		return "", err
	}
	pw, err := plaintext(ctx, q.registry.password)
	if err != nil {
		return "", err
	}
	spw, err := plaintext(ctx, q.staging.password)
	if err != nil {
		return "", err
	}
	transport := dial.Via(rt)
	copier, err := registry.Copier(registry.Repo{Registry: q.staging.prefix, Username: q.staging.username, Password: spw, Transport: transport},
		registry.Repo{Registry: q.registry.prefix, Username: q.registry.username, Password: pw, Transport: transport})
	if err != nil {
		return "", err
	}
	// the floating tags follow the target's releases (rollout.Plans), and a failure puts moved ones back
	dst := registry.Repo{Registry: q.registry.prefix, Username: q.registry.username, Password: pw, Transport: transport}
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
	out := rollout.Run(ctx, q.registry.prefix, plans, promote.Pusher(q.images, copier), dst)
	r := promote.Report(fmt.Sprintf("Promotion: FIT %s to %s%s", q.v, q.registry.prefix, release.ImageName), q.registry.prefix, out)
	r.Version = q.v.String()
	text := r.Format(q.format)
	if !r.OK() {
		return "", fmt.Errorf("promote of FIT %s: %s\n%s", q.v, r.Verdict(), text)
	}
	return text, nil
}
