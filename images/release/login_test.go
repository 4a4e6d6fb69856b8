package release

import "testing"

func TestLogin(t *testing.T) {
	for _, c := range []struct {
		user     string
		password bool
		prefix   string
		want     string
	}{
		{"", false, "", ""},
		{"me", true, "", ""},
		{"me", false, "", "registry login needs both --username and --password"},
		{"", true, "", "registry login needs both --username and --password"},
		{"", false, "staging-", ""},
		{"ci", true, "staging-", ""},
		{"ci", false, "staging-", "staging login needs both --staging-username and --staging-password"},
		{"", true, "staging-", "staging login needs both --staging-username and --staging-password"},
	} {
		got := "" // accepted
		if err := Login(c.user, c.password, c.prefix); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Login(%q, %v, %q) = %q; want %q", c.user, c.password, c.prefix, got, c.want)
		}
	}
}
