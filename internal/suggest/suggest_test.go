package suggest

import (
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"hots", []string{"host", "email"}, "host"},
		{"allow_open_from_managed_to_unmanaged", []string{"allowOpenFromManagedToUnmanaged", "allowCamera"}, "allowOpenFromManagedToUnmanaged"},
		{"SSID", []string{"HESSID", "SSID_STR"}, "SSID_STR"},
		{"zzzzzzzz", []string{"host", "email"}, ""},
		{"oath", []string{"oauth", "password", "certificate"}, "oauth"},
		{"x", nil, ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"kitten", "sitting", 3}, {"café", "cafe", 1}, {"abc", "", 3}} {
		if got := Distance(tt.a, tt.b); got != tt.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

// TestClosestMatchesFullDistance checks that the bounded search returns
// exactly what comparing every full edit distance returned.
func TestClosestMatchesFullDistance(t *testing.T) {
	candidates := append(schemaKeys(), "host", "email", "Hots", "ssl", "SSL_x", "café", "sync", "mail_days")
	words := []string{"hots", "HOST", "sl", "emial", "cafe", "caf", "mail-days", "maildayz", "allowallowkey3", "x", "", "Identifierdisplaykey", "zzzzzzzzzz", "force_ssid_strkey9"}
	for _, w := range words {
		if got, want := Closest(w, candidates), closestFull(w, candidates); got != want {
			t.Errorf("Closest(%q) = %q, full search %q", w, got, want)
		}
	}
	for _, a := range words {
		for _, b := range candidates[len(candidates)-10:] {
			if got, want := Distance(a, b), fullDistance(a, b); got != want {
				t.Errorf("Distance(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// closestFull is Closest as it was: three passes, full distances.
func closestFull(word string, candidates []string) string {
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
		if d := fullDistance(fw, Fold(c)); best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || !Plausible(word, bestDist) {
		return ""
	}
	return best
}

func fullDistance(a, b string) int {
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

// TestClosestWorkIsBounded: 45,000 unknown keys in one file took 94 s.
// Each key here is a typo of a candidate (two letters swapped), so the
// edit distances are computed rather than ruled out by length or letters:
// they cost at most a band of 2·bound+1 cells per letter of the word, per
// candidate, and in all far fewer than full distances would.
func TestClosestWorkIsBounded(t *testing.T) {
	candidates := schemaKeys()
	var m matcher
	const keys = 45_000
	band, full := 0, 0
	for i := range keys {
		c := []byte(candidates[i%len(candidates)])
		c[3], c[4] = c[4], c[3]
		w := string(c) + "x"
		if got := m.closest(w, candidates); got == "" {
			t.Fatalf("no suggestion for %q", w)
		}
		if i < len(candidates) { // the keys repeat after that
			fw, bound := len(Fold(w)), threshold(w)
			band += keys / len(candidates) * len(candidates) * fw * (2*bound + 1)
			for _, c := range candidates {
				full += keys / len(candidates) * fw * len(Fold(c))
			}
		}
	}
	if m.cells > band {
		t.Errorf("%d cells for %d keys, more than the band allows (%d)", m.cells, keys, band)
	}
	if m.cells > full/20 {
		t.Errorf("%d cells for %d keys, not a twentieth of a full search's %d", m.cells, keys, full)
	}
	t.Logf("%d cells per key; the band allows %d, a full search computes %d", m.cells/keys, band/keys, full/keys)
}
