//go:build chart

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
