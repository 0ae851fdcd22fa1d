package cli

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/golden"

	"github.com/mdmforge/mdmforge/internal/interop"
	"github.com/mdmforge/mdmforge/internal/testpki"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/rogpeppe/go-internal/testscript"
	"software.sslmate.com/src/go-pkcs12"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mdmforge": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script, one behaviour
// each, against the real command tree.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       golden.Update(),
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkfile":      cmdMkfile,
			"pki":         cmdPKI,
			"truncate":    cmdTruncate,
			"flip":        cmdFlip,
			"deepcms":     cmdDeepCMS,
			"mkplist-dag": cmdMkplistDAG,
			"fakegraph":   cmdFakeGraph,
			"nanomdm":     cmdNanoMDM,
			"fakemdm":     cmdFakeMDM,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "openssl":
				_, err := exec.LookPath("openssl")
				if err != nil && interop.Required() {
					return false, fmt.Errorf("openssl is required (MDMFORGE_REQUIRE_INTEROP=1) but not on PATH")
				}
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// pki writes a throw-away PKI, generated in memory by this test binary, into
// the script's work folder: root.pem, intermediate.pem, other-root.pem, PEM
// leaves rsa.crt/rsa.key and p256.crt/p256.key, other.key (matching no
// certificate), and .p12 files protected by "correct horse": signer.p12
// (modern encryption, with its chain), signer-legacy.p12, expired.p12,
// notyet.p12 and nodigsig.p12, and twokeys.p12 (two keys, no password);
// profiles signed by a signer without digitalSignature
// (nodigsig.signed.mobileconfig), by a CA (ca.signed.mobileconfig, with
// ca.crt/ca.key) and by
// a subject holding terminal escapes (hostile.signed.mobileconfig, with
// hostile.crt/hostile.key). It sets PKI_NOW to the PKI's reference time in
// Unix seconds.
func cmdPKI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: pki")
	}
	pki, err := testpki.Get()
	ts.Check(err)
	write := func(name string, data []byte) { ts.Check(os.WriteFile(ts.MkAbs(name), data, 0o600)) }
	key := func(k crypto.Signer) []byte {
		b, err := testpki.KeyPEM(k)
		ts.Check(err)
		return b
	}
	p12 := func(enc *pkcs12.Encoder, leaf testpki.Leaf) []byte {
		b, err := enc.Encode(leaf.Key, leaf.Cert, []*x509.Certificate{pki.Intermediate, pki.Root}, "correct horse")
		ts.Check(err)
		return b
	}
	write("root.pem", testpki.CertPEM(pki.Root))
	write("intermediate.pem", testpki.CertPEM(pki.Intermediate))
	write("other-root.pem", testpki.CertPEM(pki.OtherRoot))
	write("rsa.crt", testpki.CertPEM(pki.RSA.Cert))
	write("rsa.key", key(pki.RSA.Key))
	write("p256.crt", testpki.CertPEM(pki.P256.Cert))
	write("p256.key", key(pki.P256.Key))
	write("other.key", key(pki.OtherRSA))
	write("signer.p12", p12(pkcs12.Modern, pki.RSA))
	write("signer-legacy.p12", p12(pkcs12.Legacy, pki.RSA))
	write("expired.p12", p12(pkcs12.Modern, pki.Expired))
	write("notyet.p12", p12(pkcs12.Modern, pki.NotYetValid))
	write("nodigsig.p12", p12(pkcs12.Modern, pki.NoDigitalSignature))
	twoKeys, err := pki.TwoKeyPKCS12()
	ts.Check(err)
	write("twokeys.p12", twoKeys)
	write("big.mobileconfig", testpki.Profile(9000))
	// Signed by certificates mdmforge refuses to sign with, so only a
	// hand-made identity can produce them; and by a hostile subject.
	signed := func(leaf testpki.Leaf, chain ...*x509.Certificate) []byte {
		id := &signing.Identity{Certificate: leaf.Cert, Intermediates: chain, Signer: leaf.Key}
		b, err := id.Sign(testpki.Profile(600), pki.Now)
		ts.Check(err)
		return b
	}
	write("nodigsig.signed.mobileconfig", signed(pki.NoDigitalSignature, pki.Intermediate))
	write("ca.signed.mobileconfig", signed(pki.CASigner))
	write("hostile.signed.mobileconfig", signed(pki.Hostile, pki.Intermediate))
	write("ca.crt", testpki.CertPEM(pki.CASigner.Cert))
	write("ca.key", key(pki.CASigner.Key))
	write("hostile.crt", testpki.CertPEM(pki.Hostile.Cert))
	write("hostile.key", key(pki.Hostile.Key))
	// A signing time inside every valid test certificate's validity.
	ts.Setenv("PKI_NOW", strconv.FormatInt(pki.Now.Unix(), 10))
}

// truncate IN N OUT writes the first N bytes of IN to OUT.
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: truncate IN N OUT")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	data := []byte(ts.ReadFile(args[0]))
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), data[:min(n, len(data))], 0o644))
}

// flip FILE N inverts the bits of byte N of FILE, counted from the end when
// N is negative: -1 is the last byte.
func cmdFlip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flip FILE N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	data := []byte(ts.ReadFile(args[0]))
	if n < 0 {
		n += len(data)
	}
	if n < 0 || n >= len(data) {
		ts.Fatalf("flip: %s has %d bytes", args[0], len(data))
	}
	data[n] ^= 0xff
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}

// deepcms DEPTH OUT writes a CMS ContentInfo of type signedData whose content
// is DEPTH unclosed indefinite-length SEQUENCEs, two bytes each: nesting that
// exhausts the stack of a recursive ASN.1 decoder.
func cmdDeepCMS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: deepcms DEPTH OUT")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	data := []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80}
	data = append(data, bytes.Repeat([]byte{0x30, 0x80}, n)...)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}

// mkplist-dag TEXTBYTES N OUT writes a binary property list profile whose
// PayloadContent is an array referring N times to an array that refers N
// times to one text of TEXTBYTES bytes: N² copies of the text once decoded.
func cmdMkplistDAG(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: mkplist-dag TEXTBYTES N OUT")
	}
	textBytes, err := strconv.Atoi(args[0])
	ts.Check(err)
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	var b bytes.Buffer
	b.WriteString("bplist00")
	var offsets []uint32
	header := func(tag byte, count int) {
		offsets = append(offsets, uint32(b.Len()))
		if count < 15 {
			b.WriteByte(tag | byte(count))
			return
		}
		b.Write([]byte{tag | 0x0F, 0x12})
		binary.Write(&b, binary.BigEndian, uint32(count))
	}
	text := func(s string) { header(0x50, len(s)); b.WriteString(s) }
	refs := func(tag byte, count int, ids ...uint32) {
		header(tag, count)
		for _, id := range ids {
			binary.Write(&b, binary.BigEndian, id)
		}
	}
	repeat := func(id uint32) []uint32 {
		ids := make([]uint32, n)
		for i := range ids {
			ids[i] = id
		}
		return ids
	}
	// 0: the top dictionary, 1-4: its keys and type, 5: the text, 6 and 7:
	// the arrays.
	refs(0xD0, 2, 1, 3, 2, 7)
	text("PayloadType")
	text("Configuration")
	text("PayloadContent")
	text("unused")
	text(strings.Repeat("x", textBytes))
	refs(0xA0, n, repeat(5)...)
	refs(0xA0, n, repeat(6)...)
	table := b.Len()
	for _, off := range offsets {
		binary.Write(&b, binary.BigEndian, off)
	}
	b.Write([]byte{0, 0, 0, 0, 0, 0, 4, 4})
	for _, v := range []uint64{uint64(len(offsets)), 0, uint64(table)} {
		binary.Write(&b, binary.BigEndian, v)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), b.Bytes(), 0o644))
}

// mkfile SIZE NAME writes a YAML comment-filled file of SIZE bytes (K and M
// suffixes allowed), for size limits without committing large files.
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfile SIZE NAME")
	}
	s, mult := args[0], 1
	switch s[len(s)-1] {
	case 'K':
		s, mult = s[:len(s)-1], 1<<10
	case 'M':
		s, mult = s[:len(s)-1], 1<<20
	}
	n, err := strconv.Atoi(s)
	ts.Check(err)
	line := []byte("# padding padding padding padding padding padding padding padding\n")
	data := bytes.Repeat(line, n*mult/len(line)+1)[:n*mult]
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}
