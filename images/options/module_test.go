package options

import (
	"slices"
	"testing"
)

func TestCallArgs(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want []string
	}{
		{"no module flag", []string{"build-all", "--version", "3.6.0"}, []string{"build-all", "--version", "3.6.0"}},
		{"moved before the function", []string{"build-all", "--registry", "r/", "--push"}, []string{"--registry", "r/", "build-all", "--push"}},
		{"inline value", []string{"tags", "--registry=r/", "--os", "debian"}, []string{"--registry=r/", "tags", "--os", "debian"}},
		{"already in place", []string{"--java", "jdk", "check", "--os", "debian"}, []string{"--java", "jdk", "check", "--os", "debian"}},
		{"order kept in each group", []string{"promote", "--version", "3.6.1", "--password", "env:P", "--latest", "auto", "--username", "u"},
			[]string{"--password", "env:P", "--username", "u", "promote", "--version", "3.6.1", "--latest", "auto"}},
		{"a flag's value is not a flag", []string{"end-to-end", "--os", "debian", "--format", "json"}, []string{"end-to-end", "--os", "debian", "--format", "json"}},
		{"chained calls keep their place", []string{"build", "--os", "debian", "--url", "http://x/{version}.zip", "as-tarball", "export", "--path", "fit.tar"},
			[]string{"--url", "http://x/{version}.zip", "build", "--os", "debian", "as-tarball", "export", "--path", "fit.tar"}},
		{"a trailing module flag without value", []string{"tags", "--registry"}, []string{"--registry", "tags"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CallArgs(c.in); !slices.Equal(got, c.want) {
				t.Errorf("CallArgs(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
