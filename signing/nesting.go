package signing

import "fmt"

// MaxNesting is how deeply the ASN.1 values of a signed profile may nest.
// Real CMS nests about a dozen levels (ContentInfo, SignedData,
// certificates, TBSCertificate, Name, RDN, attribute, value); 64 leaves
// room for unusual extensions and BER chunking. The CMS and ASN.1 decoders
// recurse once per level, and a few megabytes of "30 80" would otherwise
// exhaust the stack, which is fatal and no recover() catches.
const MaxNesting = 64

// checkNesting walks the BER or DER TLVs of data without recursion, with
// indefinite lengths, and refuses nesting deeper than MaxNesting. Elements
// are not counted separately: each takes at least two bytes, so the walk
// and the decoders after it see at most len(data)/2 of them.
//
// It reads conservatively: a constructed value whose length runs past its
// parent is walked up to the parent's end, so it never counts fewer levels
// than a decoder could recurse into. A header it cannot read ends the
// value holding it (or, at the top, the walk) quietly; the decoder reports
// it in its own words.
func checkNesting(data []byte) error {
	// ends holds, for each open constructed value, the offset where it
	// ends, or -1 for an indefinite length, which ends at 00 00.
	ends := make([]int, 0, 16)
	limit := len(data)
	for i := 0; i < len(data); {
		if n := len(ends); n > 0 && ends[n-1] < 0 && i+1 < len(data) && data[i] == 0 && data[i+1] == 0 {
			ends = ends[:n-1]
			i += 2
			continue
		}
		// The innermost definite end bounds what this value may hold, and
		// ends every value opened inside it, indefinite ones included:
		// their content cannot run past it.
		outer, k := limit, len(ends)-1
		for ; k >= 0 && ends[k] < 0; k-- {
		}
		if k >= 0 {
			if i >= ends[k] {
				ends = ends[:k]
				continue
			}
			outer = ends[k]
		}
		constructed, hdr, length, ok := tlvHeader(data[i:outer])
		if !ok {
			if k < 0 {
				return nil
			}
			// A lazy decoder may never read this header, but goes on
			// after the value holding it.
			i = outer
			continue
		}
		i += hdr
		if !constructed && length >= 0 {
			i += min(length, outer-i)
			continue
		}
		// A primitive value with an indefinite length is invalid; reading
		// it as constructed counts at least the levels a lenient decoder
		// might.
		if len(ends) >= MaxNesting {
			return fmt.Errorf("signed profile nests its ASN.1 values more than %d levels deep; real signed profiles nest fewer than 20", MaxNesting)
		}
		if length < 0 {
			ends = append(ends, -1)
		} else {
			ends = append(ends, i+min(length, outer-i))
		}
	}
	return nil
}

// tlvHeader reads the identifier and length octets at the start of b: whether
// the value is constructed, the header's size and the content length, -1 for
// an indefinite length. Lengths that do not fit in an int are reported as
// not ok.
func tlvHeader(b []byte) (constructed bool, hdr, length int, ok bool) {
	if len(b) < 2 {
		return false, 0, 0, false
	}
	constructed = b[0]&0x20 != 0
	i := 1
	if b[0]&0x1f == 0x1f {
		// High tag number form: base-128 digits, the last without bit 8.
		for i < len(b) && b[i]&0x80 != 0 {
			i++
		}
		i++
	}
	if i >= len(b) {
		return false, 0, 0, false
	}
	l := b[i]
	i++
	switch {
	case l < 0x80:
		return constructed, i, int(l), true
	case l == 0x80:
		return constructed, i, -1, true
	}
	n := int(l & 0x7f)
	if n > 7 || i+n > len(b) {
		return false, 0, 0, false
	}
	v := 0
	for _, c := range b[i : i+n] {
		v = v<<8 | int(c)
	}
	return constructed, i + n, v, true
}
