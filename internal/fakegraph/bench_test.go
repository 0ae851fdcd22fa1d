package fakegraph

import (
	"fmt"
	"testing"
)

// BenchmarkListAll lists 50 custom profiles through every page, as a
// plan of 50 policies lists deviceConfigurations once.
func BenchmarkListAll(b *testing.B) {
	s := New(Options{Token: token, PageSize: 10})
	defer s.Close()
	for i := range 50 {
		s.Seed("beta", pathDeviceConfigurations, customProfile(fmt.Sprint("P", i)))
	}
	for b.Loop() {
		s.ResetLog()
		for next := s.URL + configs; next != ""; {
			_, m := call(b, s, "GET", next, nil)
			next, _ = m["@odata.nextLink"].(string)
		}
	}
	b.ReportMetric(float64(len(s.Requests())), "requests/op")
}
