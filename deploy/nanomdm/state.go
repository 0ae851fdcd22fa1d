package nanomdm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/internal/outdir"
)

// StateFormat is the state file format this package reads and writes.
const StateFormat = 1

// DefaultStatePath is where the state file is kept unless --state says:
// relative to the folder of the policies, so that it travels with them.
const DefaultStatePath = ".mdmforge/nanomdm-state.json"

// State is what mdmforge queued to a NanoMDM server: one Entry per
// enrollment and profile identifier.
type State struct {
	Format int `json:"format"`
	// Server is the NanoMDM base URL the entries were queued to; a state
	// file is refused for another server.
	Server  string  `json:"server"`
	Entries []Entry `json:"profiles"`
}

// Entry is the last InstallProfile mdmforge queued for one enrollment
// and profile identifier.
type Entry struct {
	EnrollmentID string `json:"enrollment_id"`
	Identifier   string `json:"identifier"`
	// Policy and Name say where it came from, for plans and notes.
	Policy string `json:"policy"`
	Name   string `json:"name"`
	User   string `json:"user,omitempty"`
	// ProfileSHA256 is the unsigned profile's hash, which plans compare;
	// SentSHA256 the hash of the bytes queued (the signed ones when
	// Signed).
	ProfileSHA256 string `json:"profile_sha256"`
	SentSHA256    string `json:"sent_sha256"`
	Signed        bool   `json:"signed,omitempty"`
	CommandUUID   string `json:"command_uuid"`
}

type stateKey struct{ id, ident string }

func (e Entry) key() stateKey { return stateKey{e.EnrollmentID, e.Identifier} }

// maxState bounds what ReadState reads: an entry is about 400 bytes, so
// this is room for a quarter of a million.
const maxState = 100 << 20

// ReadState reads the state file at path; a missing file is an empty
// state. It refuses another format, unknown fields and duplicate entries.
func ReadState(path string) (*State, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Format: StateFormat}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("state file %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxState+1))
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	if len(data) > maxState {
		return nil, fmt.Errorf("state file %s: larger than %d bytes", path, maxState)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, &deploy.HintError{Err: fmt.Errorf("state file %s: %w", path, err), Hints: []string{damagedHint}}
	}
	if dec.More() {
		return nil, fmt.Errorf("state file %s: data after the state", path)
	}
	if s.Format != StateFormat {
		return nil, fmt.Errorf("state file %s: format %d, this mdmforge reads format %d", path, s.Format, StateFormat)
	}
	seen := map[stateKey]bool{}
	for i, e := range s.Entries {
		if e.EnrollmentID == "" || e.Identifier == "" || e.ProfileSHA256 == "" {
			return nil, fmt.Errorf("state file %s: profiles[%d]: no enrollment_id, identifier or profile_sha256", path, i)
		}
		if seen[e.key()] {
			return nil, fmt.Errorf("state file %s: profiles[%d]: %s is recorded twice for enrollment %s", path, i, e.Identifier, e.EnrollmentID)
		}
		seen[e.key()] = true
	}
	return &s, nil
}

// damagedHint says what to do with a state file mdmforge cannot read.
const damagedHint = "restore the state file from version control or the CI cache; without it, apply queues every profile again"

// lockState takes the lock of the state file's folder (or, before the
// first apply made it, of the nearest folder above that exists) for one
// apply: two at once would each write what it queued, and the last file
// would lose the other's commands. Plans read without it, as the file is
// replaced whole.
func lockState(path string) (func(), error) {
	dir := filepath.Dir(path)
	for {
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			return func() {}, nil
		}
		dir = up
	}
	unlock, err := outdir.LockDir(dir)
	if errors.Is(err, outdir.ErrLocked) {
		return nil, &deploy.HintError{Err: fmt.Errorf("another apply is running on the state file %s (its folder %s is locked)", path, dir),
			Hints: []string{"run one apply per state file at a time (in CI, a concurrency group), then run it again"}}
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s: lock %s: %w", path, dir, err)
	}
	return unlock, nil
}

func (s *State) index() map[stateKey]Entry {
	m := make(map[stateKey]Entry, len(s.Entries))
	for _, e := range s.Entries {
		m[e.key()] = e
	}
	return m
}

// WriteState writes the state file atomically: a temporary file beside
// path, synced, renamed over it, and the folder synced, so a crash leaves
// the old file or the new one, never a part. Entries are sorted.
func WriteState(path string, s *State) error {
	s.Format = StateFormat
	sort.Slice(s.Entries, func(i, j int) bool {
		a, b := s.Entries[i], s.Entries[j]
		if a.EnrollmentID != b.EnrollmentID {
			return a.EnrollmentID < b.EnrollmentID
		}
		return a.Identifier < b.Identifier
	})
	if s.Entries == nil {
		s.Entries = []Entry{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".nanomdm-state-*.tmp")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // not every filesystem syncs a folder; the rename stands either way
		d.Close()
	}
	return nil
}
