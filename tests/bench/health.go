// When Docker first reports a container healthy, from probe results recorded from container
// start and the image's HEALTHCHECK settings: Docker probes on its own schedule, so a service that
// is ready early is reported healthy only at the next scheduled probe.

package bench

import (
	"fmt"
	"sort"
	"time"
)

// Probe is one run of the healthcheck command, At after container start, lasting Took.
type Probe struct {
	At, Took time.Duration
	OK       bool
}

// Settings are HEALTHCHECK timings; StartInterval 0 means not set.
type Settings struct {
	Interval, StartPeriod, StartInterval time.Duration
}

// ParseHealthcheck reads Docker duration strings ("30s"); an empty start interval means not set.
func ParseHealthcheck(interval, startPeriod, startInterval string) (Settings, error) {
	var s Settings
	for _, f := range []struct {
		v   string
		dst *time.Duration
	}{{interval, &s.Interval}, {startPeriod, &s.StartPeriod}, {startInterval, &s.StartInterval}} {
		if f.v == "" {
			continue
		}
		d, err := time.ParseDuration(f.v)
		if err != nil {
			return Settings{}, fmt.Errorf("healthcheck duration %q: %v", f.v, err)
		}
		*f.dst = d
	}
	if s.Interval <= 0 {
		return Settings{}, fmt.Errorf("healthcheck interval %q must be positive", interval)
	}
	return s, nil
}

// Engine is how a Docker version schedules probes.
type Engine struct {
	Name string
	// StartInterval reports whether the engine honours a start interval (Docker ≥ 25).
	StartInterval bool
	// DefaultStartInterval is used in the start period when the image sets none; 0 means the
	// interval (Docker 25 and 26 did so until moby#47799 made it 5 s).
	DefaultStartInterval time.Duration
}

// Engines are the Docker generations whose schedules differ for these settings.
var Engines = []Engine{
	{Name: "Docker < 25"},
	{Name: "Docker 25-26", StartInterval: true},
	{Name: "Docker >= 27", StartInterval: true, DefaultStartInterval: 5 * time.Second},
}

// FirstHealthy replays Docker's schedule against the recorded probes: the first probe runs one
// wait after start, each next one a wait after the previous ended, the wait being the start
// interval while in the start period and not yet healthy, else the interval. A scheduled probe
// has the outcome and duration of the last recorded probe that started at or before its time.
// It returns when that first passing probe ends, and false if none passes within limit.
func FirstHealthy(recorded []Probe, s Settings, e Engine, limit time.Duration) (time.Duration, bool) {
	if len(recorded) == 0 || s.Interval <= 0 {
		return 0, false
	}
	probes := append([]Probe(nil), recorded...)
	sort.Slice(probes, func(i, j int) bool { return probes[i].At < probes[j].At })
	wait := func(t time.Duration) time.Duration {
		if !e.StartInterval || t >= s.StartPeriod {
			return s.Interval
		}
		si := s.StartInterval
		if si == 0 {
			si = e.DefaultStartInterval
		}
		if si == 0 {
			si = s.Interval
		}
		return si
	}
	for t := wait(0); t <= limit; {
		p := probes[0]
		for _, r := range probes {
			if r.At > t {
				break
			}
			p = r
		}
		end := t + p.Took
		if p.OK && t >= probes[0].At {
			return end, true
		}
		t = end + wait(end)
	}
	return 0, false
}

// Ready is when the first recorded probe passed.
func Ready(recorded []Probe) (time.Duration, bool) {
	best, ok := time.Duration(0), false
	for _, p := range recorded {
		if p.OK && (!ok || p.At < best) {
			best, ok = p.At, true
		}
	}
	return best, ok
}
