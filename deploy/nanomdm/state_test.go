package nanomdm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/outdir"
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

// TestApplyRefusedWhileAnotherRuns: an apply while another holds the state file's
// folder stops before it queues anything, and says why.
func TestApplyRefusedWhileAnotherRuns(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	p := policy(t, dir, contactsPolicy, d.ID())
	o := opts(dir)
	// Before the first apply the state's folder is missing, so the lock is
	// the one above it; then the state's own.
	for _, held := range []string{dir, filepath.Dir(o.StatePath)} {
		if held != dir {
			mustApply(t, s.client(testAPIKey), build(t, BuildOptions{}, p), o)
			p = policy(t, dir, contactsPolicy, d.ID(), s.device().ID())
		}
		unlock, err := outdir.LockDir(held)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(o.StatePath)
		enq := s.Enqueues()
		_, err = Apply(context.Background(), s.client(testAPIKey), build(t, BuildOptions{}, p), nil, o)
		unlock()
		var he *deploy.HintError
		if !errors.As(err, &he) || !strings.Contains(err.Error(), "another apply is running on the state file") {
			t.Fatalf("lock on %s: %v", held, err)
		}
		if s.Enqueues() != enq {
			t.Errorf("lock on %s: queued %d", held, s.Enqueues()-enq)
		}
		if after, _ := os.ReadFile(o.StatePath); string(after) != string(before) {
			t.Errorf("lock on %s: the state file was written", held)
		}
	}
}

// TestDamagedStateQueuesNothing: a state file cut short stops plan and
// apply with its name and what to do, before anything is queued.
func TestDamagedStateQueuesNothing(t *testing.T) {
	s := newServer(t, false)
	d := s.device()
	dir := t.TempDir()
	p := policy(t, dir, contactsPolicy, d.ID())
	o := opts(dir)
	mustApply(t, s.client(testAPIKey), build(t, BuildOptions{}, p), o)
	data, _ := os.ReadFile(o.StatePath)
	os.WriteFile(o.StatePath, data[:len(data)/2], 0o644)
	enq := s.Enqueues()
	_, err := Apply(context.Background(), s.client(testAPIKey), build(t, BuildOptions{}, p), nil, o)
	var he *deploy.HintError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), o.StatePath) || !strings.Contains(strings.Join(he.Hints, " "), "restore the state file") {
		t.Fatalf("got %v", err)
	}
	if s.Enqueues() != enq {
		t.Error("a damaged state file queued commands")
	}
	if after, _ := os.ReadFile(o.StatePath); len(after) != len(data)/2 {
		t.Error("the damaged state file was rewritten")
	}
}
