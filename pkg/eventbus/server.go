package eventbus

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an embedded NATS server with JetStream: what `gongyak nats`
// runs as a child of `gongyak run`, and what tests start in their own
// process. Deployment runs a NATS cluster instead.
type Server struct {
	ns *server.Server
}

// StartServer starts a NATS server with JetStream on addr (host:port;
// port 0 picks a free one) keeping its streams under dir, and waits until
// it takes connections.
func StartServer(addr, dir string) (*Server, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("eventbus: nats address %q: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("eventbus: nats port %q: %w", port, err)
	}
	if p == 0 {
		// NATS reads port 0 as its default, 4222: tests running at once
		// would all take that one.
		p = server.RANDOM_PORT
	}
	ns, err := server.NewServer(&server.Options{
		ServerName: "gongyak",
		Host:       host,
		Port:       p,
		JetStream:  true,
		StoreDir:   dir,
		// The process that embeds it handles signals itself.
		NoSigs: true,
		// No monitoring or cluster ports: nothing is bound but addr.
		HTTPPort: 0,
	})
	if err != nil {
		return nil, fmt.Errorf("eventbus: nats server: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(15 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("eventbus: nats server on %s not ready in 15s", addr)
	}
	return &Server{ns: ns}, nil
}

// URL is the address clients connect to: nats://127.0.0.1:4222.
func (s *Server) URL() string { return s.ns.ClientURL() }

// Shutdown stops the server and waits until it has.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
