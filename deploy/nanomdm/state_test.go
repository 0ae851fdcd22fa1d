package nanomdm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "state.json")
	s := &State{Server: "https://mdm.example.com", Entries: []Entry{
		{EnrollmentID: "B", Identifier: "com.example.a", ProfileSHA256: "1", CommandUUID: "U1"},
		{EnrollmentID: "A", Identifier: "com.example.b", ProfileSHA256: "2", CommandUUID: "U2"},
		{EnrollmentID: "A", Identifier: "com.example.a", ProfileSHA256: "3", CommandUUID: "U3"},
	}}
	if err := WriteState(path, s); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	back, err := ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Entries[0].EnrollmentID + back.Entries[0].Identifier + back.Entries[2].EnrollmentID; got != "Acom.example.aB" {
		t.Errorf("entries are not sorted: %+v", back.Entries)
	}
	if err := WriteState(path, back); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(first) {
		t.Error("writing the same state twice gives other bytes")
	}
	files, _ := os.ReadDir(filepath.Dir(path))
	if len(files) != 1 {
		t.Errorf("temporary files left: %v", files)
	}
	if st, err := ReadState(filepath.Join(dir, "none.json")); err != nil || len(st.Entries) != 0 {
		t.Errorf("a missing state file is an empty state: %v %v", st, err)
	}
}

func TestReadStateRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ data, want string }{
		"format":    {`{"format": 2, "server": "x", "profiles": []}`, "format 2, this mdmforge reads format 1"},
		"unknown":   {`{"format": 1, "server": "x", "profiles": [], "extra": 1}`, `unknown field "extra"`},
		"trailing":  {`{"format": 1, "server": "x", "profiles": []} {}`, "data after the state"},
		"duplicate": {`{"format": 1, "profiles": [{"enrollment_id": "A", "identifier": "i", "profile_sha256": "1"}, {"enrollment_id": "A", "identifier": "i", "profile_sha256": "2"}]}`, "recorded twice"},
		"empty id":  {`{"format": 1, "profiles": [{"identifier": "i", "profile_sha256": "1"}]}`, "profiles[0]: no enrollment_id"},
		"not json":  {`nope`, "state file"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			os.WriteFile(path, []byte(tc.data), 0o644)
			if _, err := ReadState(path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want %q, got %v", tc.want, err)
			}
		})
	}
	if _, err := ReadState(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder: %v", err)
	}
}
