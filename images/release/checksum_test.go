package release

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePins(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("B", 64)
	p, err := ParsePins("# header\n\n3.6.0 sha256:"+a+"\n  v3.6.1   "+b+"  \n", "pins.txt")
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]string{"3.6.0": "sha256:" + a, "3.6.1": "sha256:" + strings.ToLower(b), "3.6.2": ""} {
		if got := p.Lookup(mustVersion(t, v)); got != want {
			t.Errorf("Lookup(%s) = %q; want %q", v, got, want)
		}
	}
	bad := map[string]string{
		"3.6.0":                                 "line 1: expected \"VERSION sha256:HEX\"",
		"3.6 sha256:" + a:                       `line 1: malformed version "3.6"`,
		"3.6.0 md5:abc":                         `line 1: malformed checksum "md5:abc"`,
		"3.6.0 " + a + "\n# x\n3.6.0 " + a:      "line 3: 3.6.0 is pinned twice",
		"3.6.0 sha256:" + a + " extra":          "expected \"VERSION sha256:HEX\"",
		"3.6.0 sha256:" + a + "\n3.6.1 sha256:": `line 2: malformed checksum "sha256:"`,
	}
	for text, want := range bad {
		if _, err := ParsePins(text, "pins.txt"); err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "pins.txt ") {
			t.Errorf("ParsePins(%q) = %v; want an error with %q", text, err, want)
		}
	}
	if _, err := Pinned(); err != nil {
		t.Errorf("the embedded %s does not parse: %v", PinsPath, err)
	}
}

func TestSetPin(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	text := "# sums\n# more\n3.6.1 sha256:" + a + "\n3.10.0 sha256:" + a + "\n"
	got, err := SetPin(text, mustVersion(t, "3.6.0"), b)
	want := "# sums\n# more\n3.6.0 sha256:" + b + "\n3.6.1 sha256:" + a + "\n3.10.0 sha256:" + a + "\n"
	if err != nil || got != want {
		t.Errorf("SetPin added = %q, %v; want %q", got, err, want)
	}
	got, err = SetPin(want, mustVersion(t, "v3.6.1"), "SHA256:"+strings.ToUpper(b))
	want = "# sums\n# more\n3.6.0 sha256:" + b + "\n3.6.1 sha256:" + b + "\n3.10.0 sha256:" + a + "\n"
	if err != nil || got != want {
		t.Errorf("SetPin replaced = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"", "md5:x"} {
		if _, err := SetPin(text, mustVersion(t, "3.6.0"), bad); err == nil {
			t.Errorf("SetPin(%q) accepted a malformed sum", bad)
		}
	}
}

func TestResolveSum(t *testing.T) {
	flag, pin, api := strings.Repeat("1", 64), strings.Repeat("2", 64), strings.Repeat("3", 64)
	pins, err := ParsePins("3.6.0 sha256:"+pin, "pins.txt")
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	served := func(d string, err error) func() (string, error) {
		return func() (string, error) { asked++; return d, err }
	}
	v360, v361 := mustVersion(t, "3.6.0"), mustVersion(t, "3.6.1")
	cases := []struct {
		name     string
		q        SumQuery
		want     Sum
		asks     int    // API requests made
		errWants string // "" when no error
	}{
		{"flag wins over pin and API", SumQuery{Version: v360, Flag: flag, Pins: pins, Required: true, API: served("sha256:"+api, nil)}, Sum{"sha256:" + flag, FromFlag}, 0, ""},
		{"flag outside the release path", SumQuery{Version: v360, Flag: "SHA256:" + flag, Pins: pins}, Sum{"sha256:" + flag, FromFlag}, 0, ""},
		{"malformed flag", SumQuery{Version: v360, Flag: "md5:x", Required: true}, Sum{}, 0, "malformed checksum"},
		{"nothing asked outside the release path", SumQuery{Version: v360, Pins: pins, API: served("sha256:"+api, nil)}, Sum{}, 0, ""},
		{"pin before API", SumQuery{Version: v360, Pins: pins, Required: true, API: served("sha256:"+api, nil)}, Sum{"sha256:" + pin, FromPins("pins.txt")}, 0, ""},
		{"API when not pinned", SumQuery{Version: v361, Pins: pins, Required: true, API: served("sha256:"+api, nil)}, Sum{"sha256:" + api, FromAPI}, 1, ""},
		{"API without digest", SumQuery{Version: v361, Pins: pins, Required: true, API: served("", nil)}, Sum{}, 1, "it gives no digest for the asset"},
		{"API unreachable", SumQuery{Version: v361, Pins: pins, Required: true, API: served("", errors.New("dial tcp: no route"))}, Sum{}, 1, "3.6.1.zip of release v3.6.1: dial tcp: no route"},
		{"API digest malformed", SumQuery{Version: v361, Required: true, API: served("sha1:abc", nil)}, Sum{}, 1, "a digest this cannot read"},
		{"no API", SumQuery{Version: v361, Required: true}, Sum{}, 0, "not asked"},
	}
	for _, c := range cases {
		asked = 0
		got, err := ResolveSum(c.q)
		switch {
		case c.errWants == "" && (err != nil || got != c.want):
			t.Errorf("%s: ResolveSum = %+v, %v; want %+v", c.name, got, err, c.want)
		case c.errWants != "" && (err == nil || !strings.Contains(err.Error(), c.errWants)):
			t.Errorf("%s: ResolveSum error = %v; want one with %q", c.name, err, c.errWants)
		case asked != c.asks:
			t.Errorf("%s: the API was asked %d times; want %d", c.name, asked, c.asks)
		}
	}
	// no source at all names the three ways
	_, err = ResolveSum(SumQuery{Version: v361, Required: true, API: served("", errors.New("404 Not Found"))})
	for _, want := range []string{"no checksum for the FIT 3.6.1 release zip", "1. --checksum sha256:HEX", "2. a pinned sum: the line \"3.6.1 sha256:HEX\" in " + PinsPath + ", which go run ./hack/pin 3.6.1 adds", "3. the GitHub release API"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no-source error = %v; want it to contain %q", err, want)
		}
	}
	_, err = ResolveSum(SumQuery{Version: v361, Pins: pins, Required: true})
	if err == nil || !strings.Contains(err.Error(), "(this run read pins.txt instead, which has none)") {
		t.Errorf("no-source error with other pins = %v; want it to name them", err)
	}
	if s := (Sum{}).String(); s != "not verified" {
		t.Errorf("zero Sum = %q", s)
	}
	if s := (Sum{"sha256:" + flag, FromFlag}).String(); s != "sha256:"+flag+" (from --checksum)" {
		t.Errorf("Sum = %q", s)
	}
	if n := (Sum{}).Note(v360); !strings.HasPrefix(n, "artifact: FIT 3.6.0 zip not verified (no --checksum)") {
		t.Errorf("Note of no sum = %q", n)
	}
	if n := (Sum{"sha256:" + flag, FromAPI}).Note(v360); n != "artifact: FIT 3.6.0 zip verified, sha256:"+flag+" (from "+string(FromAPI)+")" {
		t.Errorf("Note of a sum = %q", n)
	}
	m := Mismatch(v360, "from http://x/3.6.0.zip", Sum{"sha256:" + pin, FromPins("pins.txt")}, "sha256:"+api).Error()
	for _, want := range []string{"checksum mismatch", "expected sha256:" + pin + " (from the pinned sums (pins.txt))", "got sha256:" + api} {
		if !strings.Contains(m, want) {
			t.Errorf("Mismatch = %q; want %q in it", m, want)
		}
	}
}

func mustVersion(t *testing.T, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
