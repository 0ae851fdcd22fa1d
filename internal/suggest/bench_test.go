package suggest

import (
	"fmt"
	"testing"
)

// schemaKeys stands in for a large candidate list, such as a payload's keys
// in Apple's schema: a few hundred names of mixed length.
func schemaKeys() []string {
	stems := []string{"allow", "force", "PayloadContent", "ManagedOpenIn", "Restriction", "ExchangeActiveSync", "Certificate", "Identifier", "Display", "SSID_STR"}
	var keys []string
	for i, s := range stems {
		for j := range 30 {
			keys = append(keys, fmt.Sprintf("%s%sKey%d", s, stems[(i+j)%len(stems)], j))
		}
	}
	return keys
}

// BenchmarkClosest is one "did you mean" for an unknown key, against a
// policy section's dozen names and against a schema's 300.
func BenchmarkClosest(b *testing.B) {
	small := []string{"host", "email", "username", "auth", "ssl", "sync", "mail_days", "certificate", "password", "display_name", "account_name", "identifier"}
	large := schemaKeys()
	for _, bc := range []struct {
		name       string
		candidates []string
	}{{"12 candidates", small}, {"300 candidates", large}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				Closest(fmt.Sprint("unknown_setting_", i%100), bc.candidates)
			}
		})
	}
}
