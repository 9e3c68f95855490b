package gateway

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestASlowRequestIsCutAtTheRequestTimeout(t *testing.T) {
	const timeout = time.Second
	const margin = time.Second
	cfg := testConfig()
	cfg.RequestTimeout = timeout
	base, backend := serve(t, cfg)
	addr := strings.TrimPrefix(base, "http://")
	body := `{"title": "` + strings.Repeat("가", 30) + `"}`
	head := fmt.Sprintf("POST /v1/districts/gwangsan/pledges HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer t\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body))
	tests := []struct {
		name       string
		head, body string // sent at once, then a byte every 300 ms
	}{
		{"a body a byte at a time", head, body},
		{"headers a byte at a time", "", head + body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, tt.head); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for i := 0; i < len(tt.body); i++ {
					select {
					case <-stop:
						return
					case <-time.After(300 * time.Millisecond):
					}
					if _, err := conn.Write([]byte{tt.body[i]}); err != nil {
						return
					}
				}
			}()
			// Whatever the gateway answers, it must close the connection.
			conn.SetReadDeadline(time.Now().Add(timeout + 5*time.Second))
			answer, err := io.ReadAll(conn)
			held := time.Since(start)
			// A reset closes the connection too: the gateway closed it while
			// a byte of ours was still on its way, which TCP answers so.
			if err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("the connection was still open after %v (%v)", held, err)
			}
			if held > timeout+margin {
				t.Errorf("a slow request held the connection for %v; the timeout is %v", held, timeout)
			}
			if strings.HasPrefix(string(answer), "HTTP/1.1 200") {
				t.Errorf("a request cut short was served: %.100s", answer)
			}
			if _, calls := backend.lastCall(); calls != 0 {
				t.Errorf("%d calls reached the service", calls)
			}
		})
	}
}

// rawConn is one client connection, spoken to in plain HTTP/1.1.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

// dialFrom connects to addr from the loopback address local (127.0.0.x:
// another client address on the same machine).
func dialFrom(t *testing.T, local, addr string) *rawConn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, r: bufio.NewReader(c)}
}

// get asks for /healthz on the connection and returns the status, or an
// error when the connection is closed without an answer.
func (c *rawConn) get() (int, error) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (c *rawConn) mustGet(t *testing.T, what string) {
	t.Helper()
	if status, err := c.get(); err != nil || status != http.StatusOK {
		t.Errorf("%s: %d %v", what, status, err)
	}
}

func TestConnectionsOverTheLimitsAreRefused(t *testing.T) {
	t.Run("per client", func(t *testing.T) {
		cfg := testConfig()
		cfg.MaxConnectionsPerClient = 3
		base, _ := serve(t, cfg)
		addr := strings.TrimPrefix(base, "http://")
		var held []*rawConn
		for i := range 3 {
			c := dialFrom(t, "127.0.0.1", addr)
			c.mustGet(t, fmt.Sprintf("connection %d within the limit", i+1))
			held = append(held, c)
		}
		for i := range 2 {
			if status, err := dialFrom(t, "127.0.0.1", addr).get(); err == nil {
				t.Errorf("connection %d over the limit answered %d", 4+i, status)
			}
		}
		dialFrom(t, "127.0.0.2", addr).mustGet(t, "another client's connection")
		for i, c := range held {
			c.mustGet(t, fmt.Sprintf("connection %d, again", i+1))
		}
		// A connection closed gives its place back.
		held[0].Close()
		deadline := time.Now().Add(5 * time.Second)
		for {
			if status, err := dialFrom(t, "127.0.0.1", addr).get(); err == nil && status == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a closed connection's place was not given back")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("in all", func(t *testing.T) {
		cfg := testConfig()
		cfg.MaxConnections = 2
		base, _ := serve(t, cfg)
		addr := strings.TrimPrefix(base, "http://")
		first := dialFrom(t, "127.0.0.1", addr)
		first.mustGet(t, "the first connection")
		second := dialFrom(t, "127.0.0.2", addr)
		second.mustGet(t, "the second connection")
		if status, err := dialFrom(t, "127.0.0.3", addr).get(); err == nil {
			t.Errorf("a third client's connection answered %d", status)
		}
		first.mustGet(t, "the first connection, again")
		second.mustGet(t, "the second connection, again")
	})
}
