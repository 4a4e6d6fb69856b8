package tests

import (
	"context"
	"testing"
	"time"

	"dagger/fit-images/images/catalog"
	"dagger/fit-images/images/pipeline"
	"dagger/fit-images/tests/fixture"
)

// BenchmarkDebianBuild measures, per Java flavour, a cold build (every layer rebuilt: no-cache),
// a warm rebuild (nothing changed: the engine's cache answers) and the compressed image size.
// Run it with ./hack/bench; one iteration is a real image build, so use -benchtime 1x.
func BenchmarkDebianBuild(b *testing.B) {
	if engine != "" {
		b.Skip(engine)
	}
	ctx := context.Background()
	osEntry, _ := catalog.Lookup("debian")
	v, _ := parseV(version)
	for _, java := range []catalog.Java{catalog.JRE, catalog.JDK} {
		opts := pipeline.Options{OS: osEntry, Version: v, Artifact: client.Host().File(zips[fixture.Healthy].Path), Java: java}
		build := func(b *testing.B, noCache bool) {
			o := opts
			o.NoCache = noCache
			var size int64
			if !noCache {
				// warm means a rebuild of what was built before: build it once, untimed
				b.StopTimer()
				img, err := pipeline.Build(ctx, client, o)
				if err == nil {
					_, err = img.Sync(ctx)
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			for i := 0; i < b.N; i++ {
				start := time.Now()
				img, err := pipeline.Build(ctx, client, o)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := img.Sync(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/build")
				b.StopTimer()
				if size, err = pipeline.CompressedSize(ctx, img); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(size)/1e6, "MB-compressed")
		}
		b.Run("cold/"+string(java), func(b *testing.B) { build(b, true) })
		b.Run("warm/"+string(java), func(b *testing.B) { build(b, false) })
	}
}
