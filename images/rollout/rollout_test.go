package rollout

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/report"
)

func plans(t *testing.T, version string, have []string, oses ...string) []release.Plan {
	t.Helper()
	v, err := release.ParseVersion(version)
	if err != nil {
		t.Fatal(err)
	}
	var out []release.Plan
	for _, o := range oses {
		out = append(out, release.Decide(v, o, release.LatestAuto, have))
	}
	return out
}

// recorder pushes nothing: it records the order of the refs and fails the one named.
type recorder struct {
	order []string
	fail  string
}

func (r *recorder) push(_ context.Context, _, ref string) (string, error) {
	r.order = append(r.order, ref)
	if ref == r.fail {
		return "", errors.New("push of " + ref + " failed: 403")
	}
	return ref + "@sha256:x", nil
}

func states(o Outcome) string {
	var s []string
	for _, p := range o.Pushes {
		s = append(s, strings.TrimPrefix(p.Ref, "r/fit-framework:")+"="+string(p.State))
	}
	return strings.Join(s, " ")
}

func TestRunOrder(t *testing.T) {
	r := release.Registry("r/")
	cases := []struct {
		name, fail string
		have       []string
		wantOrder  string
		wantStates string
	}{
		{"all go in: immutables first", "", nil,
			"3.6.1-alpine 3.6.1-debian 3.6-alpine alpine latest-alpine 3.6-debian debian latest-debian",
			"3.6.1-alpine=pushed 3.6.1-debian=pushed 3.6-alpine=pushed alpine=pushed latest-alpine=pushed 3.6-debian=pushed debian=pushed latest-debian=pushed"},
		{"second immutable fails: no floating tag moves", "r/fit-framework:3.6.1-debian", nil,
			"3.6.1-alpine 3.6.1-debian",
			"3.6.1-alpine=pushed 3.6.1-debian=failed 3.6-alpine=not pushed alpine=not pushed latest-alpine=not pushed 3.6-debian=not pushed debian=not pushed latest-debian=not pushed"},
		{"a floating tag fails: the rest is not tried", "r/fit-framework:alpine", nil,
			"3.6.1-alpine 3.6.1-debian 3.6-alpine alpine",
			"3.6.1-alpine=pushed 3.6.1-debian=pushed 3.6-alpine=pushed alpine=failed latest-alpine=not pushed 3.6-debian=not pushed debian=not pushed latest-debian=not pushed"},
		{"kept tags are not pushed", "", []string{"3.7.0-alpine", "3.7.0-debian"},
			"3.6.1-alpine 3.6.1-debian 3.6-alpine 3.6-debian",
			"3.6.1-alpine=pushed 3.6.1-debian=pushed 3.6-alpine=pushed alpine=kept latest-alpine=kept 3.6-debian=pushed debian=kept latest-debian=kept"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{fail: c.fail}
			o := Run(context.Background(), r, plans(t, "3.6.1", c.have, "alpine", "debian"), rec.push, nil)
			if got := strings.ReplaceAll(strings.Join(rec.order, " "), "r/fit-framework:", ""); got != c.wantOrder {
				t.Errorf("push order %s; want %s", got, c.wantOrder)
			}
			if got := states(o); got != c.wantStates {
				t.Errorf("states\n %s\nwant\n %s", got, c.wantStates)
			}
			if (c.fail == "") != (o.Err() == nil) {
				t.Errorf("Err() = %v", o.Err())
			}
		})
	}
}

func TestOutcomeSaysWhatMoved(t *testing.T) {
	rec := &recorder{fail: "r/fit-framework:3.6.1-debian"}
	o := Run(context.Background(), "r/", plans(t, "3.6.1", nil, "alpine", "debian"), rec.push, nil)
	err := o.Err()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"push of r/fit-framework:3.6.1-debian failed: 403", "moved: r/fit-framework:3.6.1-alpine;",
		"not moved (left where they were): r/fit-framework:3.6.1-debian, r/fit-framework:3.6-alpine, r/fit-framework:alpine"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Err() lacks %q:\n%s", want, err)
		}
	}
	if got := o.Digest("alpine"); got != "r/fit-framework:3.6.1-alpine@sha256:x" {
		t.Errorf("Digest(alpine) = %q", got)
	}
	if got := o.Digest("debian"); got != "" {
		t.Errorf("Digest(debian) = %q; want none", got)
	}
	deb := o.Of("debian")
	if len(deb) != 4 || deb[0].State != report.PushFailed || deb[2].Detail != "left where it was: the push of r/fit-framework:3.6.1-debian failed" {
		t.Errorf("Of(debian) = %+v", deb)
	}
}

func TestPreReleaseMovesNothing(t *testing.T) {
	rec := &recorder{}
	o := Run(context.Background(), "r/", plans(t, "3.7.0-rc.1", []string{"3.6.1-debian"}, "debian"), rec.push, nil)
	if len(rec.order) != 1 || rec.order[0] != "r/fit-framework:3.7.0-rc.1-debian" {
		t.Errorf("pushed %v; want the immutable only", rec.order)
	}
	if o.Err() != nil || len(o.Of("debian")) != 4 || o.Of("debian")[1].State != report.Kept {
		t.Errorf("%+v, err %v", o.Of("debian"), o.Err())
	}
}

func TestPlans(t *testing.T) {
	v, _ := release.ParseVersion("3.5.9")
	calls := 0
	list := func(context.Context) ([]string, error) { calls++; return []string{"3.6.1-debian", "3.6.1-alpine"}, nil }
	ps, err := Plans(context.Background(), v, []string{"alpine", "debian"}, release.LatestAuto, list)
	if err != nil || calls != 1 || len(ps) != 2 || !ps[1].Listed || strings.Join(ps[1].Tags(), " ") != "3.5.9-debian 3.5-debian" {
		t.Fatalf("Plans = %+v, %v (list called %d times)", ps, err, calls)
	}
	text := PlanText("r/", ps[1])
	for _, want := range []string{`r/fit-framework:3.5.9-debian +push`, `r/fit-framework:3.5-debian +move +3.5-debian → 3.5.9`,
		`r/fit-framework:debian +keep +debian stays on 3.6.1: 3.5.9 is older`, `rule: --latest auto: decided by the registry's final debian releases \(1, the highest 3.6.1\)`} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("PlanText lacks %q:\n%s", want, text)
		}
	}
	// never, always and pre-releases do not ask the registry
	for _, c := range []struct{ v, l string }{{"3.5.9", "never"}, {"3.5.9", "always"}, {"3.7.0-rc.1", "auto"}} {
		calls = 0
		w, _ := release.ParseVersion(c.v)
		l, _ := release.ParseLatest(c.l)
		if _, err := Plans(context.Background(), w, []string{"debian"}, l, list); err != nil || calls != 0 {
			t.Errorf("%s %s: %v, list called %d times", c.v, c.l, err, calls)
		}
	}
	if _, err := Plans(context.Background(), v, []string{"debian"}, release.LatestAuto, func(context.Context) ([]string, error) {
		return nil, errors.New("cannot list the tags of r/fit-framework: 401")
	}); err == nil || !strings.Contains(err.Error(), "cannot decide the floating tags: cannot list") {
		t.Errorf("a listing failure: %v", err)
	}
	rc, _ := release.ParseVersion("3.7.0-rc.1")
	if _, err := Plans(context.Background(), rc, []string{"debian"}, release.LatestAlways, nil); err == nil {
		t.Error("always with a pre-release accepted")
	}
	// no listing: the fixed rule, said
	ps, _ = Plans(context.Background(), v, []string{"debian"}, release.LatestAuto, nil)
	if ps[0].Listed || !strings.Contains(ps[0].Note, "not listed") {
		t.Errorf("fallback plan %+v", ps[0])
	}
}

// registryTags is a repository's tags in memory: tag → digest.
type registryTags map[string]string

func (m registryTags) Digest(_ context.Context, tag string) (string, error) { return m[tag], nil }
func (m registryTags) Point(_ context.Context, tag, digest string) error {
	m[tag] = digest
	return nil
}

// With a tagger, a failure among the floating pushes puts the moved ones back on their earlier images.
func TestRunPutsFloatingTagsBack(t *testing.T) {
	repo := registryTags{"3.6-alpine": "sha256:old-a", "alpine": "sha256:old-a", "latest-alpine": "sha256:old-a", "debian": "sha256:old-d"}
	rec := &recorder{fail: "r/fit-framework:debian"}
	push := func(ctx context.Context, osName, ref string) (string, error) {
		d, err := rec.push(ctx, osName, ref)
		if err == nil {
			repo[strings.TrimPrefix(ref, "r/fit-framework:")] = "sha256:new-" + osName
		}
		return d, err
	}
	o := Run(context.Background(), "r/", plans(t, "3.6.1", nil, "alpine", "debian"), push, repo)
	want := "3.6.1-alpine=pushed 3.6.1-debian=pushed 3.6-alpine=put back alpine=put back latest-alpine=put back 3.6-debian=pushed debian=failed latest-debian=not pushed"
	if got := states(o); got != want {
		t.Errorf("states\n %s\nwant\n %s", got, want)
	}
	for tag, d := range map[string]string{"3.6-alpine": "sha256:old-a", "alpine": "sha256:old-a", "latest-alpine": "sha256:old-a", "debian": "sha256:old-d",
		"3.6-debian": "sha256:new-debian", "3.6.1-alpine": "sha256:new-alpine"} {
		if repo[tag] != d {
			t.Errorf("%s on %s; want %s", tag, repo[tag], d)
		}
	}
	deb := o.Of("debian")
	if deb[1].Detail != "moved, and left on the new image (it did not exist before): the push of r/fit-framework:debian failed" {
		t.Errorf("3.6-debian: %q", deb[1].Detail)
	}
	if a := o.Of("alpine"); a[1].Detail != "moved, then put back on its earlier image sha256:old-a: the push of r/fit-framework:debian failed" {
		t.Errorf("3.6-alpine: %q", a[1].Detail)
	}
	if !strings.Contains(o.Err().Error(), "moved: r/fit-framework:3.6.1-alpine, r/fit-framework:3.6.1-debian, r/fit-framework:3.6-debian; not moved") {
		t.Errorf("Err() = %v", o.Err())
	}
}

// A registry that cannot say where the floating tags are: none is moved.
func TestRunMovesNoFloatingTagItCannotPutBack(t *testing.T) {
	rec := &recorder{}
	o := Run(context.Background(), "r/", plans(t, "3.6.1", nil, "debian"), rec.push, failingTagger{})
	if len(rec.order) != 1 || o.Err() == nil || !strings.Contains(o.Err().Error(), "cannot record where the floating tags are") {
		t.Errorf("pushed %v, err %v", rec.order, o.Err())
	}
}

type failingTagger struct{}

func (failingTagger) Digest(context.Context, string) (string, error) {
	return "", errors.New("HEAD: 500")
}
func (failingTagger) Point(context.Context, string, string) error { return errors.New("PUT: 500") }
