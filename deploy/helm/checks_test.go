//go:build chart

package helm

import (
	"slices"
	"strings"
	"testing"
)

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
// several instances, the change stream kept on three NATS servers.
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
	for _, c := range byKind["ConfigMap"] {
		if v := dig(c, "data", "GONGYAK_NATS_STREAM_REPLICAS"); v != nil && v != "3" {
			t.Errorf("ConfigMap %s asks for %v copies of the change stream; want 3 on the NATS cluster", c.name(), v)
		}
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
