package gateway

import (
	"flag"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
)

func TestTheEdgeIsConfiguredByFlagsAndEnvironment(t *testing.T) {
	parse := func(t *testing.T, args ...string) Config {
		t.Helper()
		fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		s := Flags(fs)
		if err := config.Parse(fs, args); err != nil {
			t.Fatal(err)
		}
		return s.Config()
	}
	t.Run("defaults", func(t *testing.T) {
		cfg := parse(t)
		if cfg.CORSOrigins != nil || cfg.MaxConnections != 4096 || cfg.MaxConnectionsPerClient != 64 ||
			cfg.RateLimit != 50 || cfg.KeyRateLimit != 100 || cfg.RequestTimeout != 30*time.Second ||
			cfg.AccessLogEvery != 100 || cfg.AccessLogSlow != 500*time.Millisecond {
			t.Errorf("defaults: %+v", cfg)
		}
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv("GONGYAK_CORS_ORIGINS", " http://127.0.0.1:5173, https://console.gongyak.kr ,")
		t.Setenv("GONGYAK_MAX_CONNECTIONS", "100")
		t.Setenv("GONGYAK_MAX_CONNECTIONS_PER_CLIENT", "8")
		t.Setenv("GONGYAK_RATE_LIMIT", "5")
		t.Setenv("GONGYAK_KEY_RATE_LIMIT", "7")
		t.Setenv("GONGYAK_ACCESS_LOG_EVERY", "1")
		t.Setenv("GONGYAK_ACCESS_LOG_SLOW", "2s")
		cfg := parse(t)
		if !slices.Equal(cfg.CORSOrigins, []string{"http://127.0.0.1:5173", "https://console.gongyak.kr"}) ||
			cfg.MaxConnections != 100 || cfg.MaxConnectionsPerClient != 8 || cfg.RateLimit != 5 || cfg.KeyRateLimit != 7 ||
			cfg.AccessLogEvery != 1 || cfg.AccessLogSlow != 2*time.Second {
			t.Errorf("from the environment: %+v", cfg)
		}
	})
	t.Run("flags", func(t *testing.T) {
		t.Setenv("GONGYAK_RATE_LIMIT", "5")
		cfg := parse(t, "--cors-origins", "http://localhost:5173", "--rate-limit", "0", "--key-rate-limit", "3",
			"--max-connections", "10", "--max-connections-per-client", "2", "--access-log-every", "10", "--access-log-slow", "100ms")
		if !slices.Equal(cfg.CORSOrigins, []string{"http://localhost:5173"}) || cfg.RateLimit != 0 || cfg.KeyRateLimit != 3 ||
			cfg.MaxConnections != 10 || cfg.MaxConnectionsPerClient != 2 || cfg.AccessLogEvery != 10 || cfg.AccessLogSlow != 100*time.Millisecond {
			t.Errorf("from flags: %+v", cfg)
		}
	})
}
