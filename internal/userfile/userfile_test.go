package userfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadRefuses pins the messages every command gives for what it
// cannot read.
func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 2<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		dir:                           " is a folder, not a file",
		big:                           " is larger than 2 MiB",
		filepath.Join(dir, "missing"): ": no such file or directory",
	} {
		if _, err := Read(path, 2<<20); err == nil || err.Error() != path+want {
			t.Errorf("Read(%s) = %v, want %q", path, err, path+want)
		}
	}
	if data, err := Read(big, 4<<20); err != nil || len(data) != 2<<20+1 {
		t.Errorf("Read within the limit: %d bytes, %v", len(data), err)
	}
	if err := Cause(&os.PathError{Op: "open", Path: "x", Err: os.ErrPermission}); !strings.Contains(err.Error(), "permission denied") || strings.Contains(err.Error(), "open") {
		t.Errorf("Cause: %v", err)
	}
}
