// Package dial is how a function reaches a server: a transport that routes the addresses of the
// caller's machine to the services standing for them, and the loopback rule (what stays on this
// machine, so may be spoken to over plain http). The registry and GitHub clients share it.
package dial

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Via is an HTTP transport that connects to routes[host:port] whenever a request is for
// host:port, and directly otherwise. A Dagger function uses it to reach a server of the caller's
// machine (handed over as a service, tcp://localhost:PORT) under the address the caller knows it
// by, so URLs, Link headers, messages and the loopback rules stay the caller's.
func Via(routes map[string]string) *http.Transport {
	// go-containerregistry's defaults (timeouts, proxy, HTTP/2) for the registry and the API alike
	t := remote.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := routes[addr]; ok {
			addr = to
		}
		return d.DialContext(ctx, network, addr)
	}
	return t
}

// HostPort is the address a URL connects to: its host with the scheme's default port.
func HostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "443"
	if u.Scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// IsLoopback tells whether a host name or address stays on this machine.
func IsLoopback(host string) bool {
	h := strings.ToLower(strings.Trim(host, "[]"))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// HostOnly is the host of host:port, or of a bare host ("[::1]" → "::1").
func HostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}
