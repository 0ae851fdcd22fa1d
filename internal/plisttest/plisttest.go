// Package plisttest builds property lists for tests: documents nested
// deeper than any decoder should recurse, and binary files with object
// graphs no encoder would write (loops, shared arrays, any depth), so the
// guard in internal/propertylist and the commands that rely on it are
// tested on the same inputs.
package plisttest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// NestedXML is an XML property list of n arrays, each inside the last.
func NestedXML(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<plist version=\"1.0\">")
	b.WriteString(strings.Repeat("<array>", n))
	b.WriteString("<string>x</string>")
	b.WriteString(strings.Repeat("</array>", n))
	b.WriteString("</plist>\n")
	return b.Bytes()
}

// Object is an object for Binary: an array of references
// to other objects by index, or else an ASCII string.
type Object struct {
	Refs []uint32
	Str  string
}

// Binary writes a bplist00 file by hand, with 4-byte offsets and
// references, so tests can make graphs no encoder would: loops, shared
// arrays and any depth. The top object is objects[0].
func Binary(objects []Object) []byte {
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
		if o.Refs == nil {
			length(0x50, len(o.Str))
			b.WriteString(o.Str)
			continue
		}
		length(0xA0, len(o.Refs))
		for _, r := range o.Refs {
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

// Chain is n arrays, each holding the next, around a string.
func Chain(n int) []Object {
	objects := make([]Object, n+1)
	for i := range n {
		objects[i].Refs = []uint32{uint32(i + 1)}
	}
	objects[n].Str = "x"
	return objects
}

// ManyKeysProfile is an XML profile whose one payload has n keys.
func ManyKeysProfile(n int) []byte {
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
