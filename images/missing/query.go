package missing

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"dagger/fit-images/images/dial"
	"dagger/fit-images/images/registry"
	"dagger/fit-images/images/release"
	"dagger/fit-images/images/stale"
	"dagger/fit-images/images/upstream"
)

// Query is one question of missing-releases, validated.
type Query struct {
	Registry release.Registry
	OSes     []string
	// Version, when set, is the one version asked about (a dispatched release): the API is not
	// asked and Floor does not apply. Rebuild then answers its published OSes too.
	Version release.Version
	Rebuild bool
	Floor   release.Version
	Skip    []release.Version
	Limit   int
	API     *url.URL
	// Token for the API and the registry login; empty means anonymous.
	Token              string
	Username, Password string
	// Routes dials host:port of a server elsewhere (see dial.Via).
	Routes map[string]string
	// Stale, when set, answers the published images and whether their base moved (images/stale):
	// the stale ones are added, to be rebuilt (WithStale).
	Stale func(ctx context.Context, tags []string) ([]stale.Image, error)
}

// Run lists what Query asks about and answers the missing images, oldest version first.
func (q Query) Run(ctx context.Context) ([]Missing, error) {
	via := dial.Via(q.Routes)
	versions := []release.Version{q.Version}
	if q.Version == (release.Version{}) {
		// a stalled API fails the run instead of holding the daily catch-up
		rs, err := upstream.ListReleases(ctx, &http.Client{Transport: via, Timeout: 2 * time.Minute}, q.API, q.Token)
		if err != nil {
			return nil, err
		}
		finals, _ := upstream.Finals(rs, q.Floor)
		versions = Without(finals, q.Skip)
	}
	have, err := registry.Repo{Registry: q.Registry, Username: q.Username, Password: q.Password, Transport: via}.List(ctx)
	if err != nil {
		return nil, err
	}
	if q.Rebuild {
		return []Missing{Rebuild(q.Version, q.OSes, have)}, nil
	}
	if q.Stale == nil {
		return Compare(versions, q.OSes, have, q.Limit), nil
	}
	images, err := q.Stale(ctx, have)
	if err != nil {
		return nil, err
	}
	// the limit counts the rows of both: a day's catch-up starts at most that many releases
	return WithStale(Compare(versions, q.OSes, have, 0), images, q.Floor, q.Skip, q.Limit)
}
