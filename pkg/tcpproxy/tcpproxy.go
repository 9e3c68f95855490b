// Package tcpproxy stands between clients and a real TCP server in tests
// and takes the server away and back, or hangs it: what a service does
// when its database restarts or stops answering, with the real database
// behind it and nothing faked but the outage.
package tcpproxy

import (
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
	wg     sync.WaitGroup

	mu    sync.Mutex
	moved *sync.Cond // signalled when hung or the listener changes
	lis   net.Listener
	hung  bool
	conns map[net.Conn]struct{}
}

// Start forwards a free loopback port to target until t ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, addr: lis.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
	p.moved = sync.NewCond(&p.mu)
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
	p.hung = false
	p.moved.Broadcast()
}

// Hang makes the server stop answering, as a server stopped by SIGSTOP
// does: connections stay open and new ones are accepted, but nothing
// passes either way until Up.
func (p *Proxy) Hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hung = true
}

// Up brings the server back on the same address, or lets a hung one
// answer again, with what it was sent meanwhile.
func (p *Proxy) Up() {
	p.t.Helper()
	p.mu.Lock()
	p.hung = false
	p.moved.Broadcast()
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
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.forward(lis, c)
			}()
		}
	}()
}

// pass waits while the server hangs and reports whether the connections
// of lis may still go on.
func (p *Proxy) pass(lis net.Listener) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.hung && p.lis == lis {
		p.moved.Wait()
	}
	return p.lis == lis
}

// forward connects c to the target and copies both ways until either side
// closes or Down cuts them.
func (p *Proxy) forward(lis net.Listener, c net.Conn) {
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	if !p.pass(lis) {
		c.Close()
		return
	}
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
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.pipe(lis, server, c)
	}()
	p.pipe(lis, c, server)
}

// pipe copies from src to dst, holding what it read while the server
// hangs, until either end closes; then both go.
func (p *Proxy) pipe(lis net.Listener, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.pass(lis) {
				break
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
