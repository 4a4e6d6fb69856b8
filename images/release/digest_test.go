package release

import "testing"

func TestDigestOf(t *testing.T) {
	const d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for ref, want := range map[string]string{
		"modelengine/fit-framework@" + d:                               d,
		"localhost:5000/team/fit-framework:3.6.1-debian@" + d:          d, // a port and a tag before it
		"ghcr.io/o/fit-images-staging/fit-framework:3.6.1-debian@" + d: d,
		d:                            d, // a digest already
		"user@host/x@" + d:           d, // malformed: the first '@' would answer "host/x@sha256:…"
		"fit-framework@":             "",
		"":                           "",
		"fit-framework:3.6.1-debian": "fit-framework:3.6.1-debian", // no digest: as given
	} {
		if got := DigestOf(ref); got != want {
			t.Errorf("DigestOf(%q) = %q; want %q", ref, got, want)
		}
	}
}
