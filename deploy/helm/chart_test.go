//go:build chart

// The chart's checks (make test-chart): helm lint, helm template with the
// default, production and other values, kubeconform -strict on every
// rendered manifest against schemas generated here from the Kubernetes API
// and CloudNativePG's CRD, then what a reviewer looks for in the manifests.
package helm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSchemasRefuseWhatKubernetesWould shows the validation can fail: a
// field the API does not have, a value of the wrong type and a kind
// without a schema are each refused.
func TestSchemasRefuseWhatKubernetesWould(t *testing.T) {
	kubeconform := tool(t, "KUBECONFORM", "kubeconform")
	location := schemas(t)
	for _, tc := range []struct{ what, manifest string }{
		{"an unknown field", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: x, image: x}]}}\n"},
		{"a wrong type", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: eighty}]}\n"},
		{"an unknown field of the CNPG Cluster", "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: x}\nspec: {instances: 1, instancez: 2, storage: {size: 1Gi}}\n"},
		{"a kind without a schema", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x}\n"},
	} {
		file := filepath.Join(t.TempDir(), "manifest.yaml")
		if err := os.WriteFile(file, []byte(tc.manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(kubeconform, "-strict", "-schema-location", location, file).CombinedOutput()
		if err == nil {
			t.Errorf("%s passed kubeconform -strict:\n%s", tc.what, out)
		}
	}
}

// values are the renderings checked: each with its helm arguments.
var values = []struct {
	name string
	args []string
}{
	{"default", nil},
	{"production", []string{"-f", chart + "/values-production.yaml"}},
	{"external PostgreSQL", []string{"--set", "postgresql.mode=external",
		"--set", "postgresql.external.existingSecret=gongyak-database", "--set", "postgresql.external.cidr=10.20.0.0/16"}},
	{"TLS between services", []string{"--set", "tls.enabled=true", "--set", "tls.secretName=gongyak-tls",
		"--set", "telemetry.otlpEndpoint=http://collector:4318"}},
}

func TestLint(t *testing.T) {
	helm := tool(t, "HELM", "helm")
	for _, v := range values {
		t.Run(v.name, func(t *testing.T) {
			out := run(t, helm, append([]string{"lint", "--strict", chart}, v.args...)...)
			if !bytes.Contains(out, []byte("0 chart(s) failed")) {
				t.Errorf("helm lint:\n%s", out)
			}
		})
	}
}

func TestRenderedManifestsAreValidAndSafe(t *testing.T) {
	helm := tool(t, "HELM", "helm")
	kubeconform := tool(t, "KUBECONFORM", "kubeconform")
	for _, v := range values {
		t.Run(v.name, func(t *testing.T) {
			raw, objects := render(t, helm, v.args...)
			validate(t, kubeconform, raw, len(objects))
			byKind := map[string][]object{}
			for _, o := range objects {
				byKind[o.kind()] = append(byKind[o.kind()], o)
			}
			checkDeployments(t, byKind["Deployment"], v.name == "TLS between services")
			checkServices(t, byKind["Service"])
			checkNetworkPolicies(t, byKind["NetworkPolicy"], byKind["Cluster"] != nil)
			if got := len(byKind["PodDisruptionBudget"]); got != 6 {
				t.Errorf("%d PodDisruptionBudgets; want one per component, 6", got)
			}
			if byKind["Cluster"] != nil {
				checkCNPG(t, byKind)
			}
			switch v.name {
			case "default":
				if len(byKind["HorizontalPodAutoscaler"]) != 0 || len(byKind["Cluster"]) != 1 {
					t.Errorf("default: %d autoscalers, %d CNPG Clusters; want none and one", len(byKind["HorizontalPodAutoscaler"]), len(byKind["Cluster"]))
				}
			case "production":
				checkProduction(t, byKind)
			case "external PostgreSQL":
				if len(byKind["Cluster"]) != 0 {
					t.Error("external PostgreSQL: a CNPG Cluster rendered all the same")
				}
			}
		})
	}
}
