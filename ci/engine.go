package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"dagger.io/dagger"

	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/images/release"
)

// loadArtifact hands the release zip to the engine: a local --artifact (checked against
// --checksum here, before upload) or a download (checked by pipeline.Download).
func loadArtifact(ctx context.Context, c *dagger.Client, v release.Version, a artifactSpec) (*dagger.File, error) {
	if a.path == "" {
		return pipeline.Download(ctx, c, v, a.url, a.checksum)
	}
	if a.checksum != "" {
		got, err := fileSHA256(a.path)
		if err != nil {
			return nil, err
		}
		if got != a.checksum {
			return nil, fmt.Errorf("checksum mismatch for %s: expected %s, got %s; the file is corrupt or not the release you meant", a.path, a.checksum, got)
		}
	}
	return c.Host().File(a.path), nil
}

// fileSHA256 returns "sha256:hex" of a local file.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// registryAuth turns credentials into an engine secret at once; the password string goes no further.
func registryAuth(c *dagger.Client, creds *Credentials) *pipeline.Auth {
	if creds == nil {
		return nil
	}
	return &pipeline.Auth{Username: creds.Username, Password: c.SetSecret("ci-registry-password", creds.Password.Value())}
}

// setOutputs writes step outputs in order and returns every write error.
func setOutputs(rep Reporter, kv ...string) error {
	var errs []error
	for i := 0; i+1 < len(kv); i += 2 {
		errs = append(errs, rep.Output(kv[i], kv[i+1]))
	}
	return errors.Join(errs...)
}

func passedOrFailed(ok bool) string {
	if ok {
		return "passed"
	}
	return "failed"
}
