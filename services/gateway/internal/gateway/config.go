package gateway

import (
	"flag"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/tlsconfig"
	"github.com/gongyak/gongyak/services/gateway/internal/console"
)

// Settings are the gateway's flags, each with its environment fallback.
type Settings struct {
	httpAddr       string
	addrs          map[string]*string
	maxBody        int
	maxUpload      int
	timeout        time.Duration
	corsOrigins    string
	maxConns       int
	maxClientConns int
	rateLimit      int
	keyRateLimit   int
	accessEvery    int
	accessSlow     time.Duration
	consoleIssuer  string
	consoleClient  string
	LogLevel       string
	// MetricsAddr is where the gateway serves /metrics for Prometheus;
	// empty: it records none.
	MetricsAddr string
	// TLS are the certificate files the gateway calls the services with
	// when gRPC between them speaks TLS.
	TLS tlsconfig.Files
}

// Flags defines the gateway's flags on fs.
func Flags(fs *flag.FlagSet) *Settings {
	s := &Settings{addrs: map[string]*string{}}
	config.String(fs, &s.httpAddr, "http-addr", "GONGYAK_HTTP_ADDR", config.DefaultAddrs["http"], "host:port the REST API listens on")
	for _, b := range services {
		s.addrs[b.Name] = new(string)
		config.Addr(fs, s.addrs[b.Name], b.Name)
	}
	config.Int(fs, &s.maxBody, "max-body-bytes", "GONGYAK_MAX_BODY_BYTES", 1<<20, "largest request body accepted")
	config.Int(fs, &s.maxUpload, "max-upload-bytes", "GONGYAK_MAX_UPLOAD_BYTES", 6<<20, "largest file upload accepted (photos)")
	config.Duration(fs, &s.timeout, "request-timeout", "GONGYAK_REQUEST_TIMEOUT", 30*time.Second, "longest a request may take, its body included")
	config.String(fs, &s.corsOrigins, "cors-origins", "GONGYAK_CORS_ORIGINS", "", "comma-separated origins (such as http://127.0.0.1:5173) whose pages may call the API; none when empty")
	config.Int(fs, &s.maxConns, "max-connections", "GONGYAK_MAX_CONNECTIONS", 4096, "most open connections in all; 0 for no limit")
	config.Int(fs, &s.maxClientConns, "max-connections-per-client", "GONGYAK_MAX_CONNECTIONS_PER_CLIENT", 64, "most open connections from one client address; 0 for no limit")
	config.Int(fs, &s.rateLimit, "rate-limit", "GONGYAK_RATE_LIMIT", 50, "requests per second from one client address, in bursts of twice that; 0 for no limit")
	config.Int(fs, &s.keyRateLimit, "key-rate-limit", "GONGYAK_KEY_RATE_LIMIT", 100, "requests per second with one credential, in bursts of twice that; 0 for no limit")
	config.Int(fs, &s.accessEvery, "access-log-every", "GONGYAK_ACCESS_LOG_EVERY", 100, "log one in every so many requests that succeed in less than access-log-slow (failed and slow ones are always logged); 1 logs every request")
	config.Duration(fs, &s.accessSlow, "access-log-slow", "GONGYAK_ACCESS_LOG_SLOW", 500*time.Millisecond, "a request taking this long or longer is always logged")
	config.String(fs, &s.consoleIssuer, "console-issuer", "GONGYAK_CONSOLE_ISSUER", "", "URL of the OpenID provider the console at /admin signs in with (gongyak run sets its own); the console cannot sign in without one")
	config.String(fs, &s.consoleClient, "console-client-id", "GONGYAK_CONSOLE_CLIENT_ID", "gongyak-console", "the console's public client (authorization code with PKCE) at that provider")
	config.String(fs, &s.LogLevel, "log-level", "GONGYAK_LOG_LEVEL", "info", "debug, info, warn or error")
	config.MetricsAddr(fs, &s.MetricsAddr)
	config.TLS(fs, &s.TLS)
	return s
}

// Config returns the configuration the parsed flags describe.
func (s *Settings) Config() Config {
	cfg := Config{
		HTTPAddr:                s.httpAddr,
		Addrs:                   map[string]string{},
		MaxBodyBytes:            int64(s.maxBody),
		MaxUploadBytes:          int64(s.maxUpload),
		RequestTimeout:          s.timeout,
		MaxConnections:          s.maxConns,
		MaxConnectionsPerClient: s.maxClientConns,
		RateLimit:               s.rateLimit,
		KeyRateLimit:            s.keyRateLimit,
		AccessLogEvery:          s.accessEvery,
		AccessLogSlow:           s.accessSlow,
		Console:                 console.Config{Issuer: s.consoleIssuer, ClientID: s.consoleClient},
	}
	for _, o := range strings.Split(s.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	for name, addr := range s.addrs {
		cfg.Addrs[name] = *addr
	}
	return cfg
}
