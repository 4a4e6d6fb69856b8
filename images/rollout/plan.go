package rollout

import (
	"context"
	"fmt"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// Lister answers every tag of the repository (registry.Repo.List).
type Lister func(ctx context.Context) ([]string, error)

// Plans decides the tags of every OS: by the repository's tags when list is given (listed once,
// for all OSes, and only when the rule needs them), else by the fixed rule (release.Fallback).
func Plans(ctx context.Context, v release.Version, oses []string, latest release.Latest, list Lister) ([]release.Plan, error) {
	if err := latest.Allows(v); err != nil {
		return nil, err
	}
	var have []string
	if list != nil && latest == release.LatestAuto && !v.IsPrerelease() {
		var err error
		if have, err = list(ctx); err != nil {
			return nil, fmt.Errorf("cannot decide the floating tags: %w", err)
		}
	}
	plans := make([]release.Plan, len(oses))
	for i, o := range oses {
		if list != nil {
			plans[i] = release.Decide(v, o, latest, have)
		} else {
			plans[i] = release.Fallback(v, o, latest)
		}
	}
	return plans, nil
}

// NeedsRegistry tells whether a push of v reads the registry's tags: to decide the floating tags
// (auto) and to put moved ones back after a failure (auto, always). Never and pre-releases move
// no floating tag.
func NeedsRegistry(v release.Version, latest release.Latest) bool {
	return latest != release.LatestNever && !v.IsPrerelease()
}

// PlanText shows the references of a plan, what a push would do to each and why, and the rule.
func PlanText(r release.Registry, p release.Plan) string {
	rows := [][]string{{r.Ref(p.Immutable()), "push", "the release's own reference, never moved afterwards"}}
	for _, m := range p.Floating {
		action := "keep"
		if m.Move {
			action = "move"
		}
		rows = append(rows, []string{r.Ref(m.Tag), action, m.Reason})
	}
	return report.Table([]string{"REFERENCE", "ACTION", "WHY"}, rows) + "rule: " + p.Note + "\n"
}
