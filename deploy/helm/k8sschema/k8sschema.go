// Package k8sschema turns Kubernetes' OpenAPI documents and
// CustomResourceDefinitions into the JSON schemas kubeconform reads, one
// file per kind, so that rendered manifests are checked offline against
// the API of a known Kubernetes version.
//
// The schemas are strict, as kubeconform's -strict expects of its
// "-strict" schemas: an object that lists its properties admits no other
// (unless the API says it keeps unknown fields), and apiVersion and kind
// must be the schema's own. Each file stands alone: the definitions it
// refers to are copied into it.
package k8sschema

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Schema is the schema of one kind in one API version.
type Schema struct {
	Group, Version, Kind string
	// Body is the JSON schema.
	Body map[string]any
}

// APIVersion is the apiVersion a manifest of the kind gives: v1 for the
// core group, group/version for the others.
func (s Schema) APIVersion() string {
	if s.Group == "" {
		return s.Version
	}
	return s.Group + "/" + s.Version
}

// FileName is where kubeconform looks for the schema under a location of
// the form {dir}/{{ .ResourceKind }}{{ .KindSuffix }}.json: the kind in
// lower case, then the group's first label (when there is a group) and the
// version, such as deployment-apps-v1.json or service-v1.json.
func (s Schema) FileName() string {
	suffix := "-" + strings.ToLower(s.Version)
	if s.Group != "" {
		first, _, _ := strings.Cut(s.Group, ".")
		suffix = "-" + strings.ToLower(first) + suffix
	}
	return strings.ToLower(s.Kind) + suffix + ".json"
}

// Write writes each schema into dir under its FileName.
func Write(dir string, schemas []Schema) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range schemas {
		body, err := json.Marshal(s.Body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", s.APIVersion(), s.Kind, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.FileName()), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

const componentRef = "#/components/schemas/"

// FromOpenAPI returns the schema of every kind an OpenAPI v3 document of
// the Kubernetes API defines (api/openapi-spec/v3 in k8s.io/kubernetes).
// Types used by several kinds (DeleteOptions, WatchEvent) are left out:
// no manifest is one.
func FromOpenAPI(doc []byte) ([]Schema, error) {
	var spec struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		return nil, err
	}
	defs := spec.Components.Schemas
	var out []Schema
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		gvks, _ := defs[name]["x-kubernetes-group-version-kind"].([]any)
		if len(gvks) != 1 {
			continue
		}
		gvk, _ := gvks[0].(map[string]any)
		s := Schema{Group: str(gvk["group"]), Version: str(gvk["version"]), Kind: str(gvk["kind"])}
		if s.Kind == "" || s.Version == "" {
			return nil, fmt.Errorf("%s: a group-version-kind without kind or version", name)
		}
		body := convert(defs[name]).(map[string]any)
		// The definitions it refers to, and theirs, copied in.
		definitions := map[string]any{}
		pending := refs(body)
		for len(pending) > 0 {
			ref := pending[0]
			pending = pending[1:]
			if _, done := definitions[ref]; done {
				continue
			}
			def, ok := defs[ref]
			if !ok {
				return nil, fmt.Errorf("%s refers to %s, which the document does not define", name, ref)
			}
			converted := convert(def).(map[string]any)
			definitions[ref] = converted
			pending = append(pending, refs(converted)...)
		}
		if len(definitions) > 0 {
			body["definitions"] = definitions
		}
		pin(body, s)
		out = append(out, s)
		out[len(out)-1].Body = body
	}
	return out, nil
}

// FromCRD returns the schema of each version a CustomResourceDefinition
// (YAML or JSON) serves.
func FromCRD(doc []byte) ([]Schema, error) {
	var crd struct {
		Kind string `yaml:"kind"`
		Spec struct {
			Group string `yaml:"group"`
			Names struct {
				Kind string `yaml:"kind"`
			} `yaml:"names"`
			Versions []struct {
				Name   string `yaml:"name"`
				Served bool   `yaml:"served"`
				Schema struct {
					OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
				} `yaml:"schema"`
			} `yaml:"versions"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(doc, &crd); err != nil {
		return nil, err
	}
	if crd.Kind != "CustomResourceDefinition" || crd.Spec.Names.Kind == "" {
		return nil, fmt.Errorf("not a CustomResourceDefinition (kind %q)", crd.Kind)
	}
	var out []Schema
	for _, v := range crd.Spec.Versions {
		if !v.Served || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		s := Schema{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
		body := convert(v.Schema.OpenAPIV3Schema).(map[string]any)
		pin(body, s)
		s.Body = body
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("CustomResourceDefinition of %s serves no version with a schema", crd.Spec.Names.Kind)
	}
	return out, nil
}

// pin makes a kind's schema require its own apiVersion and kind.
func pin(body map[string]any, s Schema) {
	props, _ := body["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		body["properties"] = props
	}
	props["apiVersion"] = map[string]any{"type": "string", "enum": []any{s.APIVersion()}}
	props["kind"] = map[string]any{"type": "string", "enum": []any{s.Kind}}
	required, _ := body["required"].([]any)
	for _, name := range []string{"apiVersion", "kind"} {
		if !slices.Contains(required, any(name)) {
			required = append(required, name)
		}
	}
	body["required"] = required
}

// convert returns a copy of an OpenAPI schema as JSON schema: references
// point into the file's definitions, nullable becomes a "null" type, and
// an object listing its properties admits no others unless it keeps
// unknown fields.
func convert(node any) any {
	switch n := node.(type) {
	case map[string]any:
		out := make(map[string]any, len(n)+1)
		for k, v := range n {
			switch k {
			case "$ref":
				if ref, ok := v.(string); ok && strings.HasPrefix(ref, componentRef) {
					v = "#/definitions/" + strings.TrimPrefix(ref, componentRef)
				}
				out[k] = v
			case "properties", "patternProperties", "definitions":
				// Maps of names to schemas: every value is a schema.
				props, _ := v.(map[string]any)
				converted := make(map[string]any, len(props))
				for name, p := range props {
					converted[name] = convert(p)
				}
				out[k] = converted
			case "enum", "default", "example", "required":
				out[k] = v // values, not schemas
			default:
				out[k] = convert(v)
			}
		}
		if nullable, _ := n["nullable"].(bool); nullable {
			if t, ok := n["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
		}
		_, listsProperties := n["properties"]
		_, saysAdditional := n["additionalProperties"]
		keeps, _ := n["x-kubernetes-preserve-unknown-fields"].(bool)
		if listsProperties && !saysAdditional && !keeps {
			out["additionalProperties"] = false
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = convert(v)
		}
		return out
	default:
		return n
	}
}

// refs lists the definitions a converted schema refers to.
func refs(node any) []string {
	var out []string
	var walk func(any)
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				if name, ok := strings.CutPrefix(ref, "#/definitions/"); ok {
					out = append(out, name)
				}
			}
			for k, v := range n {
				if k != "definitions" {
					walk(v)
				}
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(node)
	return out
}

func str(v any) string { s, _ := v.(string); return s }
