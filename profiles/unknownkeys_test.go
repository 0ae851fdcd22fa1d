package profiles

import (
	"fmt"
	"strings"
	"testing"
)

// TestManyUnknownKeysComplete: 45,000 unknown payload keys in one file, each
// looked up in the schema for a "did you mean", took 94 s. The work per key
// is bounded in internal/suggest (TestClosestWorkIsBounded); this checks the
// whole file is reported, one finding a key.
func TestManyUnknownKeysComplete(t *testing.T) {
	if testing.Short() {
		t.Skip("45,000 keys")
	}
	var b strings.Builder
	b.WriteString("version: 1\nprofile: {name: p, identifier: com.example.p}\npayloads:\n  - name: wifi\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: Example\n")
	const keys = 45_000
	for i := range keys {
		fmt.Fprintf(&b, "      Unk%d: 1\n", i)
	}
	ds := findings(b.String())
	if len(ds) != keys {
		t.Fatalf("%d findings for %d unknown keys", len(ds), keys)
	}
}
