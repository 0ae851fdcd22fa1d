package schema

import (
	"strconv"
	"strings"
)

// CompareVersions compares two dotted OS versions numerically and returns
// -1, 0 or +1. Missing components count as zero, so "13" equals "13.0.0".
// A component that is not a number is compared as text after all numbers.
func CompareVersions(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		if c := compareComponent(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func compareComponent(x, y string) int {
	if x == "" {
		x = "0"
	}
	if y == "" {
		y = "0"
	}
	nx, errx := strconv.ParseUint(x, 10, 64)
	ny, erry := strconv.ParseUint(y, 10, 64)
	switch {
	case errx == nil && erry == nil:
		switch {
		case nx < ny:
			return -1
		case nx > ny:
			return 1
		}
		return 0
	case errx == nil:
		return -1
	case erry == nil:
		return 1
	}
	return strings.Compare(x, y)
}
