package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/options"
	"dagger/fit-images/images/release"
)

// The checks below mirror the module's argument handling (args.go: parse, resolve, resolveAll),
// built on the same images/release and images/catalog rules, so `go run ./ci` and `dagger call`
// accept and refuse the same input. Everything is checked before the engine is contacted: bad
// input builds and pushes nothing.

// usageError is bad input: the driver prints it as one line and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// asUsage turns a validation error into a usageError.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	var u usageError
	if errors.As(err, &u) {
		return err
	}
	return usageError{err.Error()}
}

// flagSet is a job's flags. The flag package prints nothing (it would print the whole usage on
// every mistake): errors come back as one line, and -h prints the usage to out.
type flagSet struct {
	*flag.FlagSet
	synopsis string
	out      io.Writer
}

func newFlags(name, synopsis string, out io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, synopsis: synopsis, out: out}
}

// usage lists the flags GNU-style (--name), as the synopsis writes them.
func (fs *flagSet) usage() {
	fmt.Fprintf(fs.out, "usage: go run ./ci %s\n\nflags:\n", fs.synopsis)
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + strings.ToUpper(arg)
		}
		if f.DefValue != "" && f.DefValue != "false" {
			help += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(fs.out, "  --%s%s\n        %s\n", f.Name, arg, help)
	})
}

// selection registers --os and --skip-os, the seed's ONLY_OS and SKIP_OS.
func (fs *flagSet) selection(only, skip *string) {
	fs.StringVar(only, "os", "", "only these operating `systems`, comma separated (default: all of "+strings.Join(catalog.Names(), ", ")+")")
	fs.StringVar(skip, "skip-os", "", "skip these operating `systems`, comma separated")
}

// parse parses args; leftover positional arguments are a mistake.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.usage()
			return err
		}
		return usagef("%v (see: go run ./ci %s -h)", err, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see: go run ./ci %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}

// buildFlags are the flags every building job shares, as the user typed them.
type buildFlags struct {
	version, os          string
	artifact, url, sum   string
	java                 string
	aptMirror, apkMirror string
}

func (b *buildFlags) register(fs *flagSet, versionDefault string) {
	fs.StringVar(&b.version, "version", versionDefault, "FIT `version`, e.g. 3.6.0 (a leading v is dropped)")
	fs.StringVar(&b.artifact, "artifact", "", "the release zip on this machine (a `path`), instead of downloading it")
	fs.StringVar(&b.url, "url", "", "download `URL` of the release zip ({version} is replaced; default: the GitHub release)")
	fs.StringVar(&b.sum, "checksum", "", "expected `sha256` of the release zip: sha256:HEX or HEX")
	fs.StringVar(&b.java, "java", "jre", "Java 17 `flavour`: jre (smaller) or jdk (upstream parity)")
	fs.StringVar(&b.aptMirror, "apt-mirror", "", "Debian mirror `URL` replacing deb.debian.org, e.g. http://mirrors.example.com/debian")
	fs.StringVar(&b.apkMirror, "apk-mirror", "", "Alpine mirror `URL` replacing dl-cdn.alpinelinux.org/alpine")
}

// buildInputs are buildFlags validated.
type buildInputs struct {
	v        release.Version
	java     catalog.Java
	mirrors  map[catalog.PackageManager]string
	artifact artifactSpec
}

func (b *buildFlags) parse() (buildInputs, error) {
	var in buildInputs
	var err error
	if in.v, err = release.ParseVersion(b.version); err != nil {
		return in, asUsage(err)
	}
	if in.java, err = catalog.ParseJava(b.java); err != nil {
		return in, asUsage(err)
	}
	if in.mirrors, err = parseMirrors(b.aptMirror, b.apkMirror); err != nil {
		return in, err
	}
	in.artifact, err = parseArtifact(in.v, b.artifact, b.url, b.sum)
	return in, err
}

// mirror returns the package mirror for an OS.
func (in buildInputs) mirror(o catalog.OS) string { return in.mirrors[o.Manager] }

func parseMirrors(apt, apk string) (map[catalog.PackageManager]string, error) {
	m, err := options.Mirrors(apt, apk)
	return m, asUsage(err)
}

// oneOS validates a required single --os.
func oneOS(name string) (catalog.OS, error) {
	o, err := catalog.Lookup(name)
	return o, asUsage(err)
}

// selectOSes applies --os and --skip-os to the catalog.
func selectOSes(only, skip string) ([]catalog.OS, error) {
	oses, err := options.OSes(only, skip)
	return oses, asUsage(err)
}

func parseRegistry(s string) (release.Registry, error) {
	r, err := release.ParseRegistry(s)
	return r, asUsage(err)
}

func parsePlatforms(s string) ([]release.Platform, error) {
	p, err := release.ParsePlatforms(s)
	return p, asUsage(err)
}

func parseTimeout(s string) (time.Duration, error) {
	d, err := options.Timeout(s)
	return d, asUsage(err)
}

// artifactSpec says where the release zip comes from: a local file or a URL.
type artifactSpec struct {
	path     string // absolute path of --artifact, or empty
	url      string // resolved download URL when no --artifact
	checksum string // "sha256:hex" or empty
}

func (a artifactSpec) String() string {
	if a.path != "" {
		return a.path
	}
	return a.url
}

func parseArtifact(v release.Version, path, url, checksum string) (artifactSpec, error) {
	var a artifactSpec
	var err error
	if a.checksum, err = release.ParseChecksum(checksum); err != nil {
		return a, asUsage(err)
	}
	path, url = strings.TrimSpace(path), strings.TrimSpace(url)
	if path != "" && url != "" {
		return a, usagef("pass either --artifact or --url, not both")
	}
	if path != "" {
		if a.path, err = filepath.Abs(path); err != nil {
			return a, asUsage(err)
		}
		st, err := os.Stat(a.path)
		if err != nil {
			return a, usagef("--artifact %s: %v", path, errors.Unwrap(err))
		}
		if !st.Mode().IsRegular() {
			return a, usagef("--artifact %s is not a regular file: pass the release zip %s.zip", path, v)
		}
		return a, nil
	}
	a.url, err = release.ArtifactURL(v, url)
	return a, asUsage(err)
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Secret is a string that never prints: fmt shows "***" for it, and where fmt bypasses String
// (a Secret inside a struct reached through an unexported field) it finds only a function.
type Secret struct{ get func() string }

func newSecret(v string) Secret { return Secret{func() string { return v }} }

func (s Secret) String() string   { return "***" }
func (s Secret) GoString() string { return "***" }

// Value is the secret itself, for the engine (SetSecret) and the registry login, nothing else.
func (s Secret) Value() string {
	if s.get == nil {
		return ""
	}
	return s.get()
}

// Credentials is a registry login whose password came from an environment variable.
type Credentials struct {
	Username string
	Password Secret
}

// readCredentials takes --username and --password-env VAR: the password is read from VAR (never
// from the command line, where it would show in the process list and the log) and masked at once.
// Both or neither must be given.
func readCredentials(username, passwordEnv string, getenv func(string) string, rep Reporter) (*Credentials, error) {
	username, passwordEnv = strings.TrimSpace(username), strings.TrimSpace(passwordEnv)
	switch {
	case username == "" && passwordEnv == "":
		return nil, nil
	case username == "":
		return nil, usagef("--password-env %s needs --username: a registry login takes both", passwordEnv)
	case passwordEnv == "":
		return nil, usagef("--username %s needs --password-env VAR: the password is read from that environment variable", username)
	}
	if !envName.MatchString(passwordEnv) {
		return nil, usagef("--password-env takes the NAME of an environment variable (such as REGISTRY_PASSWORD), not a password")
	}
	pw := getenv(passwordEnv)
	if pw == "" {
		return nil, usagef("--password-env %s: that environment variable is empty or unset", passwordEnv)
	}
	rep.Mask(pw)
	return &Credentials{Username: username, Password: newSecret(pw)}, nil
}
