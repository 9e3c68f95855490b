//go:build chart

// The chart's checks (make test-chart): helm lint, helm template with the
// default, production and other values, kubeconform -strict on every
// rendered manifest against schemas generated here from the Kubernetes API
// and CloudNativePG's CRD, then what a reviewer looks for in the manifests.
package helm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gongyak/gongyak/deploy/helm/k8sschema"
	"go.yaml.in/yaml/v3"
)

// The versions the chart is checked against, fetched as Go modules (the
// module proxy serves both) for their API documents.
const (
	kubernetesModule  = "k8s.io/kubernetes"
	kubernetesVersion = "v1.35.4"
	cnpgModule        = "github.com/cloudnative-pg/cloudnative-pg"
	cnpgVersion       = "v1.27.1"
	cnpgCRD           = "config/crd/bases/postgresql.cnpg.io_clusters.yaml"
)

const chart = "gongyak"

// services are the chart's gRPC services; the gateway is the sixth
// component.
var services = []string{"pledge", "budget", "indicator", "participation", "events"}

// tool is the path of a tool make test-chart installs: $HELM or
// $KUBECONFORM, else its name in .cache/chart/bin.
func tool(t *testing.T, env, name string) string {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		path = filepath.Join(cacheDir(t), "bin", name)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing (%v): make test-chart installs it, or set %s", name, err, env)
	}
	return path
}

// cacheDir is the repository's ignored .cache/chart.
func cacheDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../.cache/chart")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs a command and returns its output, failing with it when the
// command fails.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	// helm keeps no state of ours: its folders are the test's.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home, "HELM_CONFIG_HOME="+home, "HELM_DATA_HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

// moduleDir downloads a module into the module cache and returns its
// folder.
func moduleDir(t *testing.T, path, version string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", path+"@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr != nil || info.Dir == "" {
		t.Fatalf("go mod download %s@%s: %v %s %s", path, version, err, info.Error, out)
	}
	return info.Dir
}

var (
	schemasOnce sync.Once
	schemasDir  string
	schemasErr  error
)

// schemas generates the strict schemas once into .cache/chart/schemas-…,
// kept between runs, and returns kubeconform's location template for them.
func schemas(t *testing.T) string {
	t.Helper()
	schemasOnce.Do(func() {
		dir := filepath.Join(cacheDir(t), "schemas-"+kubernetesVersion+"-cnpg-"+cnpgVersion)
		stamp := filepath.Join(dir, ".complete")
		if _, err := os.Stat(stamp); err == nil {
			schemasDir = dir
			return
		}
		schemasErr = generate(t, dir)
		if schemasErr == nil {
			schemasErr = os.WriteFile(stamp, nil, 0o644)
		}
		schemasDir = dir
	})
	if schemasErr != nil {
		t.Fatalf("generating schemas: %v", schemasErr)
	}
	return filepath.Join(schemasDir, "{{ .ResourceKind }}{{ .KindSuffix }}.json")
}

// generate writes the schema of every kind of the Kubernetes API and of
// CloudNativePG's Cluster into dir.
func generate(t *testing.T, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	k8s := filepath.Join(moduleDir(t, kubernetesModule, kubernetesVersion), "api", "openapi-spec", "v3")
	docs, err := filepath.Glob(filepath.Join(k8s, "*_openapi.json"))
	if err != nil || len(docs) == 0 {
		return fmt.Errorf("no OpenAPI documents in %s (%v)", k8s, err)
	}
	var all []k8sschema.Schema
	for _, doc := range docs {
		body, err := os.ReadFile(doc)
		if err != nil {
			return err
		}
		s, err := k8sschema.FromOpenAPI(body)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(doc), err)
		}
		all = append(all, s...)
	}
	crd, err := os.ReadFile(filepath.Join(moduleDir(t, cnpgModule, cnpgVersion), cnpgCRD))
	if err != nil {
		return err
	}
	s, err := k8sschema.FromCRD(crd)
	if err != nil {
		return fmt.Errorf("%s: %w", cnpgCRD, err)
	}
	all = append(all, s...)
	t.Logf("%d schemas from %s@%s (%d documents) and %s@%s", len(all), kubernetesModule, kubernetesVersion, len(docs), cnpgModule, cnpgVersion)
	return k8sschema.Write(dir, all)
}

// object is one rendered manifest.
type object map[string]any

func (o object) kind() string { return str(o["kind"]) }
func (o object) name() string { return str(dig(o, "metadata", "name")) }
func (o object) component() string {
	return str(dig(o, "metadata", "labels", "app.kubernetes.io/component"))
}

// dig follows keys (and list indexes) into a decoded manifest; nil where
// there is nothing.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			if m == nil {
				if o, ok := v.(object); ok {
					m = o
				}
			}
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any) string { s, _ := v.(string); return s }

func list(v any) []any { l, _ := v.([]any); return l }

// render runs helm template with args and returns the manifests.
func render(t *testing.T, helm string, args ...string) (raw []byte, objects []object) {
	t.Helper()
	raw = run(t, helm, append([]string{"template", "gongyak", chart, "--namespace", "gongyak",
		"--kube-version", kubernetesVersion}, args...)...)
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var o map[string]any
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("rendered manifests are not YAML: %v", err)
		}
		if o != nil {
			objects = append(objects, object(o))
		}
	}
	return raw, objects
}

// validate runs kubeconform -strict on the manifests and fails unless
// every one is valid against its schema.
func validate(t *testing.T, kubeconform string, raw []byte, count int) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "manifests.yaml")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(kubeconform, "-strict", "-summary", "-output", "json",
		"-kubernetes-version", strings.TrimPrefix(kubernetesVersion, "v"),
		"-schema-location", schemas(t), file)
	out, err := cmd.CombinedOutput()
	var report struct {
		Resources []struct {
			Kind, Name, Status, Msg string
		}
		Summary struct{ Valid, Invalid, Errors, Skipped int }
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Fatalf("kubeconform: %v, %v\n%s", err, jerr, out)
	}
	for _, r := range report.Resources {
		t.Errorf("kubeconform: %s %s: %s %s", r.Kind, r.Name, r.Status, r.Msg)
	}
	if s := report.Summary; err != nil || s.Valid != count || s.Invalid+s.Errors+s.Skipped != 0 {
		t.Fatalf("kubeconform -strict: %v; %d valid, %d invalid, %d errors, %d skipped of %d manifests", err, s.Valid, s.Invalid, s.Errors, s.Skipped, count)
	}
}

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

// checkDeployments: six components, each container non-root with a
// read-only root and limits, probed as the README says.
func checkDeployments(t *testing.T, deployments []object, tls bool) {
	t.Helper()
	seen := map[string]bool{}
	for _, d := range deployments {
		c := d.component()
		seen[c] = true
		pod := dig(d, "spec", "template", "spec")
		for _, check := range []struct {
			path []any
			want any
		}{
			{[]any{"securityContext", "runAsNonRoot"}, true},
			{[]any{"securityContext", "runAsUser"}, 65532},
			{[]any{"securityContext", "seccompProfile", "type"}, "RuntimeDefault"},
			{[]any{"automountServiceAccountToken"}, false},
		} {
			if got := dig(pod, check.path...); got != check.want {
				t.Errorf("%s: pod %v = %v; want %v", d.name(), check.path, got, check.want)
			}
		}
		containers := list(dig(pod, "containers"))
		if len(containers) != 1 {
			t.Fatalf("%s: %d containers; want 1", d.name(), len(containers))
		}
		ctr := containers[0]
		for _, check := range []struct {
			path []any
			want any
		}{
			{[]any{"securityContext", "runAsNonRoot"}, true},
			{[]any{"securityContext", "runAsUser"}, 65532},
			{[]any{"securityContext", "readOnlyRootFilesystem"}, true},
			{[]any{"securityContext", "allowPrivilegeEscalation"}, false},
			{[]any{"securityContext", "privileged"}, false},
			{[]any{"securityContext", "capabilities", "drop", 0}, "ALL"},
			{[]any{"securityContext", "seccompProfile", "type"}, "RuntimeDefault"},
		} {
			if got := dig(ctr, check.path...); got != check.want {
				t.Errorf("%s: container %v = %v; want %v", d.name(), check.path, got, check.want)
			}
		}
		if len(list(dig(ctr, "securityContext", "capabilities", "add"))) != 0 {
			t.Errorf("%s: adds capabilities", d.name())
		}
		for _, r := range []string{"limits", "requests"} {
			for _, res := range []string{"cpu", "memory"} {
				if dig(ctr, "resources", r, res) == nil {
					t.Errorf("%s: no %s %s", d.name(), res, r)
				}
			}
		}
		env := map[string]any{}
		for _, e := range list(dig(ctr, "env")) {
			env[str(dig(e, "name"))] = e
		}
		if c == "gateway" {
			for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
				if got := dig(ctr, probe, "httpGet", "path"); got != path {
					t.Errorf("gateway: %s GET %v; want %s", probe, got, path)
				}
			}
			for name := range env {
				if strings.Contains(name, "DATABASE_URL") || name == "PGPASSWORD" || name == "GONGYAK_CITIZEN_KEY" {
					t.Errorf("gateway: given %s, which it has no use for", name)
				}
			}
			continue
		}
		port := dig(ctr, "ports", 0, "containerPort")
		if tls {
			// The kubelet's gRPC probe speaks no TLS.
			if dig(ctr, "readinessProbe", "tcpSocket") == nil || dig(ctr, "livenessProbe", "tcpSocket") == nil {
				t.Errorf("%s with TLS: probes %v %v; want TCP connects", c, dig(ctr, "readinessProbe"), dig(ctr, "livenessProbe"))
			}
		} else {
			if got := dig(ctr, "readinessProbe", "grpc", "port"); got != port || str(dig(ctr, "readinessProbe", "grpc", "service")) != "" {
				t.Errorf("%s: readiness %v; want gRPC health of service \"\" on port %v", c, dig(ctr, "readinessProbe"), port)
			}
			if got := dig(ctr, "livenessProbe", "grpc", "port"); got != port || dig(ctr, "livenessProbe", "grpc", "service") != "liveness" {
				t.Errorf("%s: liveness %v; want gRPC health of service liveness on port %v", c, dig(ctr, "livenessProbe"), port)
			}
		}
		if env["GONGYAK_"+strings.ToUpper(c)+"_DATABASE_URL"] == nil {
			t.Errorf("%s: no GONGYAK_%s_DATABASE_URL", c, strings.ToUpper(c))
		}
		if (env["GONGYAK_CITIZEN_KEY"] != nil) != (c == "participation") {
			t.Errorf("%s: has the citizen key %v; only participation should", c, env["GONGYAK_CITIZEN_KEY"] != nil)
		}
		if dig(env["GONGYAK_METRICS_ADDR"], "value") != ":9464" || dig(d, "spec", "template", "metadata", "annotations", "prometheus.io/port") != "9464" {
			t.Errorf("%s: metrics at %v, scraped at %v; want :9464 both", c, dig(env["GONGYAK_METRICS_ADDR"], "value"),
				dig(d, "spec", "template", "metadata", "annotations", "prometheus.io/port"))
		}
	}
	for _, c := range append(services, "gateway") {
		if !seen[c] {
			t.Errorf("no Deployment of %s", c)
		}
	}
}

// checkServices: only the gateway's Service may be exposed beyond the
// cluster.
func checkServices(t *testing.T, svcs []object) {
	t.Helper()
	for _, s := range svcs {
		if typ := str(dig(s, "spec", "type")); s.component() != "gateway" && typ != "ClusterIP" {
			t.Errorf("Service %s is %s; only the gateway's may be reached from outside", s.name(), typ)
		}
	}
}

// checkNetworkPolicies: the release's pods are denied by default; only the
// gateway admits traffic from outside the release (scrapers aside, on the
// metrics port); only the services reach the database.
func checkNetworkPolicies(t *testing.T, policies []object, cnpg bool) {
	t.Helper()
	var denyAll bool
	for _, p := range policies {
		spec := dig(p, "spec")
		if dig(spec, "ingress") == nil && dig(spec, "egress") == nil && len(list(dig(spec, "policyTypes"))) == 2 {
			denyAll = dig(spec, "podSelector", "matchLabels", "app.kubernetes.io/instance") == "gongyak"
			continue
		}
		c := p.component()
		database := dig(spec, "podSelector", "matchLabels", "cnpg.io/cluster") != nil
		for _, rule := range list(dig(spec, "ingress")) {
			if database {
				break // checked below
			}
			ports := list(dig(rule, "ports"))
			onMetrics := len(ports) == 1 && dig(ports[0], "port") == "metrics"
			if onMetrics {
				continue
			}
			// A rule without from admits anyone; from a namespace or an
			// address block, anyone there.
			outside := len(list(dig(rule, "from"))) == 0
			for _, from := range list(dig(rule, "from")) {
				outside = outside || dig(from, "ipBlock") != nil || dig(from, "namespaceSelector") != nil
			}
			if outside && c != "gateway" {
				t.Errorf("NetworkPolicy %s admits traffic from outside the release: %v", p.name(), rule)
			}
		}
		for _, rule := range list(dig(spec, "egress")) {
			toDB := false
			for _, port := range list(dig(rule, "ports")) {
				toDB = toDB || dig(port, "port") == 5432
			}
			for _, to := range list(dig(rule, "to")) {
				toDB = toDB || dig(to, "podSelector", "matchLabels", "cnpg.io/cluster") != nil
			}
			if toDB && !slices.Contains(services, c) {
				t.Errorf("NetworkPolicy %s (%q) lets its pods reach the database; only the services may", p.name(), c)
			}
		}
		if database {
			for _, rule := range list(dig(spec, "ingress")) {
				for _, from := range list(dig(rule, "from")) {
					if dig(from, "podSelector", "matchLabels", "cnpg.io/cluster") != nil || dig(from, "namespaceSelector") != nil {
						continue // its own instances; the operator
					}
					var components []any
					for _, e := range list(dig(from, "podSelector", "matchExpressions")) {
						if dig(e, "key") == "app.kubernetes.io/component" {
							components = list(dig(e, "values"))
						}
					}
					if len(components) != len(services) {
						t.Errorf("the database admits %v; want the services only", from)
					}
					for _, c := range components {
						if !slices.Contains(services, str(c)) {
							t.Errorf("the database admits %v", c)
						}
					}
				}
			}
		}
	}
	if !denyAll {
		t.Error("no NetworkPolicy denies the release's pods everything by default")
	}
	if cnpg {
		var guarded bool
		for _, p := range policies {
			guarded = guarded || dig(p, "spec", "podSelector", "matchLabels", "cnpg.io/cluster") != nil
		}
		if !guarded {
			t.Error("the CNPG cluster's pods have no NetworkPolicy")
		}
	}
}

// checkProduction: several replicas, autoscaled, on a CNPG cluster of
// several instances.
func checkProduction(t *testing.T, byKind map[string][]object) {
	t.Helper()
	scaled := map[string]bool{}
	for _, h := range byKind["HorizontalPodAutoscaler"] {
		lo, _ := dig(h, "spec", "minReplicas").(int)
		hi, _ := dig(h, "spec", "maxReplicas").(int)
		if lo < 2 || hi <= lo {
			t.Errorf("%s scales %d..%d; want at least 2, and room to grow", h.name(), lo, hi)
		}
		scaled[str(dig(h, "spec", "scaleTargetRef", "name"))] = true
	}
	for _, d := range byKind["Deployment"] {
		if !scaled[d.name()] {
			t.Errorf("Deployment %s has no autoscaler", d.name())
		}
		if r := dig(d, "spec", "replicas"); r != nil {
			t.Errorf("Deployment %s fixes replicas %v beside its autoscaler", d.name(), r)
		}
	}
	clusters := byKind["Cluster"]
	if len(clusters) != 1 {
		t.Fatalf("%d CNPG Clusters; want 1", len(clusters))
	}
	if n, _ := dig(clusters[0], "spec", "instances").(int); n < 3 {
		t.Errorf("the CNPG cluster has %d instances; want 3 or more", n)
	}
}

// checkCNPG: the Cluster makes each service's role, owning its schema,
// with the password its Deployment connects with.
func checkCNPG(t *testing.T, byKind map[string][]object) {
	t.Helper()
	cluster := byKind["Cluster"][0]
	sql := map[string]bool{}
	for _, q := range list(dig(cluster, "spec", "bootstrap", "initdb", "postInitApplicationSQL")) {
		sql[str(q)] = true
	}
	roles := map[string]string{}
	for _, r := range list(dig(cluster, "spec", "managed", "roles")) {
		roles[str(dig(r, "name"))] = str(dig(r, "passwordSecret", "name"))
	}
	secrets := map[string]object{}
	for _, s := range byKind["Secret"] {
		secrets[s.name()] = s
	}
	passwords := map[string]string{}
	for _, d := range byKind["Deployment"] {
		for _, e := range list(dig(d, "spec", "template", "spec", "containers", 0, "env")) {
			if dig(e, "name") == "PGPASSWORD" {
				passwords[d.component()] = str(dig(e, "valueFrom", "secretKeyRef", "name"))
			}
		}
	}
	if !sql["CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"] {
		t.Error("the Cluster does not create pg_trgm, which the pledge migration needs")
	}
	for _, s := range services {
		role := "gongyak_" + s
		if !sql["CREATE SCHEMA "+s+" AUTHORIZATION "+role] {
			t.Errorf("the Cluster does not make schema %s owned by %s", s, role)
		}
		secret := roles[role]
		if secret == "" || passwords[s] != secret {
			t.Errorf("role %s's password is in Secret %q, and %s connects with %q", role, secret, s, passwords[s])
		}
		if dig(secrets[secret], "type") != "kubernetes.io/basic-auth" || dig(secrets[secret], "data", "username") == nil {
			t.Errorf("Secret %q of role %s is not the basic-auth Secret CloudNativePG reads", secret, role)
		}
	}
}
