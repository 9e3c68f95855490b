package gateway

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// NewServer returns the HTTP server the gateway runs handler in. A request
// must arrive whole within the request timeout: a body sent a byte at a
// time is cut there, not held for as long as the sender likes. Its answer
// must be written within twice that; an idle connection is closed after
// two minutes.
func NewServer(cfg Config, handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: min(10*time.Second, cfg.RequestTimeout),
		ReadTimeout:       cfg.RequestTimeout,
		WriteTimeout:      2 * cfg.RequestTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Listen listens on cfg.HTTPAddr with cfg's connection limits.
func Listen(cfg Config, log *slog.Logger) (net.Listener, error) {
	lis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, err
	}
	return LimitConnections(lis, cfg, log), nil
}

// LimitConnections returns lis holding at most cfg.MaxConnections open
// connections in all and cfg.MaxConnectionsPerClient from one client
// address (0: no limit). A connection over a limit is closed as soon as it
// is accepted, before a byte of it is read.
func LimitConnections(lis net.Listener, cfg Config, log *slog.Logger) net.Listener {
	return &limitListener{
		Listener:  lis,
		max:       cfg.MaxConnections,
		perClient: cfg.MaxConnectionsPerClient,
		log:       log,
		byClient:  map[string]int{},
	}
}

type limitListener struct {
	net.Listener
	max, perClient int
	log            *slog.Logger

	mu       sync.Mutex
	open     int
	byClient map[string]int
	refused  int // since the last warning
	warned   time.Time
}

// warnEvery spaces the warnings about refused connections, so that a
// flood of them does not become a flood of log lines.
const warnEvery = 10 * time.Second

// Accept returns the next connection within the limits.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		client := remoteHost(c.RemoteAddr().String())
		if l.admit(client) {
			return &limitedConn{Conn: c, release: func() { l.release(client) }}, nil
		}
		c.Close()
	}
}

func (l *limitListener) admit(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if (l.max > 0 && l.open >= l.max) || (l.perClient > 0 && l.byClient[client] >= l.perClient) {
		l.refused++
		if now := time.Now(); now.Sub(l.warned) >= warnEvery {
			l.log.Warn("refusing connections over the limits", "refused", l.refused, "open", l.open,
				"max_connections", l.max, "max_connections_per_client", l.perClient)
			l.refused, l.warned = 0, now
		}
		return false
	}
	l.open++
	l.byClient[client]++
	return true
}

func (l *limitListener) release(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byClient[client]--; l.byClient[client] == 0 {
		delete(l.byClient, client)
	}
}

// limitedConn gives its place back when it is closed, once.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
