package profiles

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLint feeds profiles, starting from the corpus of real-world shapes,
// through Lint. It must never panic, every finding must name the file, and
// in an XML profile every finding about a key must carry its line: lint
// never stops early, and never loses a position.
func FuzzLint(f *testing.F) {
	for _, dir := range []string{"macos", "ios", "tvos", "broken"} {
		seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "profiles", dir, "*.mobileconfig"))
		for _, s := range seeds {
			data, err := os.ReadFile(s)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds := Lint("f.mobileconfig", data, Devices{})
		xml := bytes.HasPrefix(bytes.TrimSpace(data), []byte("<"))
		for _, d := range ds {
			if d.Pos.File != "f.mobileconfig" {
				t.Fatalf("finding without the file: %v", d)
			}
			if xml && d.Path != "" && d.Pos.Line == 0 {
				t.Fatalf("finding about a key without a line: %v", d)
			}
		}
	})
}
