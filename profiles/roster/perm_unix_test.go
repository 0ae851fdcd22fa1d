//go:build unix

package roster

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
)

// A profile holding a password is its user's secret: readable by its owner
// only, whatever the umask, signed copy or not.
func TestWriteSecretsPrivate(t *testing.T) {
	for _, c := range []struct {
		password string
		want     os.FileMode
	}{{"  password: hunter2\n", 0o600}, {"", 0o644}} {
		auth := "oauth"
		if c.password != "" {
			auth = "password"
		}
		p, ds := profiles.Decode("p.yaml", []byte("version: 1\nprofile: {name: p, identifier: com.example.p, min_ios: \"13.0\"}\nexchange:\n  host: outlook.office365.com\n  email: ${user.email}\n  username: ${user.email}\n  auth: "+auth+"\n"+c.password))
		if ds.Errors() > 0 {
			t.Fatal(ds)
		}
		tmpl, err := p.Template()
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(strings.NewReader("email\nada@example.com\n"), "users.csv")
		if err != nil {
			t.Fatal(err)
		}
		plan, ds, err := Check(r, tmpl)
		if err != nil || len(ds) > 0 {
			t.Fatal(err, ds)
		}
		dir := t.TempDir()
		old := syscall.Umask(0o022)
		_, err = plan.Write(dir, Options{})
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(dir, "ada@example.com.mobileconfig"))
		if err != nil || info.Mode().Perm() != c.want {
			t.Errorf("auth %s: mode %v (%v), want %v", auth, info.Mode().Perm(), err, c.want)
		}
	}
}
