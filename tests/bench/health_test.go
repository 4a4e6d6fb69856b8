package bench

import (
	"testing"
	"time"
)

const s = time.Second

// a service that answers from 3 s on, probed every 0.5 s, each probe taking 0.1 s
func upAt3s() []Probe {
	var ps []Probe
	for t := time.Duration(0); t < 40*s; t += s / 2 {
		ps = append(ps, Probe{At: t, Took: s / 10, OK: t >= 3*s})
	}
	return ps
}

func TestFirstHealthy(t *testing.T) {
	upstream, err := ParseHealthcheck("30s", "30s", "")
	if err != nil {
		t.Fatal(err)
	}
	ours, _ := ParseHealthcheck("30s", "30s", "2s")
	cases := []struct {
		name string
		s    Settings
		e    Engine
		want time.Duration
	}{
		{"upstream, no start interval support", upstream, Engines[0], 30*s + s/10},
		{"upstream, start interval defaults to interval", upstream, Engines[1], 30*s + s/10},
		{"upstream, start interval defaults to 5s", upstream, Engines[2], 5*s + s/10},
		{"ours, ignored by old engines", ours, Engines[0], 30*s + s/10},
		// probes at 2 s (fails, ends 2.1 s), 4.1 s (passes, ends 4.2 s)
		{"ours", ours, Engines[1], 4*s + 2*s/10},
		{"ours, newest", ours, Engines[2], 4*s + 2*s/10},
	}
	for _, c := range cases {
		got, ok := FirstHealthy(upAt3s(), c.s, c.e, 2*time.Minute)
		if !ok || got != c.want {
			t.Errorf("%s: %v %v; want %v", c.name, got, ok, c.want)
		}
	}
}

func TestFirstHealthyNever(t *testing.T) {
	ours, _ := ParseHealthcheck("30s", "30s", "2s")
	never := []Probe{{At: 0, Took: s / 10}, {At: s, Took: s / 10}}
	if _, ok := FirstHealthy(never, ours, Engines[2], time.Minute); ok {
		t.Error("a service that never passes was reported healthy")
	}
	if _, ok := FirstHealthy(nil, ours, Engines[2], time.Minute); ok {
		t.Error("no probes, yet healthy")
	}
}

func TestAfterStartPeriodTheIntervalRules(t *testing.T) {
	ours, _ := ParseHealthcheck("30s", "10s", "2s")
	var late []Probe
	for at := time.Duration(0); at < 60*s; at += s {
		late = append(late, Probe{At: at, OK: at >= 15*s})
	}
	// probes at 2,4,6,8,10 (start period over), then 10+30
	if got, ok := FirstHealthy(late, ours, Engines[2], 2*time.Minute); !ok || got != 40*s {
		t.Errorf("got %v %v; want 40s", got, ok)
	}
}

func TestParseAndReady(t *testing.T) {
	if _, err := ParseHealthcheck("", "30s", ""); err == nil {
		t.Error("no interval accepted")
	}
	if _, err := ParseHealthcheck("30", "30s", ""); err == nil {
		t.Error("a duration without unit accepted")
	}
	if r, ok := Ready(upAt3s()); !ok || r != 3*s {
		t.Errorf("Ready = %v %v", r, ok)
	}
}
