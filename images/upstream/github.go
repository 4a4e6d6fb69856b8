package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/report"
)

// maxPages bounds the pagination: 100 releases a page, so 5,000 releases, far beyond FIT's.
const maxPages = 50

// ParseAPIURL validates --api-url: an http(s) URL without credentials in it (a token goes in
// --token, never in a URL that ends up in logs).
func ParseAPIURL(s string) (*url.URL, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil, u.Host == "":
		return nil, fmt.Errorf("malformed --api-url %q: expected a URL such as %s", s, DefaultAPIURL)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("--api-url %q must be an http(s) URL, e.g. %s", s, DefaultAPIURL)
	case u.User != nil:
		return nil, fmt.Errorf("--api-url must not carry credentials: pass the token with --token")
	}
	return u, nil
}

// ListReleases reads every page of a GitHub "list releases" answer at apiURL, following the Link
// header's rel="next" as GitHub paginates. A token, when not empty, goes in the Authorization
// header of requests to apiURL's own host only, and only over https or to loopback.
func ListReleases(ctx context.Context, hc *http.Client, apiURL *url.URL, token string) ([]Release, error) {
	if token != "" && apiURL.Scheme != "https" && !dial.IsLoopback(apiURL.Hostname()) {
		return nil, fmt.Errorf("refusing to send the token over plain http to %s: use an https --api-url", apiURL.Host)
	}
	var all []Release
	next := withPerPage(apiURL)
	for page := 1; next != nil; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("%s: more than %d pages of releases: is --api-url a releases listing?", apiURL.Redacted(), maxPages)
		}
		if next.Host != apiURL.Host || next.Scheme != apiURL.Scheme {
			return nil, fmt.Errorf("%s: the next page points at another server (%s): refusing to follow it", apiURL.Redacted(), next.Redacted())
		}
		rs, link, err := getPage(ctx, hc, next, token)
		if err != nil {
			return nil, err
		}
		all = append(all, rs...)
		if next, err = NextPage(link, next); err != nil {
			return nil, err
		}
	}
	return all, nil
}

func withPerPage(u *url.URL) *url.URL {
	c := *u
	q := c.Query()
	if q.Get("per_page") == "" {
		q.Set("per_page", "100")
	}
	c.RawQuery = q.Encode()
	return &c
}

func getPage(ctx context.Context, hc *http.Client, u *url.URL, token string) ([]Release, string, error) {
	body, link, err := get(ctx, hc, u, token, "the FIT releases")
	if err != nil {
		return nil, "", err
	}
	var rs []Release
	if err := json.Unmarshal(body, &rs); err != nil {
		return nil, "", fmt.Errorf("%s did not answer a JSON list of releases (%v): is --api-url a GitHub releases listing?", u.Redacted(), err)
	}
	return rs, link, nil
}

// get is one GitHub API request for what (named in messages); it answers the body and the Link
// header of a 200 answer.
func get(ctx context.Context, hc *http.Client, u *url.URL, token, what string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("cannot get %s at %s: %s", what, u.Redacted(), report.FirstLine(err.Error()))
	}
	defer func() { _ = resp.Body.Close() }() // read only: nothing to lose
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s from %s: %v", what, u.Redacted(), err)
	}
	if resp.StatusCode != http.StatusOK {
		hint := ""
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			hint = ": the token was refused"
		case http.StatusForbidden, http.StatusTooManyRequests:
			hint = ": rate limited? pass a token with --token (in GitHub Actions: the GITHUB_TOKEN)"
		case http.StatusNotFound:
			hint = ": check --api-url (…/repos/OWNER/REPO/releases) and that the release exists"
		}
		return nil, "", fmt.Errorf("getting %s at %s answered %s%s", what, u.Redacted(), resp.Status, hint)
	}
	return body, resp.Header.Get("Link"), nil
}

var linkNext = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="?next"?`)

// NextPage is the rel="next" URL of a Link header (RFC 8288, as GitHub sends it), resolved
// against the current page; nil when there is none.
func NextPage(link string, current *url.URL) (*url.URL, error) {
	for _, part := range strings.Split(link, ",") {
		m := linkNext.FindStringSubmatch(part)
		if m == nil {
			continue
		}
		u, err := current.Parse(m[1])
		if err != nil {
			return nil, fmt.Errorf("malformed next page %q in the Link header: %v", m[1], err)
		}
		return u, nil
	}
	return nil, nil
}
