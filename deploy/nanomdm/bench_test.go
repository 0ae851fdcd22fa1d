package nanomdm

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkApply300Enrollments queues one profile to 300 enrollments of a
// real NanoMDM, then plans again with nothing to do; requests/op counts the
// enqueue requests (300 enrollments go in ⌈300/100⌉ commands).
func BenchmarkApply300Enrollments(b *testing.B) {
	s := newServer(b, false)
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = fmt.Sprintf("00008030-%016X", i)
	}
	src := strings.Replace(contactsPolicy, "include: [IDS]", "include: ["+strings.Join(ids, ", ")+"]", 1)
	c := s.client(testAPIKey)
	writes := 0
	for i := 0; b.Loop(); i++ {
		dir := b.TempDir()
		profs := build(b, BuildOptions{}, policy(b, dir, src))
		r := mustApply(b, c, profs, opts(dir))
		again := mustApply(b, c, profs, opts(dir))
		if r.Created != 300 || again.Writes != 0 {
			b.Fatalf("%+v then %+v", r, again)
		}
		writes += r.Writes
	}
	b.ReportMetric(float64(writes)/float64(b.N), "requests/op")
}
