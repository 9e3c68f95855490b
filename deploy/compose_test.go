package deploy

import (
	"context"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeEnv is what an operator's .env holds (env.example names it): the
// passwords and the citizen key, which the file requires.
var composeEnv = map[string]string{
	"GONGYAK_POSTGRES_PASSWORD":         "superuser0secret",
	"GONGYAK_PLEDGE_DB_PASSWORD":        "pledge0secret",
	"GONGYAK_BUDGET_DB_PASSWORD":        "budget0secret",
	"GONGYAK_INDICATOR_DB_PASSWORD":     "indicator0secret",
	"GONGYAK_PARTICIPATION_DB_PASSWORD": "participation0secret",
	"GONGYAK_EVENTS_DB_PASSWORD":        "events0secret",
	"GONGYAK_CITIZEN_KEY":               "0123456789abcdef0123456789abcdef",
}

// loadCompose loads compose.yaml as `docker compose` does — interpolated,
// validated against the Compose specification's schema (an unknown key is
// an error), merged and checked for consistency — with env as its
// environment.
func loadCompose(t *testing.T, file string, env map[string]string) (*types.Project, error) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  wd,
		ConfigFiles: []types.ConfigFile{{Filename: file}},
		Environment: maps.Clone(env), // the loader adds to it
	}, func(o *loader.Options) { o.SetProjectName("gongyak", true) })
}

func project(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, "compose.yaml", composeEnv)
	if err != nil {
		t.Fatalf("compose-go refuses compose.yaml: %v", err)
	}
	return p
}

// oneShots are the services that run once and exit; the others wait for
// them to have succeeded, so they need no healthcheck.
var oneShots = []string{"db-init", "probe"}

// TestComposeStack: the whole suite is there, and each part runs as a
// user other than root with a healthcheck that needs no shell.
func TestComposeStack(t *testing.T) {
	p := project(t)
	want := []string{"postgres", "db-init", "nats", "idp", "pledge", "budget", "indicator", "participation",
		"events", "gateway", "probe", "otel-collector", "jaeger"}
	got := p.ServiceNames()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("services %q; want %q", got, want)
	}
	for name, s := range p.Services {
		if s.User == "" || s.User == "root" || strings.HasPrefix(s.User, "0:") || s.User == "0" {
			t.Errorf("%s runs as %q; want a user other than root", name, s.User)
		}
		if slices.Contains(oneShots, name) {
			if s.Restart == types.RestartPolicyAlways || s.Restart == types.RestartPolicyUnlessStopped {
				t.Errorf("%s runs once, yet restarts %s", name, s.Restart)
			}
			continue
		}
		hc := s.HealthCheck
		if hc == nil || hc.Disable || len(hc.Test) < 2 {
			t.Errorf("%s has no healthcheck", name)
			continue
		}
		if hc.Test[0] != "CMD" {
			t.Errorf("%s's healthcheck is %q: want the exec form [CMD, …], the images have no shell", name, hc.Test)
		}
		switch probe := hc.Test[1]; {
		case probe == "/probe/healthcheck" && !mounts(s, "probe", "/probe"):
			t.Errorf("%s's healthcheck runs /probe/healthcheck, but it does not mount the volume probe at /probe", name)
		case probe == "/usr/local/bin/healthcheck" && !strings.HasPrefix(s.Image, "gongyak/"):
			t.Errorf("%s's healthcheck runs the suite's probe, which only the suite's images hold (%s)", name, s.Image)
		}
	}
}

func mounts(s types.ServiceConfig, volume, target string) bool {
	return slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Source == volume && v.Target == target
	})
}

// TestComposeDependencies: a part starts once what it needs is healthy (or,
// for one-shots, has finished well) — not merely started.
func TestComposeDependencies(t *testing.T) {
	p := project(t)
	for name, s := range p.Services {
		for dep, d := range s.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				t.Errorf("%s depends on %s, which is no service", name, dep)
				continue
			}
			want := types.ServiceConditionHealthy
			if slices.Contains(oneShots, dep) {
				want = types.ServiceConditionCompletedSuccessfully
			}
			if d.Condition != want {
				t.Errorf("%s waits for %s to be %q; want %q", name, dep, d.Condition, want)
			}
		}
	}
	for svc, needs := range map[string][]string{
		"db-init": {"postgres"},
		"pledge":  {"db-init", "nats", "idp", "otel-collector"},
		"budget":  {"db-init", "nats", "idp", "pledge"}, "indicator": {"db-init", "nats", "idp", "pledge"},
		"participation": {"db-init", "nats", "idp", "pledge"}, "events": {"db-init", "nats", "idp", "pledge"},
		"gateway":        {"pledge", "budget", "indicator", "participation", "events"},
		"otel-collector": {"jaeger", "probe"}, "jaeger": {"probe"},
	} {
		for _, n := range needs {
			if _, ok := p.Services[svc].DependsOn[n]; !ok {
				t.Errorf("%s does not wait for %s", svc, n)
			}
		}
	}
}

// TestComposePorts: only the gateway and Jaeger's UI are reachable from
// the host, and by default only from the host itself.
func TestComposePorts(t *testing.T) {
	p := project(t)
	published := map[string]uint32{}
	for name, s := range p.Services {
		for _, port := range s.Ports {
			published[name] = port.Target
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %d on %q; want 127.0.0.1 unless GONGYAK_PUBLISH_ADDR says otherwise", name, port.Target, port.HostIP)
			}
		}
	}
	if want := map[string]uint32{"gateway": 8080, "jaeger": 16686}; !maps.Equal(published, want) {
		t.Errorf("published ports %v; want %v", published, want)
	}
	env := maps.Clone(composeEnv)
	env["GONGYAK_PUBLISH_ADDR"] = "0.0.0.0"
	q, err := loadCompose(t, "compose.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	if ip := q.Services["gateway"].Ports[0].HostIP; ip != "0.0.0.0" {
		t.Errorf("with GONGYAK_PUBLISH_ADDR=0.0.0.0 the gateway is published on %q", ip)
	}
}

// binaryEnv is what each of the suite's binaries must be told in a
// container, where its defaults (127.0.0.1, make run's cluster) are wrong.
func binaryEnv(name string) []string {
	upper := strings.ToUpper(name)
	peers := map[string][]string{
		"pledge": {"BUDGET", "INDICATOR", "PARTICIPATION"}, "budget": {"PLEDGE"}, "indicator": {"PLEDGE"},
		"participation": {"PLEDGE"}, "events": {"PLEDGE"},
		"gateway": {"PLEDGE", "BUDGET", "INDICATOR", "PARTICIPATION", "EVENTS"},
	}
	var env []string
	for _, p := range peers[name] {
		env = append(env, "GONGYAK_"+p+"_ADDR")
	}
	env = append(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
	if name == "gateway" {
		return append(env, "GONGYAK_HTTP_ADDR", "GONGYAK_CONSOLE_ISSUER")
	}
	env = append(env, "GONGYAK_"+upper+"_ADDR", "GONGYAK_"+upper+"_DATABASE_URL", "GONGYAK_OIDC_ISSUERS",
		"GONGYAK_NATS_URL", "GONGYAK_SERVICE_TOKEN_ISSUER")
	if name == "participation" {
		env = append(env, "GONGYAK_CITIZEN_KEY")
	}
	return env
}

// listenPorts are the services' ports in the stack (the defaults of
// pkg/config, on every interface).
var listenPorts = map[string]string{"pledge": "9101", "budget": "9102", "indicator": "9103",
	"participation": "9104", "events": "9105"}

// TestComposeServiceEnv: each binary is told everything it needs, and what
// it is told agrees with the stack: a service listens where the others
// dial it, and connects to PostgreSQL as its own role.
func TestComposeServiceEnv(t *testing.T) {
	p := project(t)
	addr := regexp.MustCompile(`^GONGYAK_([A-Z]+)_ADDR$`)
	for _, name := range []string{"pledge", "budget", "indicator", "participation", "events", "gateway"} {
		s := p.Services[name]
		for _, key := range binaryEnv(name) {
			if v := s.Environment[key]; v == nil || *v == "" {
				t.Errorf("%s is not given %s", name, key)
			}
		}
		for key, v := range s.Environment {
			if v == nil {
				continue
			}
			m := addr.FindStringSubmatch(key)
			if m == nil || m[1] == "HTTP" {
				continue
			}
			target := strings.ToLower(m[1])
			want := target + ":" + listenPorts[target]
			if target == name {
				want = "0.0.0.0:" + listenPorts[target]
			}
			if *v != want {
				t.Errorf("%s: %s=%s; want %s", name, key, *v, want)
			}
		}
		if name == "gateway" {
			continue
		}
		dbURL := s.Environment["GONGYAK_"+strings.ToUpper(name)+"_DATABASE_URL"]
		if dbURL == nil {
			continue // said above
		}
		u, err := url.Parse(*dbURL)
		if err != nil {
			t.Errorf("%s's database URL: %v", name, err)
			continue
		}
		pw, _ := u.User.Password()
		if u.Host != "postgres:5432" || u.Path != "/gongyak" || u.User.Username() != "gongyak_"+name ||
			pw != composeEnv["GONGYAK_"+strings.ToUpper(name)+"_DB_PASSWORD"] {
			t.Errorf("%s connects to %s as %s; want postgres:5432/gongyak as gongyak_%s with its password from the environment",
				name, u.Host+u.Path, u.User.Username(), name)
		}
		if p.Services["db-init"].Environment["GONGYAK_"+strings.ToUpper(name)+"_DB_PASSWORD"] == nil {
			t.Errorf("db-init is not given %s's password, so its role would not get it", name)
		}
	}
}

// TestComposeRequiresSecrets: with a password or the citizen key missing,
// compose refuses to start and names what is missing — never a default.
func TestComposeRequiresSecrets(t *testing.T) {
	for key := range composeEnv {
		t.Run(key, func(t *testing.T) {
			env := maps.Clone(composeEnv)
			delete(env, key)
			_, err := loadCompose(t, "compose.yaml", env)
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("without %s: %v; want an error naming it", key, err)
			}
		})
	}
}

// TestComposeSchemaChecked proves the loader would catch a misspelt key:
// without that, a typo in compose.yaml would pass the tests above unseen.
func TestComposeSchemaChecked(t *testing.T) {
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(raw), "    healthcheck:\n", "    healthchek:\n", 1)
	file := t.TempDir() + "/compose.yaml"
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadCompose(t, file, composeEnv); err == nil || !strings.Contains(err.Error(), "healthchek") {
		t.Errorf("a misspelt key loads: %v", err)
	}
}

// TestComposePins: a third-party image is pinned to an exact version
// (PostgreSQL's are major.minor: 17.7 is one release); the suite's own are
// tagged by GONGYAK_TAG and built from deploy/Dockerfile.
func TestComposePins(t *testing.T) {
	p := project(t)
	exact := regexp.MustCompile(`^[a-z0-9./-]+:[0-9]+\.[0-9]+(\.[0-9]+)?(-[a-z0-9.]+)?(@sha256:[0-9a-f]{64})?$`)
	for name, s := range p.Services {
		switch {
		case strings.HasPrefix(s.Image, "gongyak/"):
			if !strings.HasSuffix(s.Image, ":dev") {
				t.Errorf("%s: image %s; want gongyak/<binary>:${GONGYAK_TAG:-dev}", name, s.Image)
			}
			if s.Build == nil {
				t.Errorf("%s: the image %s has no build section, so compose would try to pull it", name, s.Image)
			}
		case !exact.MatchString(s.Image):
			t.Errorf("%s: image %s is not pinned to an exact version", name, s.Image)
		}
		if s.Build != nil && (s.Build.Dockerfile != "deploy/Dockerfile" || s.Build.Args["BINARY"] == nil) {
			t.Errorf("%s builds with %s and BINARY %v; want deploy/Dockerfile with BINARY", name, s.Build.Dockerfile, s.Build.Args["BINARY"])
		}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts %s, which is missing: %v", name, v.Source, err)
			}
			if !v.ReadOnly {
				t.Errorf("%s mounts %s writable; configuration is read-only", name, v.Source)
			}
		}
	}
}
