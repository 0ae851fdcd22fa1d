package intune

import (
	"os"
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
)

// BenchmarkBundle measures writing the example's whole NAME.intune folder:
// seven Graph bodies, the profile compiled and read back inside custom.json,
// and the README.
func BenchmarkBundle(b *testing.B) {
	data, err := os.ReadFile(example)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := profiles.Decode("p.yaml", data)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Bundle(p, profiles.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
