// Package rollout orders the pushes of a release so that it never goes out half-moved: every
// immutable {V}-{OS} reference first, the floating tags only once all of them are in, and it
// records what became of every reference. It has no Dagger import: the push itself is a function
// the caller hands over (the engine's publish in images/pipeline).
package rollout

import (
	"context"
	"fmt"
	"strings"

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

// Tagger reads and moves the tags of the repository by digest (registry.Repo): Run records where
// each floating tag points before moving it, and puts the moved ones back when a later push fails.
type Tagger interface {
	Digest(ctx context.Context, tag string) (string, error) // "" when the tag does not exist
	Point(ctx context.Context, tag, digest string) error
}

// Run pushes the immutable reference of every plan, then, only if all of them went in, the
// floating tags each plan moves. It stops at the first failure: what was not tried stays where it
// was, and with a tagger the floating tags already moved are put back on their earlier images.
// Floating tags a plan keeps are listed as kept, with the plan's reason. tagger may be nil: then
// a failure among the floating pushes leaves the ones before it moved (and says so).
func Run(ctx context.Context, r release.Registry, plans []release.Plan, push Pusher, tagger Tagger) Outcome {
	var o Outcome
	cause := "" // what failed, as a phrase: "the push of REF failed"
	try := func(osName, ref string, floating bool, why string) {
		p := Pushed{OS: osName, Push: report.Push{Ref: ref, Floating: floating, Detail: why}}
		switch {
		case o.Failure != nil:
			p.State = report.NotPushed
			p.Detail = "not tried: " + cause
			if floating {
				p.Detail = "left where it was: " + cause
			}
		default:
			digest, err := push(ctx, osName, ref)
			if err != nil {
				o.Failure, cause = err, "the push of "+ref+" failed"
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
	// where the floating tags are before any moves, to put them back
	before := map[string]string{}
	if tagger != nil && o.Failure == nil {
		for _, p := range plans {
			for _, m := range p.Floating {
				if !m.Move || o.Failure != nil {
					continue
				}
				d, err := tagger.Digest(ctx, m.Tag)
				if err != nil {
					o.Failure, cause = fmt.Errorf("cannot record where the floating tags are before moving them: %w", err), "reading where "+r.Ref(m.Tag)+" points failed"
				}
				before[m.Tag] = d
			}
		}
	}
	start := len(o.Pushes)
	for _, p := range plans {
		for _, m := range p.Floating {
			if !m.Move {
				o.Pushes = append(o.Pushes, Pushed{OS: p.OS, Push: report.Push{Ref: r.Ref(m.Tag), Floating: true, State: report.Kept, Detail: m.Reason}})
				continue
			}
			try(p.OS, r.Ref(m.Tag), true, m.Reason)
		}
	}
	if o.Failure != nil && tagger != nil {
		putBack(ctx, r, o.Pushes[start:], before, cause, tagger)
	}
	return o
}

// putBack points the floating tags moved before a failure at their earlier images, newest move first.
func putBack(ctx context.Context, r release.Registry, floating []Pushed, before map[string]string, cause string, tagger Tagger) {
	for i := len(floating) - 1; i >= 0; i-- {
		p := &floating[i]
		if p.State != report.Pushed {
			continue
		}
		tag := strings.TrimPrefix(p.Ref, r.Ref(""))
		prev := before[tag]
		if prev == "" {
			p.Detail = "moved, and left on the new image (it did not exist before): " + cause
			continue
		}
		if err := tagger.Point(ctx, tag, prev); err != nil {
			p.Detail = "moved, and could not be put back on " + prev + ": " + err.Error()
			continue
		}
		p.State, p.Digest = report.PutBack, ""
		p.Detail = "moved, then put back on its earlier image " + prev + ": " + cause
	}
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
