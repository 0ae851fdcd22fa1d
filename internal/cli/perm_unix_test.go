//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSecretsArePrivate builds a policy holding an Exchange password, for
// Intune and per user, under two umasks: what holds the password is 0600,
// everything else is 0666 and folders 0777, less the umask.
func TestSecretsArePrivate(t *testing.T) {
	const policy = `version: 1
profile: {name: p, identifier: com.example.p, min_ios: "13.0"}
exchange:
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: password
  password: hunter2
  sync: [contacts]
  users_can_change_sync: false
`
	for _, umask := range []int{0o027, 0o022} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(policy), 0o666)
		os.WriteFile(filepath.Join(dir, "users.csv"), []byte("email,upn\nada@example.com,ada@example.com\n"), 0o666)
		old := syscall.Umask(umask)
		code1, _, stderr1 := run(t, "build", filepath.Join(dir, "p.yaml"), "--target", "intune", "--out", filepath.Join(dir, "out"))
		code2, _, stderr2 := run(t, "build", filepath.Join(dir, "p.yaml"), "--roster", filepath.Join(dir, "users.csv"), "--out", filepath.Join(dir, "roster"))
		syscall.Umask(old)
		if code1 != ExitOK || code2 != ExitOK {
			t.Fatalf("umask %03o: builds failed:\n%s%s", umask, stderr1, stderr2)
		}
		public := os.FileMode(0o666 &^ umask)
		for name, want := range map[string]os.FileMode{
			"out":                                   os.ModeDir | 0o777&^os.FileMode(umask),
			"out/p.mobileconfig":                    0o600,
			"out/p.intune":                          os.ModeDir | 0o777&^os.FileMode(umask),
			"out/p.intune/custom.json":              0o600,
			"out/p.intune/README.md":                public,
			"out/manifest.json":                     public,
			"roster/p":                              os.ModeDir | 0o777&^os.FileMode(umask),
			"roster/p/ada@example.com.mobileconfig": 0o600,
		} {
			info, err := os.Lstat(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("umask %03o: %v", umask, err)
				continue
			}
			if info.Mode() != want {
				t.Errorf("umask %03o: %s is %v, want %v", umask, name, info.Mode(), want)
			}
		}
		// An earlier version wrote secrets 0644: the same content is
		// rewritten private.
		secret := filepath.Join(dir, "out", "p.mobileconfig")
		os.Chmod(secret, 0o644)
		if code, _, stderr := run(t, "build", filepath.Join(dir, "p.yaml"), "--target", "intune", "--out", filepath.Join(dir, "out")); code != ExitOK {
			t.Fatal(stderr)
		}
		if info, err := os.Stat(secret); err != nil || info.Mode() != 0o600 {
			t.Errorf("umask %03o: a rebuild left a 0644 secret as %v (%v)", umask, info.Mode(), err)
		}
	}
}
