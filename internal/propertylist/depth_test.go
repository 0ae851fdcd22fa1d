package propertylist

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/internal/plisttest"
	"howett.net/plist"
)

// TestCheckDepthDeepInputs feeds the inputs that used to crash the
// process (a stack overflow in the decoder) or take minutes: each must be
// refused with the one clear message, at once.
func TestCheckDepthDeepInputs(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"xml, 1e6 arrays", plisttest.NestedXML(1_000_000)},
		{"xml, dictionaries", []byte("<plist>" + strings.Repeat("<dict><key>k</key>", 1000) + "</plist>")},
		{"xml, without <plist>", bytes.Repeat([]byte("<array>"), 1000)},
		{"xml, namespaced", []byte("<plist>" + strings.Repeat("<x:array>", 1000))},
		{"xml, plist inside arrays", []byte("<plist>" + strings.Repeat("<array><plist>", 100))},
		{"binary, 1e5 arrays", plisttest.Binary(plisttest.Chain(100_000))},
		{"text, 1e6 parentheses", bytes.Repeat([]byte("("), 1_000_000)},
		{"text, braces", []byte(strings.Repeat("{a=", 1000))},
		{"text, after an unquoted string with //", []byte("(a//b" + strings.Repeat("(", 1000))},
		{"text, UTF-16", append([]byte{0xFF, 0xFE}, bytes.Repeat([]byte{'(', 0}, 1000)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := CheckDepth(tt.data)
			if err == nil || err.Error() != "the property list nests more than 128 levels deep" {
				t.Fatalf("got %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestCheckDepthLimit pins the limit in every format: 128 levels
// decode, 129 do not.
func TestCheckDepthLimit(t *testing.T) {
	// n levels: arrays around a string, or around an empty array, which
	// is a level too.
	nested := func(n int, inner any) any {
		v := inner
		for range n {
			v = []any{v}
		}
		return v
	}
	for _, n := range []int{MaxDepth, MaxDepth + 1} {
		want := n <= MaxDepth
		for _, format := range []int{plist.XMLFormat, plist.BinaryFormat, plist.OpenStepFormat, plist.GNUStepFormat} {
			for _, v := range []any{nested(n, "x"), nested(n-1, []any{}), nested(n-1, map[string]any{})} {
				data, err := plist.Marshal(v, format)
				if err != nil {
					t.Fatal(err)
				}
				if err := CheckDepth(data); (err == nil) != want {
					t.Errorf("%d levels, format %d: %v\n%.300s", n, format, err, data)
				}
				var back any
				if _, err := plist.Unmarshal(data, &back); want && err != nil {
					t.Errorf("%d levels, format %d, does not decode: %v", n, format, err)
				}
			}
		}
		if err := CheckDepth(plisttest.Binary(plisttest.Chain(n))); (err == nil) != want {
			t.Errorf("%d levels, hand-made binary: %v", n, err)
		}
		_, err := ReadXML(plisttest.NestedXML(n))
		if (err == nil) != want || err != nil && !strings.Contains(err.Error(), "nests more than 128 levels deep") {
			t.Errorf("%d levels, ReadXML: %v", n, err)
		}
	}
	if _, err := ReadXML(plisttest.NestedXML(1_000_000)); err == nil || !strings.Contains(err.Error(), "nests more than 128 levels deep") {
		t.Errorf("ReadXML, 1e6 levels: %v", err)
	}
}

// TestCheckDepthBinaryGraphs refuses object graphs the decoder would
// loop on or expand without bound, and keeps shared leaves and shared
// shallow arrays, which are legitimate.
func TestCheckDepthBinaryGraphs(t *testing.T) {
	loop := []plisttest.Object{{Refs: []uint32{1}}, {Refs: []uint32{0}}}
	if err := CheckDepth(plisttest.Binary(loop)); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("loop: %v", err)
	}
	self := []plisttest.Object{{Refs: []uint32{0}}}
	if err := CheckDepth(plisttest.Binary(self)); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("self: %v", err)
	}
	// 100 arrays, each holding the next twice: 2^100 values once decoded.
	bomb := make([]plisttest.Object, 101)
	for i := range 100 {
		bomb[i].Refs = []uint32{uint32(i + 1), uint32(i + 1)}
	}
	bomb[100].Str = "x"
	start := time.Now()
	if err := CheckDepth(plisttest.Binary(bomb)); err == nil || !strings.Contains(err.Error(), "expand into more than") {
		t.Errorf("bomb: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("bomb took %v", d)
	}
	// An array walked first near the top, then shared by the end of a
	// long chain, counts its levels again there: 120 + 20.
	deepShare := plisttest.Chain(120)
	for i := range 20 {
		deepShare = append(deepShare, plisttest.Object{Refs: []uint32{uint32(121 + i + 1)}})
	}
	deepShare = append(deepShare, plisttest.Object{Str: "y"})
	deepShare[0].Refs = []uint32{121, 1}
	deepShare[119].Refs = append(deepShare[119].Refs, 121)
	if err := CheckDepth(plisttest.Binary(deepShare)); err == nil || !strings.Contains(err.Error(), "128 levels") {
		t.Errorf("shared deep: %v", err)
	}
	deepShare[119].Refs = deepShare[119].Refs[:1]
	if err := CheckDepth(plisttest.Binary(deepShare)); err != nil {
		t.Errorf("shared shallow: %v", err)
	}
	shared := []plisttest.Object{{Refs: []uint32{1, 1, 2, 2}}, {Refs: []uint32{2, 2}}, {Str: "leaf"}}
	if err := CheckDepth(plisttest.Binary(shared)); err != nil {
		t.Errorf("shared leaves: %v", err)
	}
	var v any
	if _, err := plist.Unmarshal(plisttest.Binary(shared), &v); err != nil {
		t.Errorf("the hand-made plist does not decode: %v", err)
	}
	for _, bad := range []struct {
		name string
		data func([]byte) []byte
		want string
	}{
		{"reference out of range", func(b []byte) []byte { b[9] = 9; return b }, "a reference to object"},
		{"no offset table", func(b []byte) []byte { binary.BigEndian.PutUint64(b[len(b)-8:], 1<<62); return b }, "offset table is outside"},
		{"too many objects", func(b []byte) []byte { binary.BigEndian.PutUint64(b[len(b)-24:], 1<<62); return b }, "too short for"},
	} {
		data := bad.data(plisttest.Binary([]plisttest.Object{{Refs: []uint32{1}}, {Str: "x"}}))
		if err := CheckDepth(data); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v", bad.name, err)
		}
	}
}

// TestXMLPlistDepthNeverUndercounts compares the byte scanner with the
// nesting encoding/xml reports, as the decoder walks it, on markup meant to
// confuse a scanner: it may count more levels, never fewer.
func TestXMLPlistDepthNeverUndercounts(t *testing.T) {
	for _, doc := range []string{
		`<plist><array><array></array><array><dict></dict></array></array></plist>`,
		`<plist><array><!-- <array><array> --><array/><array /></array></plist>`,
		`<plist><array><string><![CDATA[<array><array>]]></string><array></array></array></plist>`,
		`<!DOCTYPE plist [<!ENTITY a "<array>"> <!-- > --> ]><plist><array><array></array></array></plist>`,
		`<?pi <array> ?><plist version="1.0 > <array>"><array></array></plist>`,
		`<plist><dict><key>a<array></array></key><array><array></array></array></dict></plist>`,
		`<plist><array><string>a<b><array></array></b></string><array></array></array></plist>`,
		`<plist><array><p:array><array></array></p:array></array></plist>`,
		`<plist><array><plist><array></array></plist></array></plist>`,
		`<plist><array><true></true><data>AA==</data><array/></array></plist>`,
		`<array><array><array></array></array></array>`,
		`<plist><array a='>'><array b=">"></array></array></plist>`,
	} {
		got, want := xmlPlistDepth([]byte(doc), 1000), xmlReferenceDepth(t, doc)
		if got < want {
			t.Errorf("%s: scanner counts %d levels, the decoder walks %d", doc, got, want)
		}
	}
}

// xmlReferenceDepth is how deeply howett.net/plist recurses into doc: the
// nesting of <array>, <dict> and inner <plist> elements that are values,
// read with encoding/xml's own tokenizer.
func xmlReferenceDepth(t *testing.T, doc string) int {
	dec := xml.NewDecoder(strings.NewReader(doc))
	type open struct{ container bool }
	var stack []open
	levels, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inLeaf := len(stack) > 0 && !stack[len(stack)-1].container
			switch n := tok.Name.Local; {
			case inLeaf:
				stack = append(stack, open{})
			case n == "array" || n == "dict" || n == "plist" && len(stack) > 0:
				stack = append(stack, open{true})
				levels++
				deepest = max(deepest, levels)
			case n == "plist":
				stack = append(stack, open{true})
			default:
				stack = append(stack, open{})
			}
		case xml.EndElement:
			if len(stack) == 0 {
				t.Fatalf("%s: unbalanced", doc)
			}
			if stack[len(stack)-1].container && (tok.Name.Local != "plist" || len(stack) > 1) {
				levels--
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// BenchmarkCheckPlistDepth measures the check on a large ordinary profile,
// to be read beside the decoding it guards.
func BenchmarkCheckPlistDepth(b *testing.B) {
	data := plisttest.ManyKeysProfile(100_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := CheckDepth(data); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzCheckDepth feeds arbitrary bytes to the check and then, when it
// lets them through, to the decoder it guards: neither may crash.
func FuzzCheckDepth(f *testing.F) {
	f.Add(plisttest.NestedXML(3))
	f.Add(plisttest.Binary(plisttest.Chain(3)))
	f.Add(plisttest.Binary([]plisttest.Object{{Refs: []uint32{1, 1}}, {Refs: []uint32{2}}, {Str: "x"}}))
	f.Add([]byte(`{ a = ( "x", <0f>, <*I5> ); // c
	b = /* d */ { }; }`))
	f.Add([]byte(`<!DOCTYPE plist [<!-- > -->]><plist><dict><key>a</key><array><string><![CDATA[<array>]]></string></array></dict></plist>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if CheckDepth(data) != nil {
			return
		}
		var v any
		plist.Unmarshal(data, &v)
	})
}
