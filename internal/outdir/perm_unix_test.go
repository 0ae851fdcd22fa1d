//go:build unix

package outdir

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A file holding a secret is readable by its owner only, whatever the
// umask; one written before with looser permissions is replaced, even if
// its content is the same.
func TestStageSecretsPrivate(t *testing.T) {
	out := t.TempDir()
	secret, plain := filepath.Join(out, "secret.json"), filepath.Join(out, "plain.json")
	os.WriteFile(secret, []byte("hunter2"), 0o644)
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	d, err := Open(out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	changed, err := d.Stage([]File{{Path: secret, Data: []byte("hunter2"), Secret: true}, {Path: plain, Data: []byte("x")}})
	if err != nil || len(changed) != 2 {
		t.Fatalf("Stage = %q, %v; want both changed", changed, err)
	}
	if _, err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{secret: 0o600, plain: 0o644} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: %v (%v), want %v", filepath.Base(path), info.Mode().Perm(), err, want)
		}
	}
}
