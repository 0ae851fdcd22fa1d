package profiles

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"howett.net/plist"
)

// nestedXML is an XML property list of n arrays, each inside the last.
func nestedXML(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<plist version=\"1.0\">")
	b.WriteString(strings.Repeat("<array>", n))
	b.WriteString("<string>x</string>")
	b.WriteString(strings.Repeat("</array>", n))
	b.WriteString("</plist>\n")
	return b.Bytes()
}

// bplistObject is an object for buildBinaryPlist: an array of references
// to other objects by index, or else an ASCII string.
type bplistObject struct {
	refs []uint32
	str  string
}

// buildBinaryPlist writes a bplist00 file by hand, with 4-byte offsets and
// references, so tests can make graphs no encoder would: loops, shared
// arrays and any depth. The top object is objects[0].
func buildBinaryPlist(objects []bplistObject) []byte {
	var b bytes.Buffer
	b.WriteString("bplist00")
	offsets := make([]uint32, len(objects))
	length := func(tag byte, n int) {
		if n < 15 {
			b.WriteByte(tag | byte(n))
			return
		}
		b.WriteByte(tag | 0x0F)
		b.WriteByte(0x12) // an integer of 4 bytes
		binary.Write(&b, binary.BigEndian, uint32(n))
	}
	for i, o := range objects {
		offsets[i] = uint32(b.Len())
		if o.refs == nil {
			length(0x50, len(o.str))
			b.WriteString(o.str)
			continue
		}
		length(0xA0, len(o.refs))
		for _, r := range o.refs {
			binary.Write(&b, binary.BigEndian, r)
		}
	}
	table := b.Len()
	for _, off := range offsets {
		binary.Write(&b, binary.BigEndian, off)
	}
	b.Write(make([]byte, 6))
	b.WriteByte(4) // offset size
	b.WriteByte(4) // reference size
	binary.Write(&b, binary.BigEndian, uint64(len(objects)))
	binary.Write(&b, binary.BigEndian, uint64(0))
	binary.Write(&b, binary.BigEndian, uint64(table))
	return b.Bytes()
}

// chain is n arrays, each holding the next, around a string.
func chain(n int) []bplistObject {
	objects := make([]bplistObject, n+1)
	for i := range n {
		objects[i].refs = []uint32{uint32(i + 1)}
	}
	objects[n].str = "x"
	return objects
}

// TestCheckPlistDepthDeepInputs feeds the inputs that used to crash the
// process (a stack overflow in the decoder) or take minutes: each must be
// refused with the one clear message, at once.
func TestCheckPlistDepthDeepInputs(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"xml, 1e6 arrays", nestedXML(1_000_000)},
		{"xml, dictionaries", []byte("<plist>" + strings.Repeat("<dict><key>k</key>", 1000) + "</plist>")},
		{"xml, without <plist>", bytes.Repeat([]byte("<array>"), 1000)},
		{"xml, namespaced", []byte("<plist>" + strings.Repeat("<x:array>", 1000))},
		{"xml, plist inside arrays", []byte("<plist>" + strings.Repeat("<array><plist>", 100))},
		{"binary, 1e5 arrays", buildBinaryPlist(chain(100_000))},
		{"text, 1e6 parentheses", bytes.Repeat([]byte("("), 1_000_000)},
		{"text, braces", []byte(strings.Repeat("{a=", 1000))},
		{"text, after an unquoted string with //", []byte("(a//b" + strings.Repeat("(", 1000))},
		{"text, UTF-16", append([]byte{0xFF, 0xFE}, bytes.Repeat([]byte{'(', 0}, 1000)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := CheckPlistDepth(tt.data)
			if err == nil || err.Error() != "the property list nests more than 128 levels deep" {
				t.Fatalf("got %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestDeepProfileRefusedByCommands checks that lint and import, which
// decode what users give them, refuse a million nested arrays with a
// finding instead of dying.
func TestDeepProfileRefusedByCommands(t *testing.T) {
	data := nestedXML(1_000_000)
	ds := Lint("deep.mobileconfig", data, Devices{})
	if len(ds) != 1 || ds[0].Pos.File != "deep.mobileconfig" || !strings.Contains(ds[0].Message, "nests more than 128 levels") {
		t.Errorf("lint: %v", ds)
	}
	if _, err := Import("deep.mobileconfig", data); err == nil || !strings.Contains(err.Error(), "nests more than 128 levels") {
		t.Errorf("import: %v", err)
	}
	bin := buildBinaryPlist(chain(10_000))
	if ds := Lint("deep.plist", bin, Devices{}); len(ds) != 1 || !strings.Contains(ds[0].Message, "nests more than 128 levels") {
		t.Errorf("lint, binary: %v", ds)
	}
}

// TestCheckPlistDepthLimit pins the limit in every format: 128 levels
// decode, 129 do not.
func TestCheckPlistDepthLimit(t *testing.T) {
	// n levels: arrays around a string, or around an empty array, which
	// is a level too.
	nested := func(n int, inner any) any {
		v := inner
		for range n {
			v = []any{v}
		}
		return v
	}
	for _, n := range []int{MaxPlistDepth, MaxPlistDepth + 1} {
		want := n <= MaxPlistDepth
		for _, format := range []int{plist.XMLFormat, plist.BinaryFormat, plist.OpenStepFormat, plist.GNUStepFormat} {
			for _, v := range []any{nested(n, "x"), nested(n-1, []any{}), nested(n-1, map[string]any{})} {
				data, err := plist.Marshal(v, format)
				if err != nil {
					t.Fatal(err)
				}
				if err := CheckPlistDepth(data); (err == nil) != want {
					t.Errorf("%d levels, format %d: %v\n%.300s", n, format, err, data)
				}
				var back any
				if _, err := plist.Unmarshal(data, &back); want && err != nil {
					t.Errorf("%d levels, format %d, does not decode: %v", n, format, err)
				}
			}
		}
		if err := CheckPlistDepth(buildBinaryPlist(chain(n))); (err == nil) != want {
			t.Errorf("%d levels, hand-made binary: %v", n, err)
		}
		_, err := readPlistXML(nestedXML(n))
		if (err == nil) != want || err != nil && !strings.Contains(err.Error(), "nests more than 128 levels deep") {
			t.Errorf("%d levels, readPlistXML: %v", n, err)
		}
	}
	if _, err := readPlistXML(nestedXML(1_000_000)); err == nil || !strings.Contains(err.Error(), "nests more than 128 levels deep") {
		t.Errorf("readPlistXML, 1e6 levels: %v", err)
	}
}

// TestCheckPlistDepthBinaryGraphs refuses object graphs the decoder would
// loop on or expand without bound, and keeps shared leaves and shared
// shallow arrays, which are legitimate.
func TestCheckPlistDepthBinaryGraphs(t *testing.T) {
	loop := []bplistObject{{refs: []uint32{1}}, {refs: []uint32{0}}}
	if err := CheckPlistDepth(buildBinaryPlist(loop)); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("loop: %v", err)
	}
	self := []bplistObject{{refs: []uint32{0}}}
	if err := CheckPlistDepth(buildBinaryPlist(self)); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("self: %v", err)
	}
	// 100 arrays, each holding the next twice: 2^100 values once decoded.
	bomb := make([]bplistObject, 101)
	for i := range 100 {
		bomb[i].refs = []uint32{uint32(i + 1), uint32(i + 1)}
	}
	bomb[100].str = "x"
	start := time.Now()
	if err := CheckPlistDepth(buildBinaryPlist(bomb)); err == nil || !strings.Contains(err.Error(), "expand into more than") {
		t.Errorf("bomb: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("bomb took %v", d)
	}
	// An array walked first near the top, then shared by the end of a
	// long chain, counts its levels again there: 120 + 20.
	deepShare := chain(120)
	for i := range 20 {
		deepShare = append(deepShare, bplistObject{refs: []uint32{uint32(121 + i + 1)}})
	}
	deepShare = append(deepShare, bplistObject{str: "y"})
	deepShare[0].refs = []uint32{121, 1}
	deepShare[119].refs = append(deepShare[119].refs, 121)
	if err := CheckPlistDepth(buildBinaryPlist(deepShare)); err == nil || !strings.Contains(err.Error(), "128 levels") {
		t.Errorf("shared deep: %v", err)
	}
	deepShare[119].refs = deepShare[119].refs[:1]
	if err := CheckPlistDepth(buildBinaryPlist(deepShare)); err != nil {
		t.Errorf("shared shallow: %v", err)
	}
	shared := []bplistObject{{refs: []uint32{1, 1, 2, 2}}, {refs: []uint32{2, 2}}, {str: "leaf"}}
	if err := CheckPlistDepth(buildBinaryPlist(shared)); err != nil {
		t.Errorf("shared leaves: %v", err)
	}
	var v any
	if _, err := plist.Unmarshal(buildBinaryPlist(shared), &v); err != nil {
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
		data := bad.data(buildBinaryPlist([]bplistObject{{refs: []uint32{1}}, {str: "x"}}))
		if err := CheckPlistDepth(data); err == nil || !strings.Contains(err.Error(), bad.want) {
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

// TestCheckPlistDepthAcceptsProfiles checks that ordinary profiles in every
// format pass, including text that only looks like nesting.
func TestCheckPlistDepthAcceptsProfiles(t *testing.T) {
	p, ds := Decode("p.yaml", []byte(head+exchangeOK))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	data, err := p.Mobileconfig(Options{Target: Intune})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if _, err := plist.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	bin, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte(`{ a = "(((((" ; b = <0fab> ; c = <*I5> ; // ((((
	d = /* { */ ( x, "\"(" ) ; }`)
	deepString := []byte("<plist><string>" + strings.Repeat("(", 1000) + "</string></plist>")
	for name, data := range map[string][]byte{"xml": data, "binary": bin, "text": text, "xml string": deepString} {
		if err := CheckPlistDepth(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// BenchmarkCheckPlistDepth measures the check on a large ordinary profile,
// to be read beside the decoding it guards.
func BenchmarkCheckPlistDepth(b *testing.B) {
	data := manyKeysProfile(100_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := CheckPlistDepth(data); err != nil {
			b.Fatal(err)
		}
	}
}

// manyKeysProfile is an XML profile whose one payload has n keys.
func manyKeysProfile(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>PayloadIdentifier</key>
			<string>com.example.p.custom</string>
			<key>PayloadType</key>
			<string>com.example.custom</string>
			<key>PayloadUUID</key>
			<string>0C1D2E3F-4A5B-4C6D-8E7F-9A0B1C2D3E4F</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
`)
	for i := range n {
		fmt.Fprintf(&b, "\t\t\t<key>Key%d</key>\n\t\t\t<string>value %d</string>\n", i, i)
	}
	b.WriteString(`		</dict>
	</array>
	<key>PayloadIdentifier</key>
	<string>com.example.p</string>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>1D2E3F4A-5B6C-4D7E-8F9A-0B1C2D3E4F50</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>
`)
	return b.Bytes()
}

// BenchmarkLintManyKeys lints a profile of 100,000 keys, whose key
// positions once took time quadratic in the file's length. It lives here,
// beside the profile it builds, rather than in a lint test file.
func BenchmarkLintManyKeys(b *testing.B) {
	data := manyKeysProfile(100_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Lint("many.mobileconfig", data, Devices{})
	}
}

// FuzzCheckPlistDepth feeds arbitrary bytes to the check and then, when it
// lets them through, to the decoder it guards: neither may crash.
func FuzzCheckPlistDepth(f *testing.F) {
	f.Add(nestedXML(3))
	f.Add(buildBinaryPlist(chain(3)))
	f.Add(buildBinaryPlist([]bplistObject{{refs: []uint32{1, 1}}, {refs: []uint32{2}}, {str: "x"}}))
	f.Add([]byte(`{ a = ( "x", <0f>, <*I5> ); // c
	b = /* d */ { }; }`))
	f.Add([]byte(`<!DOCTYPE plist [<!-- > -->]><plist><dict><key>a</key><array><string><![CDATA[<array>]]></string></array></dict></plist>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if CheckPlistDepth(data) != nil {
			return
		}
		var v any
		plist.Unmarshal(data, &v)
	})
}
