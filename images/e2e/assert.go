package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"dagger/fit-images/images/release"
)

// What every FIT release answers, whatever its version (SPEC.md "Artifact"): /actuator/plugins lists
// the root plugin (the launcher itself) and one entry per plugin jar, named as its FIT-INF/plugin.xml
// says; /actuator/health exists only where release.Version.ServesHealth says so.

// RootPlugin is the name /actuator/plugins gives the launcher itself.
const RootPlugin = "fit-discrete-launcher"

// ProbePlugin is the name of the plugin the dynamic-plugin step drops into the running container.
const ProbePlugin = "fit-images-e2e-probe"

// Plugin is one entry of GET /actuator/plugins.
type Plugin struct {
	Group    string `json:"group"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Category string `json:"category"`
	Level    int    `json:"level"`
}

var xmlName = regexp.MustCompile(`<plugin[\s>][\s\S]*?<name>\s*([^<]*?)\s*</name>`)

// ShippedPlugins reads "JAR<TAB>plugin.xml on one line" lines into jar → plugin name.
func ShippedPlugins(out string) (map[string]string, error) {
	names := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		jar, xml, _ := strings.Cut(line, "\t")
		if jar == "" {
			continue
		}
		m := xmlName.FindStringSubmatch(xml)
		if m == nil || m[1] == "" {
			return nil, &Failure{Expected: "every jar in plugins/ to carry FIT-INF/plugin.xml with a <name>", Seen: jar + ": " + clip(xml)}
		}
		names[jar] = m[1]
	}
	return names, nil
}

// CheckPlugins asserts the plugins list: the root plugin once, and every plugin shipped (jar → name) and
// every extra name, each by name. It returns the non-root entries.
func CheckPlugins(body string, shipped map[string]string, extra ...string) ([]Plugin, string, error) {
	var list []Plugin
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		return nil, "", &Failure{Expected: "GET /actuator/plugins to answer a JSON array", Seen: clip(body)}
	}
	var roots, others []Plugin
	loaded := map[string]bool{}
	for _, p := range list {
		if p.Name == RootPlugin {
			roots = append(roots, p)
		} else {
			others = append(others, p)
			loaded[p.Name] = true
		}
	}
	if len(roots) != 1 {
		return nil, "", &Failure{Expected: fmt.Sprintf("the root plugin %s listed once, as every release does", RootPlugin), Seen: fmt.Sprintf("%d times in %s", len(roots), clip(body))}
	}
	if len(shipped) == 0 {
		return nil, "", &Failure{Expected: "at least one plugin jar shipped in plugins/", Seen: "none"}
	}
	var missing []string
	for jar, name := range shipped {
		if !loaded[name] {
			missing = append(missing, name+" ("+jar+")")
		}
	}
	for _, name := range extra {
		if !loaded[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, "", &Failure{Expected: "every shipped plugin in GET /actuator/plugins", Seen: "missing " + strings.Join(missing, ", ") + "; listed " + clip(body)}
	}
	return others, fmt.Sprintf("root %s + %d plugins, every one of the %d jars shipped among them", RootPlugin, len(others), len(shipped)), nil
}

// CheckHealth asserts GET /actuator/health by version: OK where the release serves it, 404 before.
func CheckHealth(v release.Version, status, body string) (string, error) {
	if v.ServesHealth() {
		if status != "200" || strings.TrimSpace(body) != "OK" {
			return "", &Failure{Expected: "GET /actuator/health to answer OK (FIT " + v.String() + " serves it)", Seen: "HTTP " + status + " " + clip(body)}
		}
		return "GET /actuator/health → OK", nil
	}
	if status != "404" {
		return "", &Failure{Expected: "HTTP 404: FIT " + v.String() + " has no /actuator/health (it exists from 3.6.3 on), so this artifact does not behave like the " + v.String() + " release", Seen: "HTTP " + status + " " + clip(body)}
	}
	return "not served by this release (" + v.String() + " → HTTP 404; from 3.6.3 on)", nil
}

var workerArg = regexp.MustCompile(`(?:^| )worker\.id=(\S+)`)

// WorkerID is the worker.id argument on a FIT command line, empty when there is none.
func WorkerID(cmdline string) string {
	if m := workerArg.FindAllStringSubmatch(cmdline, -1); m != nil {
		return m[len(m)-1][1]
	}
	return ""
}
