package scripts

// Tests of conf_get and conf_set (common.sh) and of how the entrypoint treats a conf file that
// already exists: shipped with the release (FIT_* variables written into it) or mounted (never
// modified). The mount table is faked through FIT_MOUNTINFO.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	fitfixture "dagger/fit-images/tests/fixture"
)

// releaseConf is laid out like the conf/fitframework.yml of a FIT release: list items at the
// indentation of their key, quoted scalars, comments. The with-conf fixture ships the same file.
const releaseConf = fitfixture.ReleaseConf

// libCall runs "source common.sh; FUNC ARGS..." with bash under set -euo pipefail (the library
// must work with it), as cred when that is set.
func libCall(t *testing.T, cred *syscall.Credential, fn string, args ...string) result {
	t.Helper()
	lib := filepath.Join(t.TempDir(), "common.sh")
	mustWrite(t, lib, library, 0o644)
	if cred != nil {
		openUp(t, lib)
	}
	cmd := exec.Command("bash", append([]string{"--noprofile", "--norc", "-c",
		`set -euo pipefail; source "$1"; shift; "$@"`, "lib", lib, fn}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.code = ee.ExitCode()
	}
	return r
}

// openUp makes path and the folders above it, up to the test's temporary folders, enterable by
// anyone (t.TempDir creates them with mode 0700), so that a script run as another user finds it.
func openUp(t *testing.T, path string) {
	t.Helper()
	tmp := filepath.Clean(os.TempDir())
	for dir := filepath.Dir(path); strings.HasPrefix(dir, tmp+string(filepath.Separator)); dir = filepath.Dir(dir) {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, st.Mode().Perm()|0o055); err != nil {
			t.Fatal(err)
		}
	}
}

// nobody is the user the scripts run as when a test needs a file they cannot write while the
// tests run as root (root may write any file, whatever its mode).
var nobody = &syscall.Credential{Uid: 65534, Gid: 65534}

// readOnly makes the file at path (and its folder) unwritable for the scripts and returns the
// credential to run them with: nil, or nobody when the tests run as root.
func readOnly(t *testing.T, path string) *syscall.Credential {
	t.Helper()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	if os.Geteuid() != 0 {
		return nil
	}
	openUp(t, path)
	return nobody
}

// fakeMountinfo writes a mount table in the format of /proc/self/mountinfo that lists the given
// mount points (and / and /proc) and returns its path, for FIT_MOUNTINFO.
func fakeMountinfo(t *testing.T, mountPoints ...string) string {
	t.Helper()
	esc := strings.NewReplacer(`\`, `\134`, " ", `\040`, "\t", `\011`, "\n", `\012`)
	var b strings.Builder
	b.WriteString("21 1 0:20 / / rw,relatime shared:1 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n")
	b.WriteString("22 21 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw\n")
	for i, p := range mountPoints {
		fmt.Fprintf(&b, "%d 21 8:1 /srv/volume%d %s rw,relatime - ext4 /dev/sda1 rw\n", 30+i, i, esc.Replace(p))
	}
	path := filepath.Join(t.TempDir(), "mountinfo")
	mustWrite(t, path, b.String(), 0o644)
	return path
}

func TestConfGet(t *testing.T) {
	conf := releaseConf + "logging:\n  level: \"debug\" # more\nnames:\n- first: 1\n  port: 5\nquoted: 'a #b' # c\nbad: 'open\n  end'\n" +
		"text: |\n  inner: 1\n\n  more: 2\nafter:\n  block: 3\n"
	path := filepath.Join(t.TempDir(), "c.yml")
	mustWrite(t, path, conf, 0o644)
	for key, want := range map[string]string{
		"application.name": "fit-release-app", "worker.id": "release-worker", "worker.host": "0.0.0.0",
		"server.http.port": "8080", "logging.level": "debug", "quoted": "a #b", "after.block": "3",
		// no value, a list, keys inside list items, a multi-line scalar, absent keys
		"fit": "", "fit.beans.packages": "", "names.port": "", "names.first": "", "port": "", "bad": "", "nothing.here": "",
		"text": "", "text.inner": "", "inner": "", "more": "",
	} {
		r := libCall(t, nil, "conf_get", path, key)
		if want == "" {
			if r.code != 1 || r.stdout != "" {
				t.Errorf("conf_get %s: want failure\n%s", key, r)
			}
		} else if r.code != 0 || r.stdout != want+"\n" {
			t.Errorf("conf_get %s: want %q\n%s", key, want, r)
		}
	}
}

func TestConfSet(t *testing.T) {
	cases := []struct {
		name, before string
		args         []string // after FILE is inserted as the first argument that is not an option
		after        string   // "" when conf_set must fail and leave the file as it was
	}{
		{"replace a number", releaseConf, []string{"-n", "server.http.port", "9090"},
			strings.Replace(releaseConf, "port: 8080", "port: 9090", 1)},
		{"replace keeps the comment", releaseConf, []string{"worker.id", "e2e-worker"},
			strings.Replace(releaseConf, "id: 'release-worker'   #", "id: e2e-worker   #", 1)},
		{"quoting", releaseConf, []string{"worker.id", "worker: #1"},
			strings.Replace(releaseConf, "id: 'release-worker'", "id: 'worker: #1'", 1)},
		{"quoting a quote", "a:\n  b: x\n", []string{"a.b", "it's"}, "a:\n  b: 'it''s'\n"},
		{"quoting a boolean", "a:\n  b: x\n", []string{"a.b", "true"}, "a:\n  b: 'true'\n"},
		{"quoting a number given as text", "a:\n  b: x\n", []string{"a.b", "8080"}, "a:\n  b: '8080'\n"},
		{"number without leading zeros", "a: 1\n", []string{"-n", "a", "0080"}, "a: 80\n"},
		{"empty value", "a: 1\n", []string{"a", ""}, "a: ''\n"},
		{"null value replaced", "a:\n  b:\n  c: 1\n", []string{"a.b", "x"}, "a:\n  b: x\n  c: 1\n"},
		{"comment after an empty value", "a:   # later\n", []string{"a", "x"}, "a: x # later\n"},
		{"double-quoted value with a hash", "a: \"x \\\" # y\" # real\n", []string{"a", "z"}, "a: z # real\n"},
		{"insert under an ancestor", releaseConf, []string{"worker.environment", "prod"},
			strings.Replace(releaseConf, "worker:\n", "worker:\n  environment: prod\n", 1)},
		{"insert two levels under an ancestor", releaseConf, []string{"-n", "server.http.ssl.port", "8443"},
			strings.Replace(releaseConf, "  http:\n", "  http:\n    ssl:\n      port: 8443\n", 1)},
		{"insert at the indentation of the siblings", "a:\n    b: 1\n", []string{"a.c.d", "x"}, "a:\n    c:\n      d: x\n    b: 1\n"},
		{"insert under an empty ancestor", "a:\nb: 1\n", []string{"a.c", "x"}, "a:\n  c: x\nb: 1\n"},
		{"insert next to a same-indent list", releaseConf, []string{"fit.beans.lazy", "x"},
			strings.Replace(releaseConf, "  beans:\n", "  beans:\n    lazy: x\n", 1)},
		{"append a new section", releaseConf, []string{"matata.registry.host", "reg.example"},
			releaseConf + "matata:\n  registry:\n    host: reg.example\n"},
		{"append without a final newline", "a: 1", []string{"-n", "b.c", "2"}, "a: 1\nb:\n  c: 2\n"},
		{"append to an empty file", "", []string{"a.b", "x"}, "a:\n  b: x\n"},
		{"append to an indented top level", "  a: 1\n", []string{"b", "x"}, "  a: 1\n  b: x\n"},
		{"append after a document start", "---\na: 1\n", []string{"b", "x"}, "---\na: 1\nb: x\n"},
		{"replace without a final newline", "a: 1", []string{"-n", "a", "2"}, "a: 2"},
		{"CRLF kept on a replaced line", "a:\r\n  b: 1\r\n", []string{"-n", "a.b", "5"}, "a:\r\n  b: 5\r\n"},
		{"CRLF on inserted lines", "a:\r\n  b: 1\r\n", []string{"a.c", "x"}, "a:\r\n  c: x\r\n  b: 1\r\n"},
		{"first of duplicate keys", "a: 1\na: 2\n", []string{"-n", "a", "3"}, "a: 3\na: 2\n"},
		{"key inside a list item is not the key", "a:\n- b: 1\nc: 2\n", []string{"b", "x"}, "a:\n- b: 1\nc: 2\nb: x\n"},
		{"text of a block scalar is not a key", "a: |\n  b: 1\nc: 2\n", []string{"b", "x"}, "a: |\n  b: 1\nc: 2\nb: x\n"},
		{"key after a block scalar", "a: >-\n  b: 1\n\n  d: 4\nc: 2\n", []string{"-n", "c", "3"}, "a: >-\n  b: 1\n\n  d: 4\nc: 3\n"},

		// the structure is in the way
		{"same-indent list", releaseConf, []string{"fit.beans.packages", "x"}, ""},
		{"below a same-indent list", releaseConf, []string{"fit.beans.packages.x", "y"}, ""},
		{"below a deeper list", "a:\n  - 1\n", []string{"a.b", "x"}, ""},
		{"scalar where a mapping is needed", releaseConf, []string{"application.name.first", "x"}, ""},
		{"scalar two levels up", "server: off\n", []string{"-n", "server.http.port", "1"}, ""},
		{"mapping where a scalar goes", releaseConf, []string{"fit.beans", "x"}, ""},
		{"block scalar", "a: |\n  text\n", []string{"a", "x"}, ""},
		{"below a block scalar", "a: |\n  b: 1\n", []string{"a.b", "x"}, ""},
		{"multi-line plain scalar", "a: long\n  text\n", []string{"a", "x"}, ""},
		{"multi-line quoted scalar", "a: 'long\n  text'\n", []string{"a", "x"}, ""},
		{"flow collection", "a: [1, 2]\n", []string{"a", "x"}, ""},
		{"anchor", "a: &x 1\nb: *x\n", []string{"a", "x"}, ""},
		{"top-level list", "- a\n- b\n", []string{"c", "x"}, ""},
		{"top-level scalar", "just text\n", []string{"c", "x"}, ""},
		{"two documents", "a: 1\n---\nb: 2\n", []string{"c", "x"}, ""},
		// unusable arguments
		{"number that is not one", "a: 1\n", []string{"-n", "a", "0x10"}, ""},
		{"value on two lines", "a: 1\n", []string{"a", "x\ny"}, ""},
		{"value with a tab", "a: 1\n", []string{"a", "x\ty"}, ""},
		{"bad key", "a: 1\n", []string{"a..b", "x"}, ""},
		{"key with a space", "a: 1\n", []string{"a b", "x"}, ""},
		{"missing value", "a: 1\n", []string{"a"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "fitframework.yml")
			mustWrite(t, path, c.before, 0o644)
			args := append([]string(nil), c.args...)
			i := 0
			if len(args) > 0 && args[0] == "-n" {
				i = 1
			}
			args = append(args[:i], append([]string{path}, args[i:]...)...)
			r := libCall(t, nil, "conf_set", args...)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if r.stdout != "" || r.stderr != "" {
				t.Errorf("conf_set printed something\n%s", r)
			}
			if c.after == "" {
				if r.code != 1 {
					t.Errorf("want status 1\n%s\nfile:\n%s", r, got)
				}
				if string(got) != c.before {
					t.Errorf("file changed after a failure:\n%q\nwas:\n%q", got, c.before)
				}
			} else {
				if r.code != 0 {
					t.Fatalf("want status 0\n%s", r)
				}
				if string(got) != c.after {
					t.Errorf("file:\n%s\nwant:\n%s\n(%q)", got, c.after, got)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("conf_set left files behind: %v", entries)
			}
		})
	}

	t.Run("same value writes nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.yml")
		mustWrite(t, path, releaseConf, 0o644)
		old := time.Now().Add(-time.Hour).Truncate(time.Second)
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
		before, _ := os.Stat(path)
		if r := libCall(t, nil, "conf_set", "-n", path, "server.http.port", "8080"); r.code != 0 {
			t.Fatalf("want status 0\n%s", r)
		}
		after, _ := os.Stat(path)
		if !after.ModTime().Equal(old) || !os.SameFile(before, after) {
			t.Errorf("the file was rewritten for an unchanged value")
		}
	})

	t.Run("the file is replaced, not rewritten in place", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.yml")
		mustWrite(t, path, releaseConf, 0o644)
		before, _ := os.Stat(path)
		if r := libCall(t, nil, "conf_set", "-n", path, "server.http.port", "9090"); r.code != 0 {
			t.Fatalf("want status 0\n%s", r)
		}
		after, _ := os.Stat(path)
		if os.SameFile(before, after) {
			t.Errorf("conf_set wrote into the file instead of renaming a new one over it")
		}
		if got := libCall(t, nil, "conf_get", path, "server.http.port"); got.stdout != "9090\n" {
			t.Errorf("conf_get after conf_set: %s", got)
		}
	})

	t.Run("read-only file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "c.yml")
		mustWrite(t, path, releaseConf, 0o644)
		// writable folder, file without write permission: renaming over it would work, but
		// conf_set must not replace a file it may not write
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		var cred *syscall.Credential
		if os.Geteuid() == 0 {
			cred = nobody
			openUp(t, path)
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}
		r := libCall(t, cred, "conf_set", "-n", path, "server.http.port", "9090")
		got, _ := os.ReadFile(path)
		if r.code != 1 || string(got) != releaseConf {
			t.Errorf("want status 1 and the file unchanged\n%s\nfile:\n%s", r, got)
		}
		// read-only folder and file
		cred = readOnly(t, path)
		r = libCall(t, cred, "conf_set", "-n", path, "server.http.port", "9090")
		got, _ = os.ReadFile(path)
		if r.code != 1 || string(got) != releaseConf {
			t.Errorf("want status 1 and the file unchanged\n%s\nfile:\n%s", r, got)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("conf_set left files behind: %v", entries)
		}
	})

	t.Run("symbolic link and missing file", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "real.yml")
		mustWrite(t, target, releaseConf, 0o644)
		link := filepath.Join(dir, "c.yml")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if r := libCall(t, nil, "conf_set", "-n", link, "server.http.port", "9090"); r.code != 1 {
			t.Errorf("a symbolic link must be refused\n%s", r)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v", err)
		}
		if r := libCall(t, nil, "conf_set", filepath.Join(dir, "none.yml"), "a", "x"); r.code != 1 || exists(filepath.Join(dir, "none.yml")) {
			t.Errorf("a missing file must not be created\n%s", r)
		}
	})
}

// shippedFixture is a fixture whose FIT installation ships conf/fitframework.yml with the text conf.
func shippedFixture(t *testing.T, conf string) *fixture {
	t.Helper()
	f := newFixture(t)
	mustWrite(t, f.confPath(), conf, 0o644)
	// no mount point among the fixture's folders (FIT_MOUNTINFO unset: the real table is read)
	f.env["FIT_MOUNTINFO"] = fakeMountinfo(t)
	return f
}

func TestShippedConf(t *testing.T) {
	t.Run("variables written into it", func(t *testing.T) {
		f := shippedFixture(t, releaseConf)
		r := f.run(f.entry, map[string]string{"FIT_HTTP_PORT": "9090", "FIT_WORKER_ID": "e2e-worker"})
		if r.code != 0 || !strings.Contains(f.callLog(), "args=start|") {
			t.Fatalf("want a normal start\n%s", r)
		}
		want := strings.Replace(releaseConf, "port: 8080", "port: 9090", 1)
		want = strings.Replace(want, "id: 'release-worker'", "id: e2e-worker", 1)
		if got := f.readConf(); got != want {
			t.Fatalf("conf file:\n%s\nwant:\n%s", got, want)
		}
		for _, line := range []string{
			"[fit-entrypoint] conf: worker.id = e2e-worker (FIT_WORKER_ID)",
			"[fit-entrypoint] conf: server.http.port = 9090 (FIT_HTTP_PORT)",
			"[fit-entrypoint] Worker ID: e2e-worker",
			"[fit-entrypoint] HTTP port: 9090",
			"[fit-entrypoint] Registry: localhost:8080",
		} {
			if !hasLine(r.stdout, line) {
				t.Errorf("stdout lacks %q\n%s", line, r)
			}
		}
		if strings.Count(r.stdout, "conf: ") != 2 || r.stderr != "" {
			t.Errorf("want exactly two conf lines and no warning\n%s", r)
		}
		if !strings.Contains(r.stdout, "FIT_* variables written into it") {
			t.Errorf("banner should say the file was updated\n%s", r)
		}
		// a second start with the same variables changes nothing
		before, _ := os.Stat(f.confPath())
		r = f.run(f.entry, map[string]string{"FIT_HTTP_PORT": "9090", "FIT_WORKER_ID": "e2e-worker"})
		after, _ := os.Stat(f.confPath())
		if r.code != 0 || strings.Contains(r.stdout, "conf: ") || !os.SameFile(before, after) || f.readConf() != want {
			t.Errorf("a second start rewrote the file\n%s", r)
		}
	})

	t.Run("no variables leave it byte-identical", func(t *testing.T) {
		f := shippedFixture(t, releaseConf)
		before, _ := os.Stat(f.confPath())
		r := f.run(f.entry, nil)
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		after, _ := os.Stat(f.confPath())
		if got := f.readConf(); got != releaseConf || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
			t.Errorf("conf file changed:\n%s", got)
		}
		if strings.Contains(r.stdout, "conf: ") || r.stderr != "" {
			t.Errorf("nothing to apply, nothing to say\n%s", r)
		}
		for _, line := range []string{"Worker ID: release-worker", "HTTP port: 8080", "Log level: info"} {
			if !hasLine(r.stdout, "[fit-entrypoint] "+line) {
				t.Errorf("banner lacks %q\n%s", line, r)
			}
		}
	})

	t.Run("every variable", func(t *testing.T) {
		f := shippedFixture(t, releaseConf)
		r := f.run(f.entry, allSettings())
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		want := strings.Replace(releaseConf, "name: 'fit-release-app'", "name: shop", 1)
		want = strings.Replace(want, "id: 'release-worker'", "id: w-1", 1)
		want = strings.Replace(want, "port: 8080", "port: 8081", 1)
		// the registry host appends the section; the port is then inserted first under registry
		want += "matata:\n  registry:\n    port: 18080\n    host: localhost\n" + "logging:\n  level: debug\n"
		if got := f.readConf(); got != want {
			t.Fatalf("conf file:\n%s\nwant:\n%s", got, want)
		}
		for _, line := range []string{
			"conf: application.name = shop (FIT_APP_NAME)", "conf: worker.id = w-1 (FIT_WORKER_ID)",
			"conf: server.http.port = 8081 (FIT_HTTP_PORT)", "conf: matata.registry.host = localhost (FIT_REGISTRY_HOST)",
			"conf: matata.registry.port = 18080 (FIT_REGISTRY_PORT)", "conf: logging.level = debug (FIT_LOG_LEVEL)",
			"Worker ID: w-1", "HTTP port: 8081", "Registry: localhost:18080", "Log level: debug",
		} {
			if !hasLine(r.stdout, "[fit-entrypoint] "+line) {
				t.Errorf("stdout lacks %q\n%s", line, r)
			}
		}
		if !strings.Contains(r.stderr, "FIT_ENVIRONMENT=prod is not applied") {
			t.Errorf("want FIT_ENVIRONMENT reported as not applied\n%s", r)
		}
	})

	t.Run("default worker id only when the file has none", func(t *testing.T) {
		f := shippedFixture(t, "server:\n  http:\n    port: 8080\n")
		r := f.run(f.entry, map[string]string{"FIT_WORKER_ID": unset, "HOSTNAME": "h"})
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		conf := f.readConf()
		if !strings.HasPrefix(conf, "server:\n  http:\n    port: 8080\nworker:\n  id: ") || !strings.Contains(r.stdout, "(default, the file sets none)") {
			t.Errorf("want a default worker id appended and logged\n%s\nconf:\n%s", r, conf)
		}
		id := strings.TrimSpace(strings.TrimPrefix(conf, "server:\n  http:\n    port: 8080\nworker:\n  id: "))
		if !strings.HasPrefix(strings.Trim(id, "'"), "fit-worker-") || !hasLine(r.stdout, "[fit-entrypoint] Worker ID: "+strings.Trim(id, "'")) {
			t.Errorf("worker id %q not the default or not in the banner\n%s", id, r)
		}
	})

	t.Run("cannot write it", func(t *testing.T) {
		f := shippedFixture(t, releaseConf)
		// the runtime folders and the launcher log exist already, writable by anyone
		for _, sub := range []string{"logs", "data", "dynamic-plugins"} {
			if err := os.MkdirAll(filepath.Join(f.javaDir, sub), 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(f.javaDir, sub), 0o777); err != nil {
				t.Fatal(err)
			}
		}
		mustWrite(t, f.calls, "", 0o666)
		f.cred = readOnly(t, f.confPath())
		if f.cred != nil {
			openUp(t, f.launcher)
			openUp(t, f.entry)
			openUp(t, f.lib)
			openUp(t, f.env["FIT_MOUNTINFO"])
		}
		r := f.run(f.entry, map[string]string{"FIT_HTTP_PORT": "9090", "FIT_LOG_LEVEL": "debug"})
		if r.code != 0 || !strings.Contains(f.callLog(), "args=start|") {
			t.Fatalf("a read-only conf must not stop the start\n%s", r)
		}
		if got := f.readConf(); got != releaseConf {
			t.Errorf("conf file changed:\n%s", got)
		}
		for _, want := range []string{
			"WARNING: FIT_HTTP_PORT=9090 is not applied: " + f.confPath() + " is not writable by uid ",
			"; it sets server.http.port to 8080",
			"WARNING: FIT_LOG_LEVEL=debug is not applied: ", "; it has no value for logging.level",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q\n%s", want, r)
			}
		}
		if strings.Count(r.stderr, "is not applied") != 2 || strings.Contains(r.stdout, "conf: ") {
			t.Errorf("want one warning per variable and no conf line\n%s", r)
		}
		if !hasLine(r.stdout, "[fit-entrypoint] HTTP port: 8080") {
			t.Errorf("the banner must show the file's port\n%s", r)
		}
	})

	t.Run("layout in the way", func(t *testing.T) {
		conf := "server: disabled\nworker:\n  id: w\n"
		f := shippedFixture(t, conf)
		r := f.run(f.entry, map[string]string{"FIT_HTTP_PORT": "9090", "FIT_WORKER_ID": "x"})
		if r.code != 0 || !strings.Contains(f.callLog(), "args=start|") {
			t.Fatalf("want a normal start\n%s", r)
		}
		if want := "WARNING: FIT_HTTP_PORT=9090 is not applied: the layout of " + f.confPath() + " does not allow setting server.http.port"; !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q\n%s", want, r)
		}
		if got := f.readConf(); got != "server: disabled\nworker:\n  id: x\n" || !hasLine(r.stdout, "[fit-entrypoint] conf: worker.id = x (FIT_WORKER_ID)") {
			t.Errorf("the other variable must still be applied\n%s\nconf:\n%s", r, got)
		}
	})

	t.Run("real mount table", func(t *testing.T) {
		if _, err := os.Stat("/proc/self/mountinfo"); err != nil {
			t.Skip("SKIPPED: no /proc/self/mountinfo on this host")
		}
		f := shippedFixture(t, releaseConf)
		delete(f.env, "FIT_MOUNTINFO")
		r := f.run(f.entry, map[string]string{"FIT_HTTP_PORT": "9090"})
		if r.code != 0 || !hasLine(r.stdout, "[fit-entrypoint] conf: server.http.port = 9090 (FIT_HTTP_PORT)") {
			t.Errorf("a temporary folder is no mount point: want the port written\n%s", r)
		}
	})
}

func TestMountedConf(t *testing.T) {
	// space, tab and backslash in a path, as /proc/self/mountinfo escapes them
	odd := func(f *fixture) string {
		link := filepath.Join(f.root, "odd home\t\\x")
		if err := os.Symlink(f.root, link); err != nil {
			f.t.Fatal(err)
		}
		return link
	}
	cases := []struct {
		name  string
		mount func(f *fixture) string
		env   map[string]string
	}{
		{"the file", func(f *fixture) string { return f.confPath() }, nil},
		{"the conf folder", func(f *fixture) string { return filepath.Dir(f.confPath()) }, nil},
		{"FIT_JAVA_DIR", func(f *fixture) string { return f.javaDir }, nil},
		{"FIT_HOME", func(f *fixture) string { return f.root }, nil},
		{"FIT_JAVA_DIR with a trailing slash", func(f *fixture) string { return f.javaDir }, map[string]string{"FIT_JAVA_DIR": "JAVA/"}},
		{"FIT_HOME through a link with odd characters", odd, map[string]string{"FIT_HOME": "ODD", "FIT_JAVA_DIR": unset}},
		{"the folder a linked FIT_HOME points to", func(f *fixture) string { odd(f); return f.root }, map[string]string{"FIT_HOME": "ODD", "FIT_JAVA_DIR": unset}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := shippedFixture(t, releaseConf)
			env := map[string]string{"FIT_HTTP_PORT": "9090", "FIT_WORKER_ID": "e2e-worker"}
			mp := c.mount(f)
			for k, v := range c.env {
				switch v {
				case "JAVA/":
					v = f.javaDir + "/"
				case "ODD":
					v = filepath.Join(f.root, "odd home\t\\x")
				}
				env[k] = v
			}
			env["FIT_MOUNTINFO"] = fakeMountinfo(t, "/elsewhere", mp)
			r := f.run(f.entry, env)
			if r.code != 0 {
				t.Fatalf("want exit 0\n%s", r)
			}
			if got := f.readConf(); got != releaseConf {
				t.Fatalf("a mounted conf was modified:\n%s", got)
			}
			for _, want := range []string{"FIT_WORKER_ID=e2e-worker is not applied", "FIT_HTTP_PORT=9090 is not applied: the mounted "} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q\n%s", want, r)
				}
			}
			if strings.Contains(r.stdout, "conf: server") || !hasLine(r.stdout, "[fit-entrypoint] HTTP port: 8080") ||
				!strings.Contains(r.stdout, "is mounted; it is used as it is") {
				t.Errorf("want the file's values and no change\n%s", r)
			}
		})
	}

	t.Run("unreadable mount table", func(t *testing.T) {
		f := shippedFixture(t, releaseConf)
		r := f.run(f.entry, map[string]string{"FIT_HTTP_PORT": "9090", "FIT_MOUNTINFO": filepath.Join(t.TempDir(), "none")})
		if r.code != 0 || f.readConf() != releaseConf {
			t.Fatalf("want the file left alone when mounts cannot be told\n%s", r)
		}
		if !strings.Contains(r.stderr, "is treated as mounted") || !strings.Contains(r.stderr, "FIT_HTTP_PORT=9090 is not applied") {
			t.Errorf("want warnings\n%s", r)
		}
	})

	t.Run("other mount points do not count", func(t *testing.T) {
		f := shippedFixture(t, releaseConf)
		env := map[string]string{"FIT_HTTP_PORT": "9090",
			"FIT_MOUNTINFO": fakeMountinfo(t, filepath.Join(f.javaDir, "logs"), filepath.Dir(f.root), f.confPath()+".bak")}
		r := f.run(f.entry, env)
		if r.code != 0 || !strings.Contains(f.readConf(), "    port: 9090\n") {
			t.Errorf("want the port written\n%s", r)
		}
	})
}
