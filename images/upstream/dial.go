package upstream

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"dagger/fit-images/images/release"
)

// DialVia is an HTTP transport that connects to routes[host:port] whenever a request is for
// host:port, and directly otherwise. A Dagger function uses it to reach a server of the caller's
// machine (handed over as a service, tcp://localhost:PORT) under the address the caller knows it
// by, so URLs, Link headers, messages and the loopback rules stay the caller's.
func DialVia(routes map[string]string) *http.Transport {
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

// RegistryAddr is the host:port a registry prefix connects to (plain http for loopback ones).
func RegistryAddr(r release.Registry) string {
	scheme := "https"
	if IsLoopback(hostOnly(r.Host())) {
		scheme = "http"
	}
	return HostPort(&url.URL{Scheme: scheme, Host: r.Host()})
}
