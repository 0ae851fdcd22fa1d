package nanomdm

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadState: the state file is read before every plan and apply, and
// may be damaged (a full disk, a hand edit), so any bytes must give a state
// or an error, never a panic; a state it accepts is written and read back
// the same.
func FuzzReadState(f *testing.F) {
	f.Add([]byte(`{"format":1,"server":"https://mdm.example.com","profiles":[]}`))
	f.Add([]byte(`{"format":1,"profiles":[{"enrollment_id":"A","identifier":"com.example.p","profile_sha256":"00"}]}`))
	f.Add([]byte(`{"format":1,"profiles":[{"enrollment_id":"A","identifier":"com.example.p","profile_sha256":"00"},{"enrollment_id":"A","identifier":"com.example.p","profile_sha256":"01"}]}`))
	f.Add([]byte(`{"format":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "state.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := ReadState(path)
		if err != nil {
			return
		}
		again := filepath.Join(dir, "again.json")
		if err := WriteState(again, s); err != nil {
			t.Fatalf("an accepted state cannot be written: %v", err)
		}
		if _, err := ReadState(again); err != nil {
			t.Fatalf("a state WriteState wrote is refused: %v", err)
		}
	})
}
