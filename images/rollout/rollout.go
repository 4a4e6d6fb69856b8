// Package rollout orders the pushes of a release so that it never goes out half-moved: every
// immutable {V}-{OS} reference first, the floating tags only once all of them are in, and it
// records what became of every reference. It has no Dagger import: the push itself is a function
// the caller hands over (the engine's publish in images/pipeline).
package rollout

import (
	"context"
	"fmt"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

// Pusher pushes the image of one OS under ref and answers the pushed digest ref.
type Pusher func(ctx context.Context, osName, ref string) (digest string, err error)

// Outcome is every reference of a release, in push order, with what became of it.
type Outcome struct {
	Pushes []Pushed
	// Failure is the first failed push (nil when everything went in); nothing was tried after it.
	Failure error
}

// Pushed is one reference of one OS.
type Pushed struct {
	OS string
	report.Push
}

// Run pushes the immutable reference of every plan, then, only if all of them went in, the
// floating tags each plan moves. It stops at the first failure: what was not tried stays where it
// was. Floating tags a plan keeps are listed as kept, with the plan's reason.
func Run(ctx context.Context, r release.Registry, plans []release.Plan, push Pusher) Outcome {
	var o Outcome
	failed := "" // the reference whose push failed
	try := func(osName, ref string, floating bool, why string) {
		p := Pushed{OS: osName, Push: report.Push{Ref: ref, Floating: floating, Detail: why}}
		switch {
		case o.Failure != nil:
			p.State = report.NotPushed
			p.Detail = "not tried: the push of " + failed + " failed before"
			if floating {
				p.Detail = "left where it was: the push of " + failed + " failed before"
			}
		default:
			digest, err := push(ctx, osName, ref)
			if err != nil {
				o.Failure, failed = err, ref
				p.State, p.Detail = report.PushFailed, err.Error()
			} else {
				p.State, p.Digest = report.Pushed, digest
			}
		}
		o.Pushes = append(o.Pushes, p)
	}
	for _, p := range plans {
		try(p.OS, r.Ref(p.Immutable()), false, "the release's own reference")
	}
	for _, p := range plans {
		for _, m := range p.Floating {
			if !m.Move {
				o.Pushes = append(o.Pushes, Pushed{OS: p.OS, Push: report.Push{Ref: r.Ref(m.Tag), Floating: true, State: report.Kept, Detail: m.Reason}})
				continue
			}
			try(p.OS, r.Ref(m.Tag), true, m.Reason)
		}
	}
	return o
}

// Of is the references of one OS.
func (o Outcome) Of(osName string) []report.Push {
	var out []report.Push
	for _, p := range o.Pushes {
		if p.OS == osName {
			out = append(out, p.Push)
		}
	}
	return out
}

// Err is nil when every push went in; otherwise it names the failure, what moved and what did not.
func (o Outcome) Err() error {
	if o.Failure == nil {
		return nil
	}
	all := make([]report.Push, len(o.Pushes))
	for i, p := range o.Pushes {
		all[i] = p.Push
	}
	return fmt.Errorf("%w\n%s", o.Failure, report.Moves(all))
}

// Digest is the digest ref the immutable reference of an OS was pushed as ("" if not pushed).
func (o Outcome) Digest(osName string) string {
	for _, p := range o.Pushes {
		if p.OS == osName && !p.Floating && p.State == report.Pushed {
			return p.Digest
		}
	}
	return ""
}
