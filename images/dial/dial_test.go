package dial

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"localhost", true}, {"127.0.0.1", true}, {"[::1]", true}, {"127.1.2.3", true}, {"registry.localhost", true},
		{"10.0.0.1", false}, {"registry.example.com", false}, {"localhost.example.com", false},
	} {
		if got := IsLoopback(tc.host); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestHostPort(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"http://api.invalid/repos/o/r/releases", "api.invalid:80"},
		{"https://api.github.com/repos/o/r/releases", "api.github.com:443"},
		{"http://localhost:8080/x", "localhost:8080"},
		{"https://[::1]/x", "[::1]:443"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := HostPort(u); got != tc.want {
			t.Errorf("HostPort(%s) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestHostOnly(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"localhost:5000", "localhost"}, {"[::1]:5000", "::1"}, {"[::1]", "::1"}, {"docker.io", "docker.io"},
	} {
		if got := HostOnly(tc.in); got != tc.want {
			t.Errorf("HostOnly(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A request for a routed address reaches the server the route names; the request itself (Host
// header, URL) keeps the caller's address.
func TestVia(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Host)
	}))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: Via(map[string]string{"api.invalid:80": u.Host})}
	resp, err := hc.Get("http://api.invalid/")
	if err != nil {
		t.Fatalf("the routed address was not reached: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // read: nothing to lose
	if err != nil || string(body) != "api.invalid" {
		t.Errorf("the server saw Host %q (%v), want api.invalid", body, err)
	}
}
