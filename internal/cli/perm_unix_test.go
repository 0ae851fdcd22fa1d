//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/mdmforge/mdmforge/internal/testpki"
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

// TestSignAndImportKeepSecretsPrivate: sign and import write a copy of an
// existing profile, so one holding a password is 0600 as build's own is.
func TestSignAndImportKeepSecretsPrivate(t *testing.T) {
	pki, err := testpki.Get()
	if err != nil {
		t.Fatal(err)
	}
	key, err := testpki.KeyPEM(pki.RSA.Key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"rsa.crt": testpki.CertPEM(pki.RSA.Cert), "rsa.key": key, "intermediate.pem": testpki.CertPEM(pki.Intermediate),
		"p.yaml": []byte("version: 1\nprofile: {name: p, identifier: com.example.p}\nexchange: {host: mail.example.com, email: ada@example.com, auth: password, password: hunter2, sync: [contacts]}\n"),
		"q.yaml": []byte("version: 1\nprofile: {name: q, identifier: com.example.q}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", strconv.FormatInt(pki.Now.Unix(), 10))
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	at := func(name string) string { return filepath.Join(dir, name) }
	if code, _, stderr := run(t, "build", at("p.yaml"), at("q.yaml"), "--out", at("out")); code != ExitOK {
		t.Fatal(stderr)
	}
	for _, name := range []string{"p", "q"} {
		if code, _, stderr := run(t, "sign", at("out/"+name+".mobileconfig"), "--out", at(name+".signed.mobileconfig"),
			"--signer-cert", at("rsa.crt"), "--signer-key", at("rsa.key"), "--signer-chain", at("intermediate.pem")); code != ExitOK {
			t.Fatal(stderr)
		}
		if code, _, stderr := run(t, "import", at("out/"+name+".mobileconfig"), "--out", at(name+".imported.yaml")); code != ExitOK {
			t.Fatal(stderr)
		}
	}
	for name, want := range map[string]os.FileMode{
		"p.signed.mobileconfig": 0o600, "p.imported.yaml": 0o600,
		"q.signed.mobileconfig": 0o644, "q.imported.yaml": 0o644,
	} {
		if info, err := os.Stat(at(name)); err != nil || info.Mode() != want {
			t.Errorf("%s: mode %v (%v), want %v", name, info.Mode(), err, want)
		}
	}
}
