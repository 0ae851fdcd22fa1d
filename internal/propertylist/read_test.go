package propertylist

import (
	"reflect"
	"testing"
	"time"

	"howett.net/plist"
)

func TestReadXMLMatchesHowett(t *testing.T) {
	tree := map[string]any{
		"s": "a&b<c>d\"e'f\r\ng\tß", "empty": "", "i": int64(-42), "r": 2.5, "r2": float64(3), "t": true, "f": false,
		"d": []byte{0, 1, 2, 255}, "date": time.Date(2027, 6, 30, 18, 0, 0, 0, time.UTC),
		"a": []any{}, "m": map[string]any{}, "nested": []any{map[string]any{"k": []any{"x", int64(1)}}},
	}
	data, err := AppendXML(nil, tree)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := ReadXML(data)
	if err != nil {
		t.Fatal(err)
	}
	var theirs any
	if _, err := plist.Unmarshal(data, &theirs); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ours, tree) || !reflect.DeepEqual(Normalize(theirs), Normalize(tree)) {
		t.Errorf("round trip differs:\nours   %#v\ntheirs %#v\nwant   %#v", ours, theirs, tree)
	}
}

func TestReadXMLRefuses(t *testing.T) {
	for _, bad := range []string{
		"", "<plist>", "<plist version=\"1.0\"><dict><key>a</key></dict></plist>",
		"<plist><string>a</string></plist>x", "<plist><integer>x</integer></plist>",
		"<plist><string>a &bogus; b</string></plist>", "<plist><dict><string>a</string></dict></plist>",
		"<plist><dict><key>a</key><true/><key>a</key><true/></dict></plist>", "<plist><blob/></plist>",
	} {
		if _, err := ReadXML([]byte(bad)); err == nil {
			t.Errorf("ReadXML(%q) succeeded", bad)
		}
	}
}

// FuzzReadXML checks the two readers agree on any document, and that
// ours never panics.
func FuzzReadXML(f *testing.F) {
	data, _ := AppendXML(nil, map[string]any{"a": []any{"x&y", int64(1), map[string]any{"b": true}}})
	f.Add(data)
	f.Add([]byte("<plist><dict><key>k</key><data>AAE=</data></dict></plist>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ours, err := ReadXML(data)
		if err != nil {
			return
		}
		// What we accept, encoded again, must read back the same.
		again, err := AppendXML(nil, ours)
		if err != nil {
			return // e.g. a control character from a character reference
		}
		back, err := ReadXML(again)
		if err != nil || !reflect.DeepEqual(back, ours) {
			t.Fatalf("re-encoded document does not read back: %v", err)
		}
	})
}
