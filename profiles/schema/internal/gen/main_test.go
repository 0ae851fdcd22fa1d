package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// appleDir is ../shared/apple-device-management beside the repository.
const appleDir = "../../../../../shared/apple-device-management"

// TestCommittedDataIsCurrent regenerates the data into a temporary
// directory and compares it with the committed files, so that stale
// generated data fails. Run go generate ./profiles/schema to fix.
func TestCommittedDataIsCurrent(t *testing.T) {
	if _, err := os.Stat(filepath.Join(appleDir, "profiles")); err != nil {
		t.Skipf("Apple's data not present (%v); ../shared is not checked out beside the repository", err)
	}
	dir := t.TempDir()
	out, lic := filepath.Join(dir, "apple.jsonl"), filepath.Join(dir, "LICENSE.apple.txt")
	if err := run(appleDir, out, lic); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{out, "../../apple.jsonl"}, {lic, "../../LICENSE.apple.txt"}} {
		got, err := os.ReadFile(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./profiles/schema", filepath.Base(pair[1]))
		}
	}
}

// TestGenerate checks the format on a small synthetic input.
func TestGenerate(t *testing.T) {
	src := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("SOURCE", "0123456789abcdef0123456789abcdef01234567 2024-01-01 Release X\n")
	write("profiles/com.example.a.yaml", `title: A title
description: Prose.
payload:
  payloadtype: com.example.a
  supportedOS:
    iOS:
      introduced: '4.0'
      multiple: true
    macOS:
      introduced: n/a
  content: More prose.
payloadkeys:
- key: Ratio
  title: Ratio
  type: <real>
  presence: required
  default: 1.0
  rangelist: [0.5, 1.0]
  content: Described.
- key: List
  type: <array>
  subkeys: &items
  - key: Item
    type: <dictionary>
    subkeys:
    - key: Nested
      type: <array>
      subkeys: *items
    - key: Port
      supportedOS:
        iOS:
          introduced: '5.0'
          supervised: true
      type: <integer>
      range: {min: 1, max: 65535}
`)
	write("profiles/com.example.b(x).yaml", "payload:\n  payloadtype: com.example.b\npayloadkeys: []\n")
	write("profiles/com.example.b.yaml", "payload:\n  payloadtype: com.example.b\npayloadkeys: []\n")
	got, _, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format":"mdmforge-apple-profile-schema/1","source":"https://github.com/apple/device-management","path":"mdm/profiles","commit":"0123456789abcdef0123456789abcdef01234567","date":"2024-01-01","release":"Release X","license":"MIT, Copyright Apple Inc., see LICENSE.apple.txt"}
{"payload":"com.example.a","file":"com.example.a.yaml","os":{"iOS":{"introduced":"4.0","multiple":true},"macOS":{"introduced":"n/a"}}}
{"key":"Ratio","type":"real","required":true,"default":1.0,"allowed":[0.5,1.0]}
{"key":"List","type":"array"}
  {"key":"Item","type":"dictionary"}
    {"key":"Nested","type":"array","ref":["List"]}
    {"key":"Port","type":"integer","range":{"min":1,"max":65535},"os":{"iOS":{"introduced":"5.0","supervised":true}}}
{"payload":"com.example.b","file":"com.example.b.yaml"}
{"payload":"com.example.b","variant":"x","file":"com.example.b(x).yaml"}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// Unknown fields are errors, so new information is not lost silently.
	write("profiles/com.example.c.yaml", "payload:\n  payloadtype: com.example.c\npayloadkeys:\n- key: K\n  type: <string>\n  newfield: 1\n")
	if _, _, err := generate(src); err == nil || !strings.Contains(err.Error(), "newfield") {
		t.Errorf("unknown field: err = %v", err)
	}
}
