package signing_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/mdmforge/mdmforge/internal/testpki"
)

// The Sign benchmarks and the Raw baselines use the same keys, so the
// ratio between them is the CMS overhead on top of the signature itself.

func benchSign(b *testing.B, leaf func(*testpki.PKI) testpki.Leaf) {
	p := testPKI(b)
	id := identity(p, leaf(p))
	content := testpki.Profile(4096)
	at := signingTime(p)
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := id.Sign(content, at); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRaw(b *testing.B, leaf func(*testpki.PKI) testpki.Leaf) {
	key := leaf(testPKI(b)).Key
	digest := sha256.Sum256(testpki.Profile(4096))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := key.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

func rsaLeaf(p *testpki.PKI) testpki.Leaf  { return p.RSA }
func p256Leaf(p *testpki.PKI) testpki.Leaf { return p.P256 }

func BenchmarkSignRSA2048(b *testing.B) { benchSign(b, rsaLeaf) }
func BenchmarkSignP256(b *testing.B)    { benchSign(b, p256Leaf) }
func BenchmarkRawRSA2048(b *testing.B)  { benchRaw(b, rsaLeaf) }
func BenchmarkRawP256(b *testing.B)     { benchRaw(b, p256Leaf) }
