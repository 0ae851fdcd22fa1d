package profiles

import (
	"os"
	"testing"
)

func benchExample(b *testing.B) []byte {
	data, err := os.ReadFile(example)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDecodeValidate measures reading and checking the example policy.
func BenchmarkDecodeValidate(b *testing.B) {
	data := benchExample(b)
	b.ReportAllocs()
	for b.Loop() {
		p, ds := Decode("p.yaml", data)
		if ds.Errors() > 0 || Validate(p).Errors() > 0 {
			b.Fatal("example invalid")
		}
	}
}

// BenchmarkBuild measures compiling the decoded example into its two
// outputs, read-back checks included.
func BenchmarkBuild(b *testing.B) {
	p, _ := Decode("p.yaml", benchExample(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Build(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaCheck measures only the checks against Apple's schema, to
// be read beside BenchmarkBuild: their ratio is what schema validation adds.
func BenchmarkSchemaCheck(b *testing.B) {
	p, _ := Decode("p.yaml", benchExample(b))
	b.ReportAllocs()
	for b.Loop() {
		v := &validation{p: p}
		v.schema()
		if v.ds.Errors() > 0 {
			b.Fatal(v.ds)
		}
	}
}

// BenchmarkMobileconfig measures one profile: compile, encode, read back.
func BenchmarkMobileconfig(b *testing.B) {
	p, _ := Decode("p.yaml", benchExample(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Mobileconfig(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
