// Package size reads and prints image size budgets (decimal units, as registries count).
package size

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([A-Za-z]*)$`)

// sizeUnits are decimal (kB = 1000 B, as registries and the seed guide count) unless they say
// "iB" (KiB = 1024 B). Case is ignored: "1.5gb" is 1.5 GB.
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// Parse reads a size budget such as "1.5GB", "700MB", "1MB", "500 kB" or "123456" (bytes).
func Parse(s string) (int64, error) {
	t := strings.TrimSpace(s)
	m := sizeRe.FindStringSubmatch(t)
	if m == nil {
		return 0, fmt.Errorf("malformed size %q: expected a number and a unit such as 1.5GB, 700MB or 1MB (decimal units: 1 MB = 1000000 bytes)", s)
	}
	unit, ok := sizeUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Errorf("unknown size unit %q in %q: use B, kB, MB, GB or TB (or KiB, MiB, GiB, TiB)", m[2], s)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("malformed size %q: %v", s, err)
	}
	bytes := n * unit
	if bytes < 1 || bytes > math.MaxInt64/2 {
		return 0, fmt.Errorf("size %q is out of range: give at least 1 byte", s)
	}
	return int64(math.Round(bytes)), nil
}

// Format prints a byte count with the unit a person would pick, decimal.
func Format(n int64) string {
	switch {
	case n >= 1e9:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(n)/1e9), "0"), ".") + " GB"
	case n >= 1e6:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", float64(n)/1e6), "0"), ".") + " MB"
	case n >= 1e3:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", float64(n)/1e3), "0"), ".") + " kB"
	}
	return fmt.Sprintf("%d B", n)
}
