package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"dagger/fit-images/images/dial"
)

// AssetDigest asks GitHub's "get a release by tag" API (apiURL/tags/TAG, apiURL being the releases
// listing that ParseAPIURL accepts) for the digest GitHub computed for one asset of that release,
// "sha256:…". An asset without one (GitHub fills it since June 2025) answers "". The token follows
// the rules of ListReleases.
func AssetDigest(ctx context.Context, hc *http.Client, apiURL *url.URL, token, tag, asset string) (string, error) {
	if token != "" && apiURL.Scheme != "https" && !dial.IsLoopback(apiURL.Hostname()) {
		return "", fmt.Errorf("refusing to send the token over plain http to %s: use an https --api-url", apiURL.Host)
	}
	u := apiURL.JoinPath("tags", url.PathEscape(tag))
	body, _, err := get(ctx, hc, u, token, "release "+tag)
	if err != nil {
		return "", err
	}
	var rel struct {
		TagName string `json:"tag_name"`
		Assets  []struct {
			Name   string  `json:"name"`
			Digest *string `json:"digest"`
		} `json:"assets"`
	}
	if err := json.Unmarshal(body, &rel); err != nil {
		return "", fmt.Errorf("%s did not answer a JSON release (%v): is --api-url a GitHub releases listing?", u.Redacted(), err)
	}
	var names []string
	for _, a := range rel.Assets {
		if a.Name == asset {
			if a.Digest == nil {
				return "", nil
			}
			return *a.Digest, nil
		}
		names = append(names, a.Name)
	}
	return "", fmt.Errorf("release %s has no asset %s (it has: %s)", tag, asset, strings.Join(names, ", "))
}
