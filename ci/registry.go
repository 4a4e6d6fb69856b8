package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"dagger/fit-images/images/release"
)

// Registry HTTP API (OCI distribution spec) with a plain net/http client: enough to list the
// tags of one repository, anonymously or with a login, to tell whether a version is out already.

// registryAPI returns the base URL of the registry a prefix points at and the repository path of
// the image under it: "modelengine/" → https://registry-1.docker.io, "modelengine/fit-framework".
// Loopback hosts are spoken to over plain HTTP, as the engine does for localhost registries.
func registryAPI(r release.Registry) (base, repo string) {
	host := r.Host()
	path := strings.TrimSuffix(string(r), "/")
	if first, rest, found := strings.Cut(path, "/"); first == host {
		path = ""
		if found {
			path = rest
		}
	}
	repo = release.ImageName
	if path != "" {
		repo = path + "/" + repo
	}
	scheme := "https"
	switch {
	case host == "docker.io":
		host = "registry-1.docker.io"
		if !strings.Contains(repo, "/") {
			repo = "library/" + repo
		}
	case isLoopback(host):
		scheme = "http"
	}
	return scheme + "://" + host, repo
}

func isLoopback(hostport string) bool {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// authError is a registry refusing the login it was given (or asking for one when none was).
type authError struct{ msg string }

func (e authError) Error() string { return e.msg }

// tagList is what the registry knows of one repository.
type tagList struct {
	Repo     string // e.g. localhost:5000/fit-framework
	Exists   bool
	Tags     []string
	LoggedIn bool // the registry asked for a login and accepted the one given
}

// listTags reads every tag of the image repository in r, following pagination. A repository the
// registry does not know is not an error: Exists is false.
func listTags(ctx context.Context, hc *http.Client, r release.Registry, creds *Credentials) (tagList, error) {
	base, repo := registryAPI(r)
	out := tagList{Repo: strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://") + "/" + repo}
	next := base + "/v2/" + repo + "/tags/list?n=1000"
	auth := ""
	for page := 0; next != "" && page < 100; page++ {
		resp, err := registryGet(ctx, hc, next, auth)
		if err != nil {
			return out, err
		}
		if resp.StatusCode == http.StatusUnauthorized && auth == "" {
			challenge := resp.Header.Get("WWW-Authenticate")
			drain(resp)
			if auth, err = login(ctx, hc, challenge, repo, creds); err != nil {
				return out, err
			}
			out.LoggedIn = creds != nil
			page--
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusNotFound:
			drain(resp)
			return out, nil // NAME_UNKNOWN: never pushed
		case http.StatusUnauthorized, http.StatusForbidden:
			msg := registryError(resp)
			if creds == nil {
				return out, authError{fmt.Sprintf("%s refused to list %s without a login (%s): pass --username and --password-env", r.Host(), repo, msg)}
			}
			return out, authError{fmt.Sprintf("%s refused the login of %s for %s (%s)", r.Host(), creds.Username, repo, msg)}
		default:
			return out, fmt.Errorf("%s answered %s for %s", r.Host(), resp.Status, registryError(resp))
		}
		var body struct {
			Tags []string `json:"tags"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&body)
		link := resp.Header.Get("Link")
		drain(resp)
		if err != nil {
			return out, fmt.Errorf("%s sent a tag list that is not JSON: %v", r.Host(), err)
		}
		out.Exists = true
		out.Tags = append(out.Tags, body.Tags...)
		next = nextLink(base, next, link)
	}
	return out, nil
}

func registryGet(ctx context.Context, hc *http.Client, u, auth string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("registry %s is unreachable: %v", req.URL.Host, err)
	}
	return resp, nil
}

var challengeParam = regexp.MustCompile(`([a-zA-Z]+)="([^"]*)"`)

// login answers a WWW-Authenticate challenge: Basic sends the credentials, Bearer fetches a token
// from the realm (anonymously without credentials, as public repositories allow).
func login(ctx context.Context, hc *http.Client, challenge, repo string, creds *Credentials) (string, error) {
	scheme, params, _ := strings.Cut(strings.TrimSpace(challenge), " ")
	switch strings.ToLower(scheme) {
	case "basic":
		if creds == nil {
			return "", authError{"the registry asks for a login: pass --username and --password-env"}
		}
		req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
		req.SetBasicAuth(creds.Username, creds.Password.Value())
		return req.Header.Get("Authorization"), nil
	case "bearer":
	default:
		return "", fmt.Errorf("the registry asks for an authentication scheme this check does not speak: %q", scheme)
	}
	p := map[string]string{}
	for _, m := range challengeParam.FindAllStringSubmatch(params, -1) {
		p[strings.ToLower(m[1])] = m[2]
	}
	realm, err := url.Parse(p["realm"])
	if err != nil || (realm.Scheme != "https" && realm.Scheme != "http") {
		return "", fmt.Errorf("the registry's token realm %q is not a URL", p["realm"])
	}
	q := realm.Query()
	if p["service"] != "" {
		q.Set("service", p["service"])
	}
	scope := p["scope"]
	if scope == "" {
		scope = "repository:" + repo + ":pull"
	}
	q.Set("scope", scope)
	realm.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, realm.String(), nil)
	if err != nil {
		return "", err
	}
	if creds != nil {
		req.SetBasicAuth(creds.Username, creds.Password.Value())
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("token service %s is unreachable: %v", realm.Host, err)
	}
	defer drain(resp)
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return "", authError{fmt.Sprintf("token service %s refused the login (%s)", realm.Host, resp.Status)}
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token service %s answered %s", realm.Host, resp.Status)
	}
	var tok struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok); err != nil {
		return "", fmt.Errorf("token service %s sent no JSON token: %v", realm.Host, err)
	}
	t := tok.Token
	if t == "" {
		t = tok.AccessToken
	}
	if t == "" {
		return "", fmt.Errorf("token service %s sent an empty token", realm.Host)
	}
	return "Bearer " + t, nil
}

var linkNext = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?next"?`)

// nextLink resolves the Link header's next page against the current URL.
func nextLink(base, current, link string) string {
	m := linkNext.FindStringSubmatch(link)
	if m == nil {
		return ""
	}
	cur, err := url.Parse(current)
	if err != nil {
		return ""
	}
	n, err := cur.Parse(m[1])
	if err != nil || !strings.HasPrefix(n.String(), base+"/") {
		return "" // stay on the registry we were asked about
	}
	return n.String()
}

// registryError summarizes an error answer: the first error code and message of the JSON body.
func registryError(resp *http.Response) string {
	defer drain(resp)
	var body struct {
		Errors []struct{ Code, Message string } `json:"errors"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &body) == nil && len(body.Errors) > 0 {
		e := body.Errors[0]
		return strings.TrimSpace(e.Code + " " + e.Message)
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = resp.Status
	}
	return s
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) //nolint:errcheck
	resp.Body.Close()
}

// newRegistryClient is the HTTP client of the "not yet published" check, with a time bound.
func newRegistryClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }
