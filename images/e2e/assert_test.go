package e2e

import (
	"errors"
	"strings"
	"testing"

	"dagger/fit-images/images/release"
)

const (
	rootJSON = `{"group":"modelengine.fit","name":"fit-discrete-launcher","version":"3.6.0","category":"system","level":-2147483648}`
	pluginA  = `{"group":"g","name":"plugin-a","version":"3.6.0","category":"system","level":1}`
	pluginB  = `{"group":"g","name":"plugin-b","version":"3.6.0","category":"user","level":4}`
)

var jars = map[string]string{"a-3.6.0.jar": "plugin-a", "b-3.6.0.jar": "plugin-b"}

func failureOf(t *testing.T, err error) *Failure {
	t.Helper()
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("want a *Failure, got %v", err)
	}
	return f
}

// A real release lists the root plugin next to the N jars; the fixture's old behaviour (no root plugin,
// N entries) must fail, as must a missing plugin.
func TestCheckPlugins(t *testing.T) {
	others, detail, err := CheckPlugins("["+rootJSON+","+pluginA+","+pluginB+"]", jars)
	if err != nil || len(others) != 2 || !strings.Contains(detail, "root fit-discrete-launcher + 2 plugins") {
		t.Errorf("release-like list: %v %q %v", others, detail, err)
	}
	for name, body := range map[string]string{
		"no root plugin (old fixture)": "[" + pluginA + "," + pluginB + "]",
		"a shipped plugin missing":     "[" + rootJSON + "," + pluginA + "]",
		"root counted as a jar":        "[" + rootJSON + "," + pluginA + "," + strings.Replace(rootJSON, "3.6.0", "x", 1) + "]",
		"not JSON":                     "<html>",
	} {
		if _, _, err := CheckPlugins(body, jars); err == nil {
			t.Errorf("%s: accepted", name)
		} else if f := failureOf(t, err); f.Expected == "" || f.Seen == "" {
			t.Errorf("%s: the failure says what was expected and seen: %+v", name, f)
		}
	}
	if _, _, err := CheckPlugins("["+rootJSON+","+pluginA+","+pluginB+"]", jars, ProbePlugin); err == nil || !strings.Contains(err.Error(), ProbePlugin) {
		t.Errorf("extra plugin not listed: %v", err)
	}
	if _, _, err := CheckPlugins("["+rootJSON+"]", map[string]string{}); err == nil {
		t.Error("no plugins shipped: accepted")
	}
}

// /actuator/health by version: 3.6.0 answering OK (the old fixture) is not the 3.6.0 release.
func TestCheckHealth(t *testing.T) {
	v := func(s string) release.Version {
		x, err := release.ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	cases := []struct {
		version, status, body string
		ok                    bool
		want                  string
	}{
		{"3.6.0", "404", "Not Found", true, "not served by this release"},
		{"3.6.2", "404", "", true, "not served by this release"},
		{"3.6.0", "200", "OK", false, "has no /actuator/health"},
		{"3.6.3", "200", "OK\n", true, "→ OK"},
		{"3.6.4", "404", "", false, "to answer OK"},
		{"3.6.4", "000", "curl: (7) refused", false, "to answer OK"},
	}
	for _, c := range cases {
		detail, err := CheckHealth(v(c.version), c.status, c.body)
		if (err == nil) != c.ok || !strings.Contains(detail+errString(err), c.want) {
			t.Errorf("%s HTTP %s: %q %v", c.version, c.status, detail, err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestShippedPluginsAndWorkerID(t *testing.T) {
	got, err := ShippedPlugins("a.jar\t<?xml version=\"1.0\"?><plugin>  <group>g</group>  <name> plugin-a </name><level>1</level></plugin>\nb.jar\t<plugin><name>plugin-b</name></plugin>\n")
	if err != nil || got["a.jar"] != "plugin-a" || got["b.jar"] != "plugin-b" {
		t.Errorf("ShippedPlugins = %v, %v", got, err)
	}
	if _, err := ShippedPlugins("c.jar\tcaution: filename not matched:  FIT-INF/plugin.xml\n"); err == nil {
		t.Error("a jar without plugin.xml: accepted")
	}
	if w := WorkerID("java -Dx=1 -jar /opt/fit-discrete-launcher-3.6.0.jar server.http.port=9090 worker.id=fit-worker-abc "); w != "fit-worker-abc" {
		t.Errorf("WorkerID = %q", w)
	}
	if w := WorkerID("java -Dworker.id=x -jar l.jar"); w != "" {
		t.Errorf("WorkerID of -D = %q, want none (not an argument)", w)
	}
}
