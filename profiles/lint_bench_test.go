package profiles

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLintCorpus measures lint over the profiles of testdata/profiles
// that devices accept, each with its platform inferred, and reports the
// findings per run by severity, so a change that makes lint noisier shows
// beside one that makes it slower.
func BenchmarkLintCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "profiles", "*", "*.mobileconfig"))
	type profile struct {
		name string
		data []byte
	}
	var corpus []profile
	for _, f := range files {
		if filepath.Base(filepath.Dir(f)) == "broken" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		corpus = append(corpus, profile{f, data})
	}
	if len(corpus) == 0 {
		b.Skip("no profiles in testdata/profiles")
	}
	var ds Diagnostics
	b.ReportAllocs()
	for b.Loop() {
		ds = ds[:0]
		for _, p := range corpus {
			ds = append(ds, Lint(p.name, p.data, Devices{})...)
		}
	}
	b.ReportMetric(float64(len(corpus)), "profiles")
	b.ReportMetric(float64(ds.Errors()), "errors")
	b.ReportMetric(float64(ds.Warnings()), "warnings")
	b.ReportMetric(float64(len(ds)-ds.Errors()-ds.Warnings()), "notes")
}
