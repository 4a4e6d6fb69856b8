package size

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	good := map[string]int64{
		"1.5GB": 1_500_000_000, "700MB": 700_000_000, "1MB": 1_000_000, "1mb": 1_000_000, "500 kB": 500_000,
		"2G": 2_000_000_000, "123456": 123456, "10B": 10, "1KiB": 1024, "1.5 GiB": 1_610_612_736, " 0.5MB ": 500_000, ".5GB": 500_000_000,
	}
	for in, want := range good {
		got, err := Parse(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{"", "GB", "1.5XB", "-1MB", "1,5GB", "0", "0MB", "0.1B", "1e9", "1.5 G B", "9999999999TB", "NaN"} {
		_, err := Parse(in)
		assert.Error(t, err, in)
	}
	_, err := Parse("1.5XB")
	assert.EqualError(t, err, `unknown size unit "XB" in "1.5XB": use B, kB, MB, GB or TB (or KiB, MiB, GiB, TiB)`)
}

func TestFormat(t *testing.T) {
	cases := map[int64]string{1_500_000_000: "1.5 GB", 2_000_000_000: "2 GB", 700_000_000: "700 MB", 85_312_000: "85.3 MB",
		1_000_000: "1 MB", 12_345: "12.3 kB", 999: "999 B"}
	for in, want := range cases {
		assert.Equal(t, want, Format(in))
	}
	assert.NotPanics(t, func() { Format(math.MaxInt64) })
}
