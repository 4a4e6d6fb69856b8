package main

import (
	"context"
	"fmt"

	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
	"dagger/fit-images/images/rollout"
)

// pushArgs are what the functions that push and decide floating tags take: their own --latest
// and the module's registry access.
type pushArgs struct {
	latest   string
	registry registryAccess
	// decideOnly: nothing is pushed (tags), so the registry is read only when its tags decide
	decideOnly bool
}

// floating validates --latest and answers the registry's tags for the rule (release.Decide) and
// for putting floating tags back after a failed push (rollout.Run); nil without a registry (the
// fixed rule) or when no floating tag can move. A loopback registry is reached through
// --registry-service, as missing-releases does.
func (a pushArgs) floating(ctx context.Context, v release.Version, r release.Registry) (release.Latest, *registry.Repo, error) {
	l, err := release.ParseLatest(a.latest)
	if err != nil {
		return "", nil, err
	}
	if err := l.Allows(v); err != nil {
		return "", nil, err
	}
	need := rollout.NeedsRegistry(v, l)
	if a.decideOnly {
		need = l == release.LatestAuto && !v.IsPrerelease()
	}
	if r == "" || !need {
		return l, nil, nil
	}
	via, err := routes(ctx, hostService{addr: registry.Addr(r), flag: "--registry-service", svc: a.registry.service})
	if err != nil {
		return "", nil, fmt.Errorf("%w (its tags decide the floating ones; --latest never needs no access)", err)
	}
	user, pass, err := login(ctx, a.registry.username, a.registry.password)
	if err != nil {
		return "", nil, err
	}
	return l, &registry.Repo{Registry: r, Username: user, Password: pass, Transport: dial.Via(via)}, nil
}

// access sets how build-all and publish read the registry (no access: the fixed rule, no put-back).
func access(o *pipeline.BuildAllOptions, l release.Latest, tags *registry.Repo) {
	o.Latest = l
	if tags != nil {
		o.ListTags, o.Tagger = tags.List, tags
	}
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
