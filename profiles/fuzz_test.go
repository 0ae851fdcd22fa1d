package profiles

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds arbitrary bytes through the whole pipeline. Decoding
// must never panic, every finding must name the file, and a policy that
// passes validation must compile into a profile that reads back.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/policies/*.yaml")
	seeds = append(seeds, example)
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(head + exchangeOK))
	f.Add([]byte(head + "payloads:\n  - name: a\n    type: com.example.a\n    keys: {k: !!binary aGk=, d: 2027-01-01, f: 1.5, l: [1, x, true]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ds := Decode("f.yaml", data)
		for _, d := range ds {
			if d.Pos.File != "f.yaml" || d.Message == "" {
				t.Fatalf("finding without file or message: %#v", d)
			}
		}
		if p == nil || ds.Errors() > 0 {
			return
		}
		if Validate(p).Errors() > 0 || p.CheckTarget(p.TargetFor("")).Errors() > 0 {
			return
		}
		outs, err := p.Build(Options{})
		if err != nil {
			t.Fatalf("valid policy does not build: %v\n%s", err, data)
		}
		for _, o := range outs {
			if filepath.Ext(o.Name) == ".mobileconfig" {
				if err := CheckProfile(o.Data); err != nil {
					t.Fatalf("built profile does not check: %v", err)
				}
			}
		}
	})
}

// FuzzImport feeds profiles, starting from the corpus of real-world shapes,
// through Import. It must never panic, and a policy it returns must decode
// and build back into the profile it came from.
func FuzzImport(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/import/*.mobileconfig")
	for _, dir := range []string{"macos", "ios", "tvos", "broken"} {
		more, _ := filepath.Glob(filepath.Join("..", "testdata", "profiles", dir, "*.mobileconfig"))
		seeds = append(seeds, more...)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := ImportProfile("f.mobileconfig", data, ImportOptions{})
		if err != nil {
			return
		}
		p, ds := Decode("f.yaml", im.Policy)
		if ds.Errors() > 0 {
			t.Fatalf("imported policy does not decode: %v\n%s", ds, im.Policy)
		}
		built, err := p.ProfileTree(Options{})
		if err != nil {
			t.Fatalf("imported policy does not build: %v\n%s", err, im.Policy)
		}
		src, err := DecodeProfile(data)
		if err != nil {
			t.Fatal(err)
		}
		if d := TreeDiffs(src, built, 3); len(d) > 0 {
			t.Fatalf("imported policy builds into another profile: %v", d)
		}
	})
}
