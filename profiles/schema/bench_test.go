package schema

import (
	"io"
	"testing"
)

// BenchmarkLoad measures the one-time parse of the embedded data.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup measures a payload and a nested key lookup once loaded.
func BenchmarkLookup(b *testing.B) {
	get()
	b.ReportAllocs()
	for b.Loop() {
		p, ok := Lookup("com.apple.applicationaccess")
		if !ok {
			b.Fatal("missing")
		}
		if _, ok := p.Key("allowAccountModification"); !ok {
			b.Fatal("missing key")
		}
		s, _ := Lookup("com.apple.security.scep")
		pc, _ := s.Key("PayloadContent")
		if _, ok := pc.Lookup("Key Type"); !ok {
			b.Fatal("missing subkey")
		}
	}
}

// BenchmarkExplain measures what mdmforge explain does for a payload and
// for a nested key: resolving the path, building the explanation and
// writing its text.
func BenchmarkExplain(b *testing.B) {
	get()
	b.ReportAllocs()
	for b.Loop() {
		for _, path := range []string{"com.apple.applicationaccess", "com.apple.security.scep.PayloadContent.Key Type"} {
			e, err := Explain(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := e.WriteText(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLoadFacts measures reading all of ProfileManifests' data and
// combining it with Apple's (already loaded), for comparison with
// BenchmarkLoad: what Facts would cost if it did not read domains on
// demand.
func BenchmarkLoadFacts(b *testing.B) {
	apple := get()
	b.ReportAllocs()
	b.SetBytes(int64(len(manifestsData)))
	for b.Loop() {
		src, spans, err := indexFacts(manifestsData)
		if err != nil {
			b.Fatal(err)
		}
		combineAll(newFactsDB(apple, src, spans))
	}
	b.ReportMetric(float64(len(manifestsData)), "embedded-bytes")
}

// BenchmarkFirstFacts measures what a profile's first Facts calls cost:
// indexing the file and combining the few domains it names.
func BenchmarkFirstFacts(b *testing.B) {
	apple := get()
	b.ReportAllocs()
	for b.Loop() {
		src, spans, err := indexFacts(manifestsData)
		if err != nil {
			b.Fatal(err)
		}
		f := newFactsDB(apple, src, spans)
		for _, t := range []string{"Configuration", "com.apple.applicationaccess", "com.google.Chrome", "com.apple.wifi.managed"} {
			f.payload(t)
		}
	}
}
