// Package suggest finds what a misspelt name was probably meant to be, for
// "did you mean" hints.
package suggest

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Fold drops what a typo most often gets wrong: case, '_' and '-', so
// allow_open_from_managed_to_unmanaged matches allowOpenFromManagedToUnmanaged.
func Fold(s string) string { return string(foldInto(nil, s)) }

// foldInto appends Fold(s) to dst. A strings.Replacer built per call, as
// Fold once did, cost more than the edit distances it served.
func foldInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			s = strings.ToLower(s) // rare: names are ASCII
			break
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_' || c == '-':
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// Closest returns the candidate word most likely meant, or "" when none is
// close enough to be a plausible typo. An exact match after folding wins,
// then a candidate the word begins (SSID is SSID_STR rather than HESSID),
// then the fewest edits.
//
// It reads the candidates once, folding each into one reused buffer. Only
// distances within the plausibility threshold matter, so each is computed
// with that bound, or one less than the best so far; candidates whose
// lengths or letters alone differ by more are skipped, and the rest cost
// at most a band of 2·bound+1 cells per letter of the word instead of the
// product of their lengths, in buffers reused across candidates.
func Closest(word string, candidates []string) string {
	var m matcher
	return m.closest(word, candidates)
}

func (m *matcher) closest(word string, candidates []string) string {
	fw := foldInto(nil, word)
	a := m.runes(fw)
	prefixed, canPrefix := "", len(word) >= 3
	// The first candidate at the smallest distance wins, as long as that
	// distance is plausible: so look for strictly fewer edits than the
	// best so far, and never more than the threshold.
	best, bound := "", threshold(word)
	var fc []byte
	for _, c := range candidates {
		fc = foldInto(fc[:0], c)
		if string(fc) == string(fw) {
			return c
		}
		if canPrefix && bytes.HasPrefix(fc, fw) && (prefixed == "" || len(c) < len(prefixed)) {
			prefixed = c
		}
		if prefixed != "" || bound < 0 {
			// A prefix wins over any distance, and nothing beats a
			// candidate one edit away; only exact matches remain.
			continue
		}
		if d := m.distanceAtMost(a, fc, bound); d <= bound {
			best, bound = c, d-1
		}
	}
	if prefixed != "" {
		return prefixed
	}
	return best
}

// Plausible reports whether dist edits of word are few enough to be a typo.
func Plausible(word string, dist int) bool { return dist <= threshold(word) }

func threshold(word string) int { return max(2, len(word)/3) }

// Distance is the Levenshtein edit distance between a and b, in runes.
func Distance(a, b string) int {
	var m matcher
	return m.distanceAtMost(m.runes([]byte(a)), []byte(b), len(a)+len(b))
}

// matcher holds the buffers of one search, reused across candidates.
type matcher struct {
	a, b      []rune
	prev, cur []int
	cells     int // edit-distance cells computed, for tests of the work done
	// hist counts the bytes of the word when it is ASCII, for the bag
	// distance, a lower bound on the edit distance that costs one pass.
	hist  [utf8.RuneSelf]int32
	ascii bool
}

func (m *matcher) runes(s []byte) []rune {
	m.hist = [utf8.RuneSelf]int32{}
	m.ascii = true
	for _, c := range s {
		if c >= utf8.RuneSelf {
			m.ascii = false
			break
		}
		m.hist[c]++
	}
	m.a = m.a[:0]
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		m.a = append(m.a, r)
		s = s[n:]
	}
	return m.a
}

// bagDistance is a lower bound on the edit distance between the ASCII word
// counted in m.hist and the ASCII b: each edit fixes at most one byte the
// word has and b lacks, and one b has and the word lacks.
func (m *matcher) bagDistance(b []byte) int {
	var missing, extra int32
	for _, c := range b {
		if m.hist[c]--; m.hist[c] < 0 {
			extra++
		}
	}
	for _, c := range b {
		m.hist[c]++
	}
	missing = int32(len(m.a)) - (int32(len(b)) - extra)
	return int(max(missing, extra))
}

// distanceAtMost is the edit distance between a and b when it is at most
// bound, and bound+1 otherwise. Only the band of cells within bound of the
// diagonal can lie on such a path (Ukkonen), and rows stop once every cell
// in the band exceeds the bound, as a row's minimum never decreases.
func (m *matcher) distanceAtMost(a []rune, bs []byte, bound int) int {
	nb := utf8.RuneCount(bs)
	if d := len(a) - nb; d > bound || -d > bound {
		return bound + 1
	}
	if m.ascii && nb == len(bs) && m.bagDistance(bs) > bound {
		return bound + 1
	}
	m.b = m.b[:0]
	for len(bs) > 0 {
		r, n := utf8.DecodeRune(bs)
		m.b = append(m.b, r)
		bs = bs[n:]
	}
	b := m.b
	if cap(m.prev) < len(b)+2 {
		m.prev, m.cur = make([]int, len(b)+2), make([]int, len(b)+2)
	}
	over := bound + 1
	prev, cur := m.prev[:len(b)+2], m.cur[:len(b)+2]
	for j := range prev {
		prev[j] = min(j, over)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-bound), min(len(b), i+bound)
		if lo == 1 {
			cur[0] = min(i, over)
		} else {
			cur[lo-1] = over
		}
		rowMin := cur[lo-1]
		m.cells += hi - lo + 1
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost, over)
			rowMin = min(rowMin, cur[j])
		}
		cur[hi+1] = over
		if rowMin > bound {
			return over
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
