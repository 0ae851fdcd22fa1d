package propertylist

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/plisttest"
	"howett.net/plist"
)

// dag is a binary property list of a text of textBytes bytes, then levels
// arrays each referring n times to the one before: n^levels copies of the
// text once decoded, from a file of about textBytes + 4·n·levels bytes.
func dag(textBytes, levels, n int) []byte {
	objects := []plisttest.Object{{Str: strings.Repeat("x", textBytes)}}
	for l := range levels {
		refs := make([]uint32, n)
		for i := range refs {
			refs[i] = uint32(l)
		}
		objects = append(objects, plisttest.Object{Refs: refs})
	}
	// buildBinaryPlist's top object is the first.
	objects[0], objects[levels] = objects[levels], objects[0]
	for i := range objects {
		for j, r := range objects[i].Refs {
			switch int(r) {
			case 0:
				objects[i].Refs[j] = uint32(levels)
			case levels:
				objects[i].Refs[j] = 0
			}
		}
	}
	return plisttest.Binary(objects)
}

func TestCheckDepthCountsBytes(t *testing.T) {
	for _, tt := range []struct {
		name            string
		text, levels, n int
	}{
		// 9 KB, a million references to a 1000-byte text: 1 GB decoded,
		// within the old count of values.
		{"shared text", 1000, 2, 1000},
		// 2 MB of references to the array before.
		{"2 MB DAG", 1, 2, 250_000},
		{"deep DAG", 1, 20, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := dag(tt.text, tt.levels, tt.n)
			err := CheckDepth(data)
			if err == nil || !strings.Contains(err.Error(), "shared objects expand into more than") || !strings.Contains(err.Error(), "bytes (16 times") {
				t.Fatalf("CheckDepth(%d bytes) = %v, want the expansion refused", len(data), err)
			}
		})
	}
}

func TestCheckDepthAllowsSharing(t *testing.T) {
	// A thousand references to one 100-byte text: 117 KB decoded, the kind
	// of sharing writers do for repeated keys and values.
	data := dag(100, 1, 1000)
	if err := CheckDepth(data); err != nil {
		t.Fatal(err)
	}
	var v any
	if _, err := plist.Unmarshal(data, &v); err != nil {
		t.Fatalf("the hand-made plist does not decode: %v", err)
	}
	for size, want := range map[int]uint64{100: 1 << 20, 1 << 20: 16 << 20, 16 << 20: 64 << 20} {
		if got := binaryPlistBudget(size); got != want {
			t.Errorf("binaryPlistBudget(%d) = %d, want %d", size, got, want)
		}
	}
}

// TestTextAndXMLPlistsDoNotExpand checks that the other formats cannot
// share: entities other than XML's five are refused, not expanded, and
// text plists have no references at all; so their decoded size is bounded
// by the input's.
func TestTextAndXMLPlistsDoNotExpand(t *testing.T) {
	entityBomb := `<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
		`<plist><dict><key>K</key><string>&b;&b;&b;&b;&b;&b;&b;&b;</string></dict></plist>`
	var v any
	if _, err := plist.Unmarshal([]byte(entityBomb), &v); err == nil {
		t.Errorf("a custom entity was expanded: %v", v)
	}
	for _, doc := range []string{
		`<plist><dict><key>K</key><string>&amp;&lt;&gt;&#x41;&#65;</string></dict></plist>`,
		`{ K = ("a", "b", <0fbd77>); }`,
	} {
		var v any
		if _, err := plist.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := plist.NewEncoder(&out).Encode(v); err != nil {
			t.Fatal(err)
		}
		if CheckDepth([]byte(doc)) != nil || out.Len() > 16*len(doc)+1<<10 {
			t.Errorf("%s decoded to %d bytes", doc, out.Len())
		}
	}
}

// BenchmarkCheckPlistDAG is the refusal of a 2 MB DAG, linear in its
// references however far it would expand.
func BenchmarkCheckPlistDAG(b *testing.B) {
	data := dag(1, 2, 250_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if CheckDepth(data) == nil {
			b.Fatal("not refused")
		}
	}
}
