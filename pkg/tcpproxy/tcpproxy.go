// Package tcpproxy stands between clients and a real TCP server in tests
// and takes the server away and back: what a service does when its
// database restarts, with the real database behind it and nothing faked
// but the outage.
package tcpproxy

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards the connections it accepts on a loopback address to a
// target address.
type Proxy struct {
	t      testing.TB
	addr   string
	target string

	mu    sync.Mutex
	lis   net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Start forwards a free loopback port to target until t ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, addr: lis.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
	p.serve(lis)
	t.Cleanup(func() {
		p.Down()
		p.wg.Wait()
	})
	return p
}

// Addr is the address clients connect to instead of the target.
func (p *Proxy) Addr() string { return p.addr }

// Down takes the server away as a crash or a restart does: every open
// connection is cut, and new ones are refused until Up.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lis != nil {
		p.lis.Close()
		p.lis = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Up brings the server back on the same address.
func (p *Proxy) Up() {
	p.t.Helper()
	p.mu.Lock()
	up := p.lis != nil
	p.mu.Unlock()
	if up {
		return
	}
	lis, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("tcpproxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(lis)
}

func (p *Proxy) serve(lis net.Listener) {
	p.mu.Lock()
	p.lis = lis
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			p.forward(lis, c)
		}
	}()
}

// forward connects c to the target and copies both ways until either side
// closes or Down cuts them.
func (p *Proxy) forward(lis net.Listener, c net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.lis != lis { // taken down meanwhile
		p.mu.Unlock()
		c.Close()
		server.Close()
		return
	}
	p.conns[c], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()
	p.wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer p.wg.Done()
		io.Copy(dst, src) //nolint:errcheck // either end closing, or Down, ends the copy; both ends go
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}
	go pipe(server, c)
	go pipe(c, server)
}
