package options

import "strings"

// ModuleFlags are the flags of the module's constructor (New, settings.go): the settings its
// functions share. `dagger call` takes them before the function name; each takes a value.
var ModuleFlags = []string{
	"registry", "username", "password", "registry-service",
	"staging", "staging-username", "staging-password", "staging-service",
	"artifact", "url", "checksum", "checksums-file", "api-url", "token", "api-service",
	"java", "apt-mirror", "apk-mirror",
	"signing-key", "signing-password",
}

// IsModuleFlag reports whether --name is a constructor flag.
func IsModuleFlag(name string) bool {
	for _, f := range ModuleFlags {
		if f == name {
			return true
		}
	}
	return false
}

// CallArgs orders the arguments of `dagger call` as the CLI wants them: the module flags first,
// then the function and its own flags, each group in the order given. So a caller (the CI driver,
// the tests) may pass `release-check --version 3.6.1 --staging S` and run
// `--staging S release-check --version 3.6.1`. A module flag's value is the next argument unless
// written --flag=value. It reads flags by name only: a chained call's flag that shares a module
// flag's name (Container's with-registry-auth --username) would move too, so such a line is
// written in place and not passed through here.
func CallArgs(args []string) []string {
	var module, rest []string
	for i := 0; i < len(args); i++ {
		name, _, inline := strings.Cut(strings.TrimPrefix(args[i], "--"), "=")
		if !strings.HasPrefix(args[i], "--") || !IsModuleFlag(name) {
			rest = append(rest, args[i])
			continue
		}
		module = append(module, args[i])
		if !inline && i+1 < len(args) {
			i++
			module = append(module, args[i])
		}
	}
	return append(module, rest...)
}
