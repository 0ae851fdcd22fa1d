package profiles

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mdmforge/mdmforge/internal/interop"
	"github.com/mdmforge/mdmforge/profiles/schema"
	"howett.net/plist"
)

// plistTypes loads a property list with Python's plistlib and describes the
// type of every key, in Apple's schema vocabulary.
const plistTypes = `
import datetime, json, plistlib, sys
def kind(v):
    for t, name in ((bool, "boolean"), (int, "integer"), (float, "real"), (str, "string"),
                    (bytes, "data"), (datetime.datetime, "date"), (list, "array"), (dict, "dictionary")):
        if isinstance(v, t):
            return name
    raise TypeError(type(v))
with open(sys.argv[1], "rb") as f:
    d = plistlib.load(f)
out = {"top": {k: kind(v) for k, v in d.items()}, "values": {k: v for k, v in d.items() if isinstance(v, (bool, str, int))}}
out["payloads"] = [{k: kind(v) for k, v in p.items()} for p in d.get("PayloadContent", [])]
json.dump(out, sys.stdout)
`

type plistShape struct {
	Top      map[string]string   `json:"top"`
	Values   map[string]any      `json:"values"`
	Payloads []map[string]string `json:"payloads"`
}

func pythonShape(t *testing.T, data []byte) plistShape {
	t.Helper()
	python := interop.Tool(t, "python3")
	file := filepath.Join(t.TempDir(), "p.plist")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", plistTypes, file).Output()
	if err != nil {
		t.Fatalf("plistlib cannot read the output: %v\n%s", err, stderrOf(err))
	}
	var shape plistShape
	if err := json.Unmarshal(out, &shape); err != nil {
		t.Fatal(err)
	}
	return shape
}

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}

// TestExampleMatchesAppleSchema reads the example profile with Python's
// plistlib and checks every key, top level and in each payload, against the
// name and type Apple's schema gives.
func TestExampleMatchesAppleSchema(t *testing.T) {
	outs := buildExample(t)
	shape := pythonShape(t, outs[0].Data)
	check := func(payloadType string, keys map[string]string) {
		ps, ok := schema.Lookup(payloadType)
		if !ok {
			t.Fatalf("no schema for %s", payloadType)
		}
		for name, kind := range keys {
			k, ok := ps.Key(name)
			switch {
			case !ok || k.IsWildcard():
				t.Errorf("%s: key %s is not in Apple's schema", payloadType, name)
			case string(k.Type) != kind:
				t.Errorf("%s: key %s is %s, Apple's schema says %s", payloadType, name, kind, k.Type)
			}
		}
		for _, k := range ps.Keys {
			if _, set := keys[k.Name]; k.Required && !set {
				t.Errorf("%s: required key %s is missing", payloadType, k.Name)
			}
		}
	}
	check("Configuration", shape.Top)
	want := []string{"com.apple.eas.account", "com.apple.applicationaccess"}
	if len(shape.Payloads) != len(want) {
		t.Fatalf("got %d payloads, want %v", len(shape.Payloads), want)
	}
	for i, keys := range shape.Payloads {
		if got := payloadTypeAt(t, outs[0].Data, i); got != want[i] {
			t.Errorf("payload %d is %s, want %s", i, got, want[i])
		}
		check(want[i], keys)
	}
}

func TestExampleOutlookPlistReadsInPython(t *testing.T) {
	outs := buildExample(t)
	shape := pythonShape(t, outs[1].Data)
	for _, key := range []string{"com.microsoft.outlook.Contacts.LocalSyncEnabled", "com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed"} {
		if shape.Top[key] != "boolean" || shape.Values[key] != false {
			t.Errorf("plistlib reads %s as %s %v, want boolean false", key, shape.Top[key], shape.Values[key])
		}
	}
}

func payloadTypeAt(t *testing.T, data []byte, i int) string {
	t.Helper()
	var top struct {
		PayloadContent []struct{ PayloadType string } `plist:"PayloadContent"`
	}
	if _, err := plist.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	return top.PayloadContent[i].PayloadType
}
