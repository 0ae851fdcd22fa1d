package diff

import (
	"math"
	"strings"
	"testing"
)

func TestTextValues(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{"a\"b", `"a\"b"`},
		{int64(1), "1"},
		{1.0, "1.0"},
		{2.5, "2.5"},
		{[]byte{0}, "<data: 1 bytes, sha256 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d>"},
		{map[string]any{"b": true, "a": []any{int64(1), "x"}}, `{"a": [1, "x"], "b": true}`},
		{map[string]any{"long": strings.Repeat("x", 90)}, "<dictionary of 1 key>"},
	} {
		if got := showValue(tt.v, ""); got != tt.want {
			t.Errorf("showValue(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
	if got := mdCode("a|`b`"); got != "`` a\\|`b` ``" {
		t.Errorf("mdCode: %s", got)
	}
	if got := string(rawJSON(math.NaN())); got != `"NaN"` {
		t.Errorf("NaN in JSON: %s", got)
	}
}
