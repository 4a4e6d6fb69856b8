package main

import (
	"context"
	"fmt"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/rollout"
	"dagger/fit-images/images/upstream"
	"dagger/fit-images/internal/dagger"
)

// pushArgs are the arguments of the functions that push and decide floating tags.
type pushArgs struct {
	latest            string
	username          string
	password          *dagger.Secret
	registryService   *dagger.Service
	revision, created string
}

// floating validates --latest (and --revision, --created) and answers how the registry is listed
// for the rule: nil without a registry (the fixed rule) or when the rule needs no listing. A
// loopback registry is listed through --registry-service, as missing-releases does.
func (a pushArgs) floating(ctx context.Context, v release.Version, r release.Registry) (release.Latest, rollout.Lister, error) {
	l, err := release.ParseLatest(a.latest)
	if err != nil {
		return "", nil, err
	}
	if err := l.Allows(v); err != nil {
		return "", nil, err
	}
	if r == "" || !rollout.NeedsListing(v, l) {
		return l, nil, nil
	}
	via, err := routes(ctx, hostService{upstream.RegistryAddr(r), "--registry-service", a.registryService})
	if err != nil {
		return "", nil, fmt.Errorf("%w (it is listed to decide the floating tags; --latest never or always needs no listing)", err)
	}
	user, pass, err := login(ctx, a.username, a.password)
	if err != nil {
		return "", nil, err
	}
	return l, upstream.Tags{Registry: r, Username: user, Password: pass, Transport: upstream.DialVia(via)}.List, nil
}

// pushed renders build-all's and publish's results: the summary table, then every reference
// with what became of it and the rule that decided the floating tags.
func pushed(results []report.Result) string {
	out := report.Summary(results)
	if refs := report.PushesText(results); refs != "" {
		out += "\n" + refs
		seen := map[string]bool{}
		for _, r := range results {
			if r.Rule != "" && !seen[r.Rule] {
				seen[r.Rule] = true
				out += "rule: " + r.Rule + "\n"
			}
		}
	}
	return out
}

// pushTarget is the registry whose tags decide, when something is pushed there.
func pushTarget(r release.Registry, push bool) release.Registry {
	if !push {
		return ""
	}
	return r
}
