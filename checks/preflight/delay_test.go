package preflight_test

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// delayLink is a loopback TCP proxy that behaves like a network path with latency: every
// chunk read on one side is delivered to the other oneWay later, in order, without
// serializing chunks behind each other's delay (a long link, not a slow one). A request
// and its answer therefore cost one round trip of 2*oneWay, TLS handshakes cost theirs,
// and requests multiplexed on one HTTP/2 connection overlap exactly as they would over a
// WAN. The client keeps its real TLS identity and RBAC: the proxy only moves bytes.
type delayLink struct {
	ln     net.Listener
	target string
	oneWay time.Duration

	mu    sync.Mutex
	conns []net.Conn
}

func newDelayLink(tb testing.TB, target string, rtt time.Duration) *delayLink {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	d := &delayLink{ln: ln, target: target, oneWay: rtt / 2}
	go d.serve()
	tb.Cleanup(d.close)
	return d
}

// Addr is the proxy's host:port (a loopback IP, so the apiserver's serving certificate for
// 127.0.0.1 still matches).
func (d *delayLink) Addr() string { return d.ln.Addr().String() }

func (d *delayLink) serve() {
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		go d.handle(c)
	}
}

func (d *delayLink) handle(client net.Conn) {
	server, err := net.Dial("tcp", d.target)
	if err != nil {
		client.Close()
		return
	}
	d.mu.Lock()
	d.conns = append(d.conns, client, server)
	d.mu.Unlock()
	go d.pipe(server, client)
	d.pipe(client, server)
}

// pipe copies src to dst, each chunk delivered oneWay after it was read.
func (d *delayLink) pipe(dst, src net.Conn) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	q := make(chan chunk, 4096)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range q {
			if w := time.Until(c.at); w > 0 {
				time.Sleep(w)
			}
			if _, err := dst.Write(c.b); err != nil {
				for range q { // drain so the reader never blocks
				}
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			q <- chunk{b: append([]byte(nil), buf[:n]...), at: time.Now().Add(d.oneWay)}
		}
		if err != nil {
			close(q)
			<-done
			if tc, ok := dst.(*net.TCPConn); ok && errors.Is(err, io.EOF) {
				_ = tc.CloseWrite()
			} else {
				dst.Close()
			}
			return
		}
	}
}

func (d *delayLink) close() {
	d.ln.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		c.Close()
	}
}
