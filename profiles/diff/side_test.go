package diff

import (
	"bytes"
	"strings"
	"testing"
)

// TestCompareLeavesSidesAlone checks that pairing a policy with a folder,
// which keeps only the folder's files built for the policy, works on a
// copy: a second Compare of the same sides sees the folder whole again.
func TestCompareLeavesSidesAlone(t *testing.T) {
	policy, err := Load(example, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"other.mobileconfig": []byte("x")}
	for rel, e := range policy.files {
		files[rel] = e.data
	}
	folder := FolderSide("dist", files)
	for i := range 2 {
		r, err := Compare(policy, folder, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Different() {
			t.Errorf("run %d: the policy differs from its own outputs: %s", i, r.Summary())
		}
		if len(folder.files) != len(files) {
			t.Fatalf("run %d: the folder side lost files: %d of %d left", i, len(folder.files), len(files))
		}
	}
}

func TestRenderRefusesUnknownFormat(t *testing.T) {
	r, err := Compare(FileSide("a.json", []byte(`{"a":1}`)), FileSide("b.json", []byte(`{"a":2}`)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := r.Render(&out, "yaml"); err == nil || !strings.Contains(err.Error(), `"yaml"`) || out.Len() > 0 {
		t.Errorf("err %v, wrote %q", err, out.String())
	}
	if err := r.Render(&out, FormatText); err != nil || !strings.Contains(out.String(), "~ a: 1 → 2") {
		t.Errorf("err %v, wrote %q", err, out.String())
	}
}
