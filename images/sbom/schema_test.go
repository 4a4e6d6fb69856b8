package sbom

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xeipuuv/gojsonschema"
)

// schemaDir is the folder of CycloneDX's JSON schemas that the cyclonedx-go module ships.
func schemaDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	require.NoError(t, err, "go list of the cyclonedx-go module")
	return filepath.Join(strings.TrimSpace(string(out)), "schema")
}

// TestSchema validates Generate's output against CycloneDX's own 1.6 JSON schema (with the SPDX
// licence list and JSF it refers to), and shows that the validation can fail.
func TestSchema(t *testing.T) {
	dir := schemaDir(t)
	file := func(name string) gojsonschema.JSONLoader {
		return gojsonschema.NewReferenceLoader("file://" + filepath.Join(dir, name))
	}
	// the schema refers to these by the URLs of its own $id: served from the files, not fetched
	sl := gojsonschema.NewSchemaLoader()
	require.NoError(t, sl.AddSchema("http://cyclonedx.org/schema/spdx.schema.json", file("spdx.schema.json")))
	require.NoError(t, sl.AddSchema("http://cyclonedx.org/schema/jsf-0.82.schema.json", file("jsf-0.82.schemax.json")))
	schema, err := sl.Compile(file("bom-1.6.schema.json"))
	require.NoError(t, err)
	for name, in := range map[string]Input{"debian": debianInput(), "alpine": alpineInput()} {
		b, err := Generate(in)
		require.NoError(t, err)
		res, err := schema.Validate(gojsonschema.NewBytesLoader(b))
		require.NoError(t, err)
		require.True(t, res.Valid(), "%s: %v", name, res.Errors())

		var doc map[string]any
		require.NoError(t, json.Unmarshal(b, &doc))
		doc["components"].([]any)[0].(map[string]any)["type"] = "no-such-type"
		res, err = schema.Validate(gojsonschema.NewGoLoader(doc))
		require.NoError(t, err)
		require.False(t, res.Valid(), "%s: the schema must refuse a component of an unknown type", name)
	}
}
