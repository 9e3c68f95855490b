package main

import (
	"fmt"
	"strings"

	"github.com/gongyak/gongyak/pkg/suite"
)

// defaultMetricsPort is the first of the ports `gongyak run` serves the
// suite's metrics on: Prometheus's own exporters sit around 9100, and
// 9464 is where OpenTelemetry's Prometheus exporters listen by default.
const defaultMetricsPort = 9464

// metricsAddrs gives each part of the suite the address it serves
// /metrics on, on loopback: the gateway the first port, then the services
// in the order they start (pledge, budget, indicator, participation,
// events). First 0 gives none.
func metricsAddrs(first int) map[string]string {
	if first == 0 {
		return nil
	}
	addrs := map[string]string{suite.Gateway.Name: fmt.Sprintf("127.0.0.1:%d", first)}
	for i, b := range suite.Services {
		addrs[b.Name] = fmt.Sprintf("127.0.0.1:%d", first+1+i)
	}
	return addrs
}

// metricsEnv is the setting that has the part called name serve its
// metrics where addrs says, or none.
func metricsEnv(addrs map[string]string, name string) []string {
	if addrs[name] == "" {
		return nil
	}
	return []string{"GONGYAK_METRICS_ADDR=" + addrs[name]}
}

// metricsBanner lists where each part's metrics are, for the banner.
func metricsBanner(addrs map[string]string) string {
	if addrs == nil {
		return "  metrics       none (--metrics-port 0)\n"
	}
	var b strings.Builder
	for i, bin := range append([]suite.Binary{suite.Gateway}, suite.Services...) {
		label := ""
		if i == 0 {
			label = "metrics"
		}
		fmt.Fprintf(&b, "  %-13s http://%s/metrics (%s)\n", label, addrs[bin.Name], bin.Name)
	}
	return b.String()
}
