// Command pin sets the pinned sha256 of a FIT release zip in images/release/checksums.txt, the
// second source of the sum on the release path (after --checksum, before the GitHub API).
//
//	go run ./hack/pin 3.6.1                      download the release zip and hash it
//	go run ./hack/pin -zip ./3.6.1.zip 3.6.1     hash a zip you have
//
// Either way the sum is compared with the digest the GitHub release API gives the asset, when it
// gives one; a difference pins nothing. GITHUB_TOKEN, when set, goes to the API. Commit the file.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"dagger/fit-images/images/release"
	"dagger/fit-images/images/upstream"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("pin", flag.ContinueOnError)
	zip := fs.String("zip", "", "hash this zip instead of downloading the release's")
	file := fs.String("file", release.PinsPath, "the pins file to update")
	dl := fs.String("url", "", "download URL of the zip; {version} is replaced (default: the GitHub release)")
	apiFlag := fs.String("api-url", upstream.DefaultAPIURL, "the GitHub releases API of FIT")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: go run ./hack/pin [-zip FILE] VERSION")
	}
	v, err := release.ParseVersion(fs.Arg(0))
	if err != nil {
		return err
	}
	api, err := upstream.ParseAPIURL(*apiFlag)
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: 10 * time.Minute}
	var sum string
	if *zip != "" {
		f, err := os.Open(*zip)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }() // read only: nothing to lose
		if sum, err = hash(f); err != nil {
			return err
		}
	} else if sum, err = download(ctx, hc, v, *dl); err != nil {
		return err
	}
	var compared string
	switch d, err := upstream.AssetDigest(ctx, hc, api, os.Getenv("GITHUB_TOKEN"), "v"+v.String(), release.ArtifactName(v)); {
	case err != nil:
		compared = fmt.Sprintf("not compared with the GitHub API: %v", err)
	case d == "":
		compared = fmt.Sprintf("not compared with the GitHub API: it gives %s no digest", release.ArtifactName(v))
	case d != sum:
		return fmt.Errorf("the zip has %s but the GitHub API gives %s for %s of v%s: not pinned", sum, d, release.ArtifactName(v), v)
	default:
		compared = "the GitHub API gives the same digest"
	}
	if _, err := fmt.Fprintln(out, compared); err != nil {
		return err
	}
	text, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	updated, err := release.SetPin(string(text), v, sum)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*file, []byte(updated), 0o644); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s %s → %s\n", v, sum, *file)
	return err
}

func download(ctx context.Context, hc *http.Client, v release.Version, override string) (string, error) {
	u, err := release.ArtifactURL(v, override)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }() // read only: nothing to lose
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("downloading %s answered %s", u, resp.Status)
	}
	return hash(resp.Body)
}

func hash(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
