package main

import (
	"context"
	"sync"

	sdkdagger "dagger.io/dagger"

	"dagger/fit-images/internal/dagger"
)

// The pipeline is written against the published SDK; inside a module, dagger.Connect joins the
// current session, so objects move between the two clients by their IDs.
var (
	sdkOnce   sync.Once
	sdkClient *sdkdagger.Client
	sdkErr    error
)

func sdk(ctx context.Context) (*sdkdagger.Client, error) {
	sdkOnce.Do(func() { sdkClient, sdkErr = sdkdagger.Connect(ctx) })
	return sdkClient, sdkErr
}

func containerBack(ctx context.Context, c *sdkdagger.Container) (*dagger.Container, error) {
	id, err := c.ID(ctx)
	if err != nil {
		return nil, err
	}
	return dag.LoadContainerFromID(dagger.ContainerID(id)), nil
}

func fileBack(ctx context.Context, f *sdkdagger.File) (*dagger.File, error) {
	id, err := f.ID(ctx)
	if err != nil {
		return nil, err
	}
	return dag.LoadFileFromID(dagger.FileID(id)), nil
}

func fileIn(ctx context.Context, c *sdkdagger.Client, f *dagger.File) (*sdkdagger.File, error) {
	id, err := f.ID(ctx)
	if err != nil {
		return nil, err
	}
	return c.LoadFileFromID(sdkdagger.FileID(id)), nil
}

func secretIn(ctx context.Context, c *sdkdagger.Client, s *dagger.Secret) (*sdkdagger.Secret, error) {
	id, err := s.ID(ctx)
	if err != nil {
		return nil, err
	}
	return c.LoadSecretFromID(sdkdagger.SecretID(id)), nil
}

func serviceBack(ctx context.Context, s *sdkdagger.Service) (*dagger.Service, error) {
	id, err := s.ID(ctx)
	if err != nil {
		return nil, err
	}
	return dag.LoadServiceFromID(dagger.ServiceID(id)), nil
}
