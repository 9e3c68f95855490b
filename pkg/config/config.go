// Package config reads a binary's configuration from flags, each falling
// back to an environment variable and then to a default that works on a
// laptop. Each binary declares its own Config struct and fills it here.
package config

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/gongyak/gongyak/pkg/tlsconfig"
)

// DefaultAddrs are where the services listen unless told otherwise.
var DefaultAddrs = map[string]string{
	"pledge":        "127.0.0.1:9101",
	"budget":        "127.0.0.1:9102",
	"indicator":     "127.0.0.1:9103",
	"participation": "127.0.0.1:9104",
	"events":        "127.0.0.1:9105",
	"http":          "127.0.0.1:8080",
	// The development OpenID provider of make run (gongyak idp).
	"idp": "127.0.0.1:9100",
	// The NATS server of make run (gongyak nats).
	"nats": "127.0.0.1:4222",
}

// DefaultDatabaseURL is used when neither --database-url,
// GONGYAK_{SERVICE}_DATABASE_URL nor DATABASE_URL is given.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/gongyak?sslmode=disable"

// String defines a string flag name that falls back to the environment
// variable env, then to def.
func String(fs *flag.FlagSet, p *string, name, env, def, usage string) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		def = v
	}
	fs.StringVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, env))
}

// Duration defines a duration flag that falls back to env, then def. A
// malformed environment value is reported when flags are parsed.
func Duration(fs *flag.FlagSet, p *time.Duration, name, env string, def time.Duration, usage string) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			def = d
		} else {
			badEnv = append(badEnv, fmt.Sprintf("%s=%q is not a duration such as 5s", env, v))
		}
	}
	fs.DurationVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, env))
}

// Int defines an int flag that falls back to env, then def.
func Int(fs *flag.FlagSet, p *int, name, env string, def int, usage string) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			def = n
		} else {
			badEnv = append(badEnv, fmt.Sprintf("%s=%q is not a whole number", env, v))
		}
	}
	fs.IntVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, env))
}

// Addr defines the --{service}-addr flag (env GONGYAK_{SERVICE}_ADDR) with
// the service's default address.
func Addr(fs *flag.FlagSet, p *string, service string) {
	String(fs, p, service+"-addr", "GONGYAK_"+upper(service)+"_ADDR", DefaultAddrs[service],
		"host:port of the "+service+" service")
}

// DatabaseURL defines the --database-url flag of the service called name:
// the flag, else GONGYAK_{NAME}_DATABASE_URL (the service's own, connecting
// as its role), else DATABASE_URL (shared by every service), else
// DefaultDatabaseURL.
func DatabaseURL(fs *flag.FlagSet, p *string, name string) {
	own := "GONGYAK_" + upper(name) + "_DATABASE_URL"
	def := DefaultDatabaseURL
	for _, env := range []string{"DATABASE_URL", own} {
		if v := os.Getenv(env); v != "" {
			def = v
		}
	}
	// The default is not shown: it may hold a password.
	fs.Func("database-url", fmt.Sprintf("PostgreSQL URL (env %s, then DATABASE_URL; default %s)", own, DefaultDatabaseURL),
		func(v string) error { *p = v; return nil })
	*p = def
}

// Common are the settings every service binary has.
type Common struct {
	// ListenAddr is where the service's gRPC server listens.
	ListenAddr  string
	DatabaseURL string
	LogLevel    string
	// RequestIDRetention is how long a request_id is remembered: a retry
	// within it replays the first result, and after it the record, which
	// may hold a copy of personal data, is deleted.
	RequestIDRetention time.Duration
	// OIDCIssuers are the trusted token issuers (auth.ParseIssuers).
	OIDCIssuers string
	// KeyCacheTTL is how long an API key's check is remembered.
	KeyCacheTTL time.Duration
	// Reflection serves gRPC reflection.
	Reflection bool
	// TLS are the certificate files of gRPC between services.
	TLS tlsconfig.Files
	// Identity is the service's own client at a token issuer, for work no
	// caller asked for just now (finishing an import cut off by a crash).
	Identity ServiceClient
	// DBPoolSize is how many database connections the service holds at
	// most; 0 leaves it to the URL's pool_max_conns, then to
	// pgdb.DefaultPoolSize.
	DBPoolSize int
	// NATSURL is the NATS server the service's outbox relay publishes its
	// events to; without it the events wait in the outbox.
	NATSURL string
	// MetricsAddr is where the service serves its metrics for
	// Prometheus; empty: it records none.
	MetricsAddr string
}

// ServiceClient is a service's confidential client at an OpenID issuer.
type ServiceClient struct {
	Issuer, ClientID, Secret string
}

// Service defines the common flags of the service called name.
func Service(fs *flag.FlagSet, c *Common, name string) {
	String(fs, &c.ListenAddr, "listen", "GONGYAK_"+upper(name)+"_ADDR", DefaultAddrs[name], "host:port the gRPC server listens on")
	DatabaseURL(fs, &c.DatabaseURL, name)
	Int(fs, &c.DBPoolSize, "db-pool-size", "GONGYAK_DB_POOL_SIZE", 0,
		"database connections held at most (0: the URL's pool_max_conns, else 4 per core and at least 8)")
	String(fs, &c.NATSURL, "nats-url", "GONGYAK_NATS_URL", "",
		"NATS server the service publishes its change events to (nats://127.0.0.1:4222); empty: they wait in its outbox")
	String(fs, &c.LogLevel, "log-level", "GONGYAK_LOG_LEVEL", "info", "debug, info, warn or error")
	MetricsAddr(fs, &c.MetricsAddr)
	Duration(fs, &c.RequestIDRetention, "request-id-retention", "GONGYAK_REQUEST_ID_RETENTION", 7*24*time.Hour,
		"how long a request_id is remembered for retries")
	String(fs, &c.OIDCIssuers, "oidc-issuers", "GONGYAK_OIDC_ISSUERS", "",
		"trusted token issuers: {issuer URL}={district or *}, comma-separated")
	Duration(fs, &c.KeyCacheTTL, "api-key-cache-ttl", "GONGYAK_API_KEY_CACHE_TTL", 30*time.Second,
		"how long an API key's check is remembered (at most 30s: a revoked key is refused within it)")
	Bool(fs, &c.Reflection, "grpc-reflection", "GONGYAK_GRPC_REFLECTION", false, "serve gRPC reflection (development)")
	TLS(fs, &c.TLS)
	String(fs, &c.Identity.Issuer, "service-token-issuer", "GONGYAK_SERVICE_TOKEN_ISSUER", "",
		"issuer of the service's own tokens (one of --oidc-issuers)")
	String(fs, &c.Identity.ClientID, "service-client-id", "GONGYAK_SERVICE_CLIENT_ID", "gongyak-"+name,
		"the service's client id at --service-token-issuer")
	String(fs, &c.Identity.Secret, "service-client-secret", "GONGYAK_SERVICE_CLIENT_SECRET", "",
		"the service's client secret (the service acts as itself only when it is set)")
}

// MetricsAddr defines the --metrics-addr flag (env GONGYAK_METRICS_ADDR):
// where the binary serves /metrics for Prometheus, none when empty.
func MetricsAddr(fs *flag.FlagSet, p *string) {
	String(fs, p, "metrics-addr", "GONGYAK_METRICS_ADDR", "",
		"host:port serving /metrics for Prometheus (such as 127.0.0.1:9464); empty: no metrics are recorded")
}

// TLS defines the flags of the certificate files gRPC between services
// uses when set.
func TLS(fs *flag.FlagSet, f *tlsconfig.Files) {
	String(fs, &f.Cert, "tls-cert", "GONGYAK_TLS_CERT", "", "PEM certificate this binary serves and calls with (TLS between services)")
	String(fs, &f.Key, "tls-key", "GONGYAK_TLS_KEY", "", "PEM key of --tls-cert")
	String(fs, &f.CA, "tls-ca", "GONGYAK_TLS_CA", "", "PEM CA the other side's certificates are checked against")
}

// Bool defines a bool flag that falls back to env (true, false, 1, 0),
// then def.
func Bool(fs *flag.FlagSet, p *bool, name, env string, def bool, usage string) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			def = b
		} else {
			badEnv = append(badEnv, fmt.Sprintf("%s=%q is not true or false", env, v))
		}
	}
	fs.BoolVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, env))
}

var badEnv []string

// Parse parses args and reports malformed environment values with the
// flags' errors.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(badEnv) > 0 {
		return fmt.Errorf("bad environment: %v", badEnv)
	}
	return nil
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		} else if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}
