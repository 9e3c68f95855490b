package k8sschema

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"
)

// doc is a small OpenAPI v3 document of the shape k8s.io/kubernetes ships.
const doc = `{"components": {"schemas": {
  "io.k8s.api.apps.v1.Deployment": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
    "properties": {
      "apiVersion": {"type": "string"}, "kind": {"type": "string"},
      "spec": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}], "default": {}}
    }
  },
  "io.k8s.api.apps.v1.DeploymentSpec": {
    "type": "object",
    "properties": {
      "replicas": {"type": "integer"},
      "paused": {"type": "boolean", "nullable": true},
      "labels": {"type": "object", "additionalProperties": {"type": "string"}},
      "raw": {"type": "object", "properties": {"a": {"type": "string"}}, "x-kubernetes-preserve-unknown-fields": true}
    }
  },
  "io.k8s.api.core.v1.Service": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Service"}],
    "properties": {"spec": {"type": "object", "properties": {"type": {"type": "string"}}}}
  },
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "DeleteOptions"}, {"group": "apps", "version": "v1", "kind": "DeleteOptions"}]
  }
}}}`

func TestFromOpenAPI(t *testing.T) {
	schemas, err := FromOpenAPI([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]Schema{}
	for _, s := range schemas {
		byFile[s.FileName()] = s
	}
	if len(byFile) != 2 || byFile["deployment-apps-v1.json"].Kind != "Deployment" || byFile["service-v1.json"].Kind != "Service" {
		t.Fatalf("files %v; want deployment-apps-v1.json and service-v1.json only (DeleteOptions belongs to no one kind)", slices.Sorted(maps.Keys(byFile)))
	}
	deployment := byFile["deployment-apps-v1.json"].Body
	spec := deployment["definitions"].(map[string]any)["io.k8s.api.apps.v1.DeploymentSpec"].(map[string]any)
	props := spec["properties"].(map[string]any)
	for _, tc := range []struct {
		what string
		got  any
		want any
	}{
		{"the kind's own object admits no other property", deployment["additionalProperties"], false},
		{"a referred definition admits no other property", spec["additionalProperties"], false},
		{"the reference points into the file", deployment["properties"].(map[string]any)["spec"].(map[string]any)["allOf"].([]any)[0].(map[string]any)["$ref"], "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"},
		{"nullable admits null", props["paused"].(map[string]any)["type"], []any{"boolean", "null"}},
		{"a map keeps its value schema", props["labels"].(map[string]any)["additionalProperties"], map[string]any{"type": "string"}},
		{"unknown fields kept stay admitted", props["raw"].(map[string]any)["additionalProperties"], nil},
		{"apiVersion is the kind's", deployment["properties"].(map[string]any)["apiVersion"].(map[string]any)["enum"], []any{"apps/v1"}},
		{"kind is the kind's", deployment["properties"].(map[string]any)["kind"].(map[string]any)["enum"], []any{"Deployment"}},
		{"core apiVersion has no group", byFile["service-v1.json"].Body["properties"].(map[string]any)["apiVersion"].(map[string]any)["enum"], []any{"v1"}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: %#v; want %#v", tc.what, tc.got, tc.want)
		}
	}
	if _, err := json.Marshal(deployment); err != nil {
		t.Errorf("the schema does not marshal: %v", err)
	}
}

func TestFromCRD(t *testing.T) {
	crd := `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: postgresql.cnpg.io
  names: {kind: Cluster}
  versions:
    - name: v1
      served: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                instances: {type: integer}
    - name: v0
      served: false
      schema:
        openAPIV3Schema: {type: object}
`
	schemas, err := FromCRD([]byte(crd))
	if err != nil {
		t.Fatal(err)
	}
	if len(schemas) != 1 || schemas[0].FileName() != "cluster-postgresql-v1.json" {
		t.Fatalf("%d schemas, first %q; want the one served, cluster-postgresql-v1.json", len(schemas), schemas[0].FileName())
	}
	spec := schemas[0].Body["properties"].(map[string]any)["spec"].(map[string]any)
	if spec["additionalProperties"] != false {
		t.Errorf("spec admits other properties: %v", spec["additionalProperties"])
	}
	if _, err := FromCRD([]byte("kind: ConfigMap\n")); err == nil {
		t.Error("a ConfigMap taken for a CustomResourceDefinition")
	}
}
