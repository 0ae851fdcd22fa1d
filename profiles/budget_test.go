package profiles

import (
	"fmt"
	"strings"
	"testing"
)

// aliasShape is the shape of the reported bombs: one long anchored text,
// then lists of aliases to it, in one or several payloads.
func aliasShape(textBytes, aliases, payloads int) string {
	var b strings.Builder
	b.WriteString(head + "payloads:\n")
	for p := range payloads {
		fmt.Fprintf(&b, "  - name: p%d\n    type: com.example.p\n    keys:\n", p)
		if p == 0 {
			fmt.Fprintf(&b, "      S: &s %q\n", strings.Repeat("x", textBytes))
		}
		b.WriteString("      L: [")
		for i := range aliases {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*s")
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestAliasBudgetCountsBytesAcrossTheFile(t *testing.T) {
	for _, tt := range []struct {
		name                    string
		text, aliases, payloads int
		wantKB                  int // about the file's size
	}{
		// 127 KB that built a 900 MB profile with 3.5 GB of memory.
		{"127 KB", 90_000, 9_000, 1, 127},
		// 850 KB, fatal before: out of memory.
		{"850 KB", 600_000, 60_000, 1, 850},
		// Each payload under the old per-payload count of 200,000 values.
		{"spread over payloads", 1_000, 150_000, 5, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := aliasShape(tt.text, tt.aliases, tt.payloads)
			if tt.wantKB > 0 && (len(src)/1000 < tt.wantKB*9/10 || len(src)/1000 > tt.wantKB*11/10) {
				t.Fatalf("the generated file is %d KB, not about %d KB", len(src)/1000, tt.wantKB)
			}
			p, ds := Decode("t.yaml", []byte(src))
			if p != nil || len(ds) != 1 {
				t.Fatalf("want no policy and one finding, got %v", ds)
			}
			d := ds[0]
			if !strings.Contains(d.Message, "expands to more than") || !strings.Contains(d.Message, "through alias *s") {
				t.Errorf("message %q does not name the alias and the budget", d.Message)
			}
			if d.Path == "" || d.Pos.Line == 0 || d.Pos.Column == 0 {
				t.Errorf("finding is not positioned: %v", d)
			}
		})
	}
}

func TestAliasBudgetAllowsSharing(t *testing.T) {
	// A block of keys reused in a few payloads, well inside 16 times.
	src := head + "payloads:\n  - name: a\n    type: com.example.p\n    keys: &k\n"
	for i := range 50 {
		src += fmt.Sprintf("      Key%d: %q\n", i, strings.Repeat("v", 40))
	}
	for i := range 10 {
		src += fmt.Sprintf("  - name: b%d\n    type: com.example.p\n    keys: *k\n", i)
	}
	if _, ds := Decode("t.yaml", []byte(src)); len(ds) != 0 {
		t.Errorf("ordinary sharing refused: %v", ds)
	}
	if got := expansionBudget(100); got != 1<<20 {
		t.Errorf("budget for a small file = %d, want the 1 MiB floor", got)
	}
	if got := expansionBudget(MaxPolicySize); got != 16<<20 {
		t.Errorf("budget for the largest file = %d, want 16 MiB", got)
	}
}

func TestAliasLoopsAndChainsAreRefused(t *testing.T) {
	for name, tt := range map[string]struct{ src, want, path string }{
		"loop": {head + "payloads:\n  - name: p\n    type: com.example.p\n    keys:\n      A: &a [1, *a]\n",
			"alias *a refers to a value that contains it", "payloads[0].keys.A[1]"},
		// Each anchor holds the one before: quadratic in bytes.
		"chain": {head + "payloads:\n  - name: p\n    type: com.example.p\n    keys:\n      A0: &a0 [x]\n" + func() string {
			var b strings.Builder
			for i := 1; i < 6000; i++ {
				fmt.Fprintf(&b, "      A%d: &a%d [*a%d]\n", i, i, i-1)
			}
			return b.String()
		}(), "expands to more than", ""},
		// Nesting within the parser's limit, deeper through an alias.
		"deep": {head + "payloads:\n  - name: p\n    type: com.example.p\n    keys:\n      A: &a " +
			strings.Repeat("[", 6000) + strings.Repeat("]", 6000) + "\n      B: " +
			strings.Repeat("[", 5000) + "*a" + strings.Repeat("]", 5000) + "\n",
			"makes the policy nest more than 10000 levels deep", ""},
	} {
		t.Run(name, func(t *testing.T) {
			p, ds := Decode("t.yaml", []byte(tt.src))
			if p != nil || len(ds) != 1 || !strings.Contains(ds[0].Message, tt.want) {
				t.Fatalf("want one finding %q, got %v", tt.want, ds)
			}
			if tt.path != "" && ds[0].Path != tt.path {
				t.Errorf("path %q, want %q", ds[0].Path, tt.path)
			}
		})
	}
}

// BenchmarkDecodeAliases is Decode of the 127 KB alias file, refused by
// the expansion check after one walk of its nodes.
func BenchmarkDecodeAliases(b *testing.B) {
	src := []byte(aliasShape(90_000, 9_000, 1))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if p, _ := Decode("t.yaml", src); p != nil {
			b.Fatal("not refused")
		}
	}
}
