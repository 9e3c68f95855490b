package service

import (
	"time"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"google.golang.org/grpc"
)

// dialPledge connects to the pledge service at addr (lazily: it may start
// later) and makes s check API keys through it, since it owns them,
// remembering each answer for ttl (at most 30 s).
func dialPledge(s *grpcserver.Server, addr string, ttl time.Duration) (*grpc.ClientConn, error) {
	conn, err := grpcclient.Dial(addr)
	if err != nil {
		return nil, err
	}
	keys, err := auth.NewKeyCache(auth.NewRemoteKeys(conn), ttl)
	if err != nil {
		conn.Close()
		return nil, err
	}
	s.Authenticator().Keys = keys
	return conn, nil
}
