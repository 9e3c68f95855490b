package gateway

import (
	"flag"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
)

// Settings are the gateway's flags, each with its environment fallback.
type Settings struct {
	httpAddr  string
	addrs     map[string]*string
	maxBody   int
	maxUpload int
	timeout   time.Duration
	LogLevel  string
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
	config.Duration(fs, &s.timeout, "request-timeout", "GONGYAK_REQUEST_TIMEOUT", 30*time.Second, "longest a request may take")
	config.String(fs, &s.LogLevel, "log-level", "GONGYAK_LOG_LEVEL", "info", "debug, info, warn or error")
	return s
}

// Config returns the configuration the parsed flags describe.
func (s *Settings) Config() Config {
	cfg := Config{HTTPAddr: s.httpAddr, Addrs: map[string]string{}, MaxBodyBytes: int64(s.maxBody), MaxUploadBytes: int64(s.maxUpload), RequestTimeout: s.timeout}
	for name, addr := range s.addrs {
		cfg.Addrs[name] = *addr
	}
	return cfg
}
