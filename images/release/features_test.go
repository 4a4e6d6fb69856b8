package release

import "testing"

func TestFeaturesByVersion(t *testing.T) {
	for _, c := range []struct {
		v               string
		health, pluginD bool
	}{
		{"3.6.0", false, false}, {"3.6.1", false, false}, {"3.6.2", false, true}, {"3.6.3", true, true},
		{"3.6.4", true, true}, {"3.6.3-rc.1", true, true}, {"3.7.0", true, true}, {"4.0.0", true, true}, {"3.5.9", false, false},
	} {
		v, err := ParseVersion(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if v.ServesHealth() != c.health || v.HasPluginDirOption() != c.pluginD {
			t.Errorf("%s: ServesHealth %v HasPluginDirOption %v, want %v %v", c.v, v.ServesHealth(), v.HasPluginDirOption(), c.health, c.pluginD)
		}
	}
}
