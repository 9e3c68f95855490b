package main

import (
	"strings"
	"testing"
)

func TestEachPartOfTheSuiteServesItsMetricsOnAPortOfItsOwn(t *testing.T) {
	for _, tc := range []struct {
		first int
		want  map[string]string
	}{
		{first: 9464, want: map[string]string{"gateway": "127.0.0.1:9464", "pledge": "127.0.0.1:9465", "budget": "127.0.0.1:9466",
			"indicator": "127.0.0.1:9467", "participation": "127.0.0.1:9468", "events": "127.0.0.1:9469"}},
		{first: 0, want: nil},
	} {
		got := metricsAddrs(tc.first)
		if len(got) != len(tc.want) {
			t.Errorf("from %d: %v, want %v", tc.first, got, tc.want)
		}
		for name, addr := range tc.want {
			if got[name] != addr {
				t.Errorf("from %d: %s on %q, want %q", tc.first, name, got[name], addr)
			}
			if env := metricsEnv(got, name); len(env) != 1 || env[0] != "GONGYAK_METRICS_ADDR="+addr {
				t.Errorf("%s is told %v", name, env)
			}
			if !strings.Contains(metricsBanner(got), "http://"+addr+"/metrics ("+name+")") {
				t.Errorf("the banner does not say where %s's metrics are:\n%s", name, metricsBanner(got))
			}
		}
		if tc.want == nil && (metricsEnv(got, "pledge") != nil || !strings.Contains(metricsBanner(got), "none")) {
			t.Errorf("no metrics asked, yet: %v %q", metricsEnv(got, "pledge"), metricsBanner(got))
		}
	}
}
