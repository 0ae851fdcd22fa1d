package signing_test

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/internal/interop"
	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/signing"
)

func testPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	p, err := testpki.Get()
	if err != nil {
		t.Fatalf("generate test PKI: %v", err)
	}
	return p
}

// identity builds an Identity by hand, as a KMS-backed caller would.
func identity(p *testpki.PKI, leaf testpki.Leaf) *signing.Identity {
	return &signing.Identity{
		Certificate:   leaf.Cert,
		Intermediates: []*x509.Certificate{p.Intermediate},
		Signer:        leaf.Key,
	}
}

func rootPool(p *testpki.PKI) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// signingTime is fixed so that outputs can be compared across runs, and
// sits inside the validity of the test PKI's good leaves.
func signingTime(p *testpki.PKI) time.Time { return p.Now.Add(-time.Hour).UTC() }

func wantErr(t testing.TB, err error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", substr)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not contain %q", err, substr)
	}
	if msg := err.Error(); strings.HasSuffix(msg, ".") || (msg != "" && msg[0] >= 'A' && msg[0] <= 'Z') {
		t.Errorf("error %q should start lowercase and have no trailing period", msg)
	}
}

func hasWarning(warnings []string, substr string) bool {
	for _, w := range warnings {
		if strings.Contains(w, substr) {
			return true
		}
	}
	return false
}

// openSSL is a handle on the openssl binary working in a temporary
// directory that holds the test PKI as PEM files.
type openSSL struct {
	t    testing.TB
	path string
	dir  string
}

// needOpenSSL returns an openSSL handle, or skips (or fails, see
// interopUnavailable) when no OpenSSL 3 binary is available: the .p12
// tests need its -legacy flag and AES default.
func needOpenSSL(t testing.TB) *openSSL {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		interop.Unavailable(t, "openssl not found in PATH")
	}
	out, err := exec.Command(path, "version").Output()
	if err != nil {
		interop.Unavailable(t, "openssl version: %v", err)
	}
	var major int
	if _, err := fmt.Sscanf(string(out), "OpenSSL %d.", &major); err != nil || major < 3 {
		interop.Unavailable(t, "need OpenSSL 3 or later, found %q", strings.TrimSpace(string(out)))
	}
	o := &openSSL{t: t, path: path, dir: t.TempDir()}
	p := testPKI(t)
	o.write("root.pem", testpki.CertPEM(p.Root))
	o.write("intermediate.pem", testpki.CertPEM(p.Intermediate))
	for name, leaf := range map[string]testpki.Leaf{"rsa": p.RSA, "p256": p.P256, "p384": p.P384} {
		o.write(name+".pem", testpki.CertPEM(leaf.Cert))
		key, err := testpki.KeyPEM(leaf.Key)
		if err != nil {
			t.Fatal(err)
		}
		o.write(name+".key", key)
	}
	return o
}

func (o *openSSL) file(name string) string { return filepath.Join(o.dir, name) }

func (o *openSSL) write(name string, data []byte) string {
	o.t.Helper()
	if err := os.WriteFile(o.file(name), data, 0o600); err != nil {
		o.t.Fatal(err)
	}
	return o.file(name)
}

func (o *openSSL) read(name string) []byte {
	o.t.Helper()
	b, err := os.ReadFile(o.file(name))
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}

// run executes openssl in the temporary directory and fails the test if
// it exits non-zero.
func (o *openSSL) run(args ...string) []byte {
	o.t.Helper()
	out, err := o.try(args...)
	if err != nil {
		o.t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (o *openSSL) try(args ...string) ([]byte, error) {
	cmd := exec.Command(o.path, args...)
	cmd.Dir = o.dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.Bytes(), err
}
