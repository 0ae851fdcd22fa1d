// Package suggest finds what a misspelt name was probably meant to be, for
// "did you mean" hints.
package suggest

import "strings"

// Fold drops what a typo most often gets wrong: case, '_' and '-', so
// allow_open_from_managed_to_unmanaged matches allowOpenFromManagedToUnmanaged.
func Fold(s string) string {
	return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
}

// Closest returns the candidate word most likely meant, or "" when none is
// close enough to be a plausible typo. An exact match after folding wins,
// then a candidate the word begins (SSID is SSID_STR rather than HESSID),
// then the fewest edits.
func Closest(word string, candidates []string) string {
	fw := Fold(word)
	for _, c := range candidates {
		if Fold(c) == fw {
			return c
		}
	}
	prefixed := ""
	for _, c := range candidates {
		if len(word) >= 3 && strings.HasPrefix(Fold(c), fw) && (prefixed == "" || len(c) < len(prefixed)) {
			prefixed = c
		}
	}
	if prefixed != "" {
		return prefixed
	}
	best, bestDist := "", 0
	for _, c := range candidates {
		if d := Distance(fw, Fold(c)); best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || !Plausible(word, bestDist) {
		return ""
	}
	return best
}

// Plausible reports whether dist edits of word are few enough to be a typo.
func Plausible(word string, dist int) bool { return dist <= max(2, len(word)/3) }

// Distance is the Levenshtein edit distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
