package signing

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/testpki"
)

// signedDataPrefix opens a ContentInfo of type signedData, so that nested
// input gets past the sniffing to the decoders.
var signedDataPrefix = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

// deepIndefinite is a ContentInfo whose content is depth SEQUENCEs of
// indefinite length, each two bytes, closed or not.
func deepIndefinite(depth int, closed bool) []byte {
	b := append([]byte{0x30, 0x80}, signedDataPrefix...)
	b = append(b, 0xa0, 0x80)
	b = append(b, bytes.Repeat([]byte{0x30, 0x80}, depth)...)
	if closed {
		b = append(b, bytes.Repeat([]byte{0, 0}, depth+2)...)
	}
	return b
}

// deepDefinite is the same nesting in DER, built from the inside out.
func deepDefinite(depth int) []byte {
	inner := []byte{0x05, 0x00} // NULL
	wrap := func(tag byte, content []byte) []byte {
		return append(appendHeader(nil, tag, len(content)), content...)
	}
	// Building by prepending would copy quadratically; compute each
	// level's header from the total length below it instead.
	sizes := make([]int, depth+1)
	sizes[0] = len(inner)
	hdrLen := func(n int) int {
		switch {
		case n < 0x80:
			return 2
		case n < 1<<8:
			return 3
		case n < 1<<16:
			return 4
		case n < 1<<24:
			return 5
		}
		return 6
	}
	for i := 1; i <= depth; i++ {
		sizes[i] = sizes[i-1] + hdrLen(sizes[i-1])
	}
	out := make([]byte, 0, sizes[depth]+64)
	for i := depth; i >= 1; i-- {
		out = appendHeader(out, 0x30, sizes[i-1])
	}
	out = append(out, inner...)
	out = wrap(0xa0, out)
	return wrap(0x30, append(append([]byte{}, signedDataPrefix...), out...))
}

func TestParseRefusesDeepNesting(t *testing.T) {
	const twoMillion = 2_000_000
	for name, data := range map[string][]byte{
		"indefinite":          deepIndefinite(twoMillion, false),
		"indefinite, closed":  deepIndefinite(twoMillion, true),
		"definite":            deepDefinite(twoMillion),
		"just over the limit": deepDefinite(MaxNesting),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(data)
			if err == nil || !strings.Contains(err.Error(), "more than 64 levels deep") {
				t.Fatalf("Parse = %v, want the nesting refused", err)
			}
		})
	}
}

func TestCheckNestingAllowsRealProfiles(t *testing.T) {
	p, err := testpki.Get()
	if err != nil {
		t.Fatal(err)
	}
	id := &Identity{Certificate: p.RSA.Cert, Intermediates: []*x509.Certificate{p.Intermediate}, Signer: p.RSA.Key}
	der, err := id.Sign(testpki.Profile(1000), p.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{der, toIndefinite(der), deepDefinite(MaxNesting - 2)} {
		if err := checkNesting(data); err != nil {
			t.Errorf("checkNesting = %v", err)
		}
	}
	if d := refDepth(der, 0); d > 20 {
		t.Errorf("a real signed profile nests %d levels; the limit's justification says fewer than 20", d)
	}
}

// refDepth measures nesting the obvious, recursive way, giving up past
// MaxNesting+1 so that it is safe on any input: the oracle for the fuzzer.
func refDepth(b []byte, level int) int {
	deepest := level
	for len(b) > 0 && level <= MaxNesting {
		constructed, hdr, length, ok := tlvHeader(b)
		if !ok {
			return deepest
		}
		b = b[hdr:]
		if length < 0 {
			// Indefinite: the content runs to the matching 00 00, which
			// the recursive walk finds by consuming children.
			d, rest := refIndefinite(b, level+1)
			deepest = max(deepest, d)
			b = rest
			continue
		}
		length = min(length, len(b))
		if constructed {
			deepest = max(deepest, refDepth(b[:length], level+1))
		}
		b = b[length:]
	}
	return deepest
}

func refIndefinite(b []byte, level int) (int, []byte) {
	deepest := level
	for len(b) > 0 && level <= MaxNesting {
		if len(b) >= 2 && b[0] == 0 && b[1] == 0 {
			return deepest, b[2:]
		}
		constructed, hdr, length, ok := tlvHeader(b)
		if !ok {
			return deepest, nil
		}
		b = b[hdr:]
		if length < 0 {
			d, rest := refIndefinite(b, level+1)
			deepest, b = max(deepest, d), rest
			continue
		}
		length = min(length, len(b))
		if constructed {
			deepest = max(deepest, refDepth(b[:length], level+1))
		}
		b = b[length:]
	}
	return deepest, b
}

// appendHeader appends a DER tag and length of n.
func appendHeader(b []byte, tag byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(b, tag, byte(n))
	case n < 1<<8:
		return append(b, tag, 0x81, byte(n))
	case n < 1<<16:
		return append(b, tag, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		return append(b, tag, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, tag, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// FuzzParseDeep looks for nested input that gets past the nesting check
// deeper than MaxNesting, by the recursive oracle, or that crashes the
// decoders behind it. Seeds are nested at and around the limit, in both
// length forms.
func FuzzParseDeep(f *testing.F) {
	for _, depth := range []int{1, MaxNesting - 3, MaxNesting - 2, MaxNesting, MaxNesting + 5} {
		f.Add(deepDefinite(depth))
		f.Add(deepIndefinite(depth, true))
		f.Add(deepIndefinite(depth, false))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkNesting(data) == nil {
			if d := refDepth(data, 0); d > MaxNesting {
				t.Fatalf("checkNesting passed input nested %d levels deep", d)
			}
		}
		if s, err := parse(data); err == nil && s == nil {
			t.Fatal("no result and no error")
		}
	})
}
