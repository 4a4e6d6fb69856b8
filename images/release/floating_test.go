package release

import (
	"strings"
	"testing"
)

// moves renders a plan's floating decisions as "tag=move|keep" for comparison.
func moves(p Plan) string {
	var out []string
	for _, m := range p.Floating {
		d := "keep"
		if m.Move {
			d = "move"
		}
		out = append(out, m.Tag+"="+d)
	}
	return strings.Join(out, " ")
}

func TestDecide(t *testing.T) {
	// a repository holding debian 3.5.8, 3.6.0 and 3.6.1, a pre-release, alpine 3.7.0 and the floating tags
	repo := []string{"3.5.8-debian", "3.5-debian", "3.6.0-debian", "3.6.1-debian", "3.6-debian", "debian", "latest-debian",
		"3.7.0-rc.1-debian", "3.8.0-alpine", "alpine", "v9.9.9-debian", "3.6.1-debian-rc", "9.0.0-slim-debian"}
	cases := []struct {
		name, version string
		latest        Latest
		have          []string
		want          string
		reasons       []string // substrings of the reasons, in floating order
	}{
		{"newest release moves all", "3.6.2", LatestAuto, repo, "3.6-debian=move debian=move latest-debian=move",
			[]string{"3.6-debian → 3.6.2: newer than 3.6.1, the highest patch of 3.6 before", "debian → 3.6.2: newer than 3.6.1"}},
		{"backport moves its line only", "3.5.9", LatestAuto, repo, "3.5-debian=move debian=keep latest-debian=keep",
			[]string{"newer than 3.5.8", "debian stays on 3.6.1: 3.5.9 is older", "latest-debian stays on 3.6.1: 3.5.9 is older"}},
		{"older rebuild moves nothing", "3.6.0", LatestAuto, repo, "3.6-debian=keep debian=keep latest-debian=keep",
			[]string{"3.6-debian stays on 3.6.1: 3.6.0 is older"}},
		{"rebuild of the highest moves again", "3.6.1", LatestAuto, repo, "3.6-debian=move debian=move latest-debian=move",
			[]string{"a rebuild of the highest patch of 3.6", "a rebuild of the highest final release"}},
		{"first release of a new line", "3.7.0", LatestAuto, repo, "3.7-debian=move debian=move latest-debian=move",
			[]string{"3.7-debian → 3.7.0: the first final release it stands for", "newer than 3.6.1"}},
		{"old line first seen", "3.4.0", LatestAuto, repo, "3.4-debian=move debian=keep latest-debian=keep",
			[]string{"the first final release", "stays on 3.6.1"}},
		{"empty repository", "3.5.9", LatestAuto, nil, "3.5-debian=move debian=move latest-debian=move", nil},
		{"other OS does not count", "3.6.0", LatestAuto, []string{"3.8.0-alpine"}, "3.6-debian=move debian=move latest-debian=move", nil},
		{"pre-release moves nothing", "3.7.0-rc.2", LatestAuto, repo, "3.7-debian=keep debian=keep latest-debian=keep",
			[]string{"3.7.0-rc.2 is a pre-release"}},
		{"pre-release even with always", "3.7.0-rc.2", LatestAlways, repo, "3.7-debian=keep debian=keep latest-debian=keep", nil},
		{"always moves a backport", "3.5.9", LatestAlways, repo, "3.5-debian=move debian=move latest-debian=move", []string{"--latest always"}},
		{"never", "9.0.0", LatestNever, repo, "9.0-debian=keep debian=keep latest-debian=keep", []string{"--latest never"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Decide(mustVersion(t, c.version), "debian", c.latest, c.have)
			if got := moves(p); got != c.want {
				t.Errorf("Decide(%s) = %s; want %s", c.version, got, c.want)
			}
			for i, r := range c.reasons {
				if !strings.Contains(p.Floating[i].Reason, r) {
					t.Errorf("reason of %s = %q; want it to contain %q", p.Floating[i].Tag, p.Floating[i].Reason, r)
				}
			}
			if p.Tags()[0] != c.version+"-debian" {
				t.Errorf("first tag %s; want the immutable %s-debian", p.Tags()[0], c.version)
			}
			if p.Listed != (c.latest == LatestAuto && !mustVersion(t, c.version).IsPrerelease()) {
				t.Errorf("Listed = %v", p.Listed)
			}
		})
	}
}

// The order of the issue: 3.6.1, then 3.5.9, then 3.7.0-rc.1, each decided on what the previous pushes left.
func TestDecideSequence(t *testing.T) {
	var have []string
	where := map[string]string{} // floating tag → version it points at
	for _, v := range []string{"3.6.1", "3.5.9", "3.7.0-rc.1"} {
		p := Decide(mustVersion(t, v), "debian", LatestAuto, have)
		for _, tag := range p.Tags() {
			have = append(have, tag)
			where[tag] = v
		}
	}
	want := map[string]string{"debian": "3.6.1", "latest-debian": "3.6.1", "3.6-debian": "3.6.1", "3.5-debian": "3.5.9", "3.7.0-rc.1-debian": "3.7.0-rc.1"}
	for tag, v := range want {
		if where[tag] != v {
			t.Errorf("%s on %q; want %s", tag, where[tag], v)
		}
	}
	if _, ok := where["3.7-debian"]; ok {
		t.Errorf("the pre-release created 3.7-debian")
	}
}

func TestFallback(t *testing.T) {
	cases := []struct {
		version string
		latest  Latest
		want    string
	}{
		{DefaultVersion, LatestAuto, "3.6-alpine=move alpine=move latest-alpine=move"},
		{"3.6.1", LatestAuto, "3.6-alpine=move alpine=move latest-alpine=keep"},
		{"3.5.9", LatestAuto, "3.5-alpine=move alpine=move latest-alpine=keep"},
		{"3.6.1-rc.1", LatestAuto, "3.6-alpine=keep alpine=keep latest-alpine=keep"},
		{"3.6.1", LatestAlways, "3.6-alpine=move alpine=move latest-alpine=move"},
		{"3.6.0", LatestNever, "3.6-alpine=keep alpine=keep latest-alpine=keep"},
	}
	for _, c := range cases {
		v := mustVersion(t, c.version)
		p := Fallback(v, "alpine", c.latest)
		if got := moves(p); got != c.want {
			t.Errorf("Fallback(%s, %s) = %s; want %s", c.version, c.latest, got, c.want)
		}
		if p.Listed {
			t.Errorf("Fallback(%s) says the registry was listed", c.version)
		}
		// the fallback of auto is today's rule, Tags
		if c.latest == LatestAuto && strings.Join(p.Tags(), " ") != strings.Join(Tags(v, "alpine"), " ") {
			t.Errorf("Fallback(%s).Tags() = %v; Tags gives %v", c.version, p.Tags(), Tags(v, "alpine"))
		}
	}
	if p := Fallback(mustVersion(t, "3.6.1"), "alpine", LatestAuto); !strings.Contains(p.Note, "not listed") {
		t.Errorf("the fallback does not say so: %q", p.Note)
	}
}

func TestParseLatest(t *testing.T) {
	for in, want := range map[string]Latest{"": LatestAuto, "auto": LatestAuto, " Always ": LatestAlways, "never": LatestNever} {
		if got, err := ParseLatest(in); err != nil || got != want {
			t.Errorf("ParseLatest(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseLatest("true"); err == nil || !strings.Contains(err.Error(), "use auto") {
		t.Errorf("ParseLatest(true) = %v", err)
	}
	if err := LatestAlways.Allows(mustVersion(t, "3.7.0-rc.1")); err == nil || !strings.Contains(err.Error(), "pre-release") {
		t.Errorf("always with a pre-release: %v", err)
	}
	if err := LatestAuto.Allows(mustVersion(t, "3.7.0-rc.1")); err != nil {
		t.Error(err)
	}
}

func TestPlanRefs(t *testing.T) {
	r, _ := ParseRegistry("localhost:5000/x")
	p := Decide(mustVersion(t, "3.5.9"), "debian", LatestAuto, []string{"3.6.1-debian"})
	want := "localhost:5000/x/fit-framework:3.5.9-debian localhost:5000/x/fit-framework:3.5-debian"
	if got := strings.Join(p.Refs(r), " "); got != want {
		t.Errorf("Refs = %s; want %s", got, want)
	}
}
