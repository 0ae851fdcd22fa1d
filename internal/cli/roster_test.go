package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
)

// wideHeader is a CSV header of n distinct unknown columns, with email and
// upn each given twice at the end.
func wideHeader(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "c%d,", i)
	}
	b.WriteString("email,upn,Email,UPN\n")
	return b.String()
}

// The header check was quadratic in the number of columns: 100,000 columns
// took minutes. This one would not finish in the test timeout before the
// fix; it also reports every duplicate, not only the first.
func TestCSVHeaderWide(t *testing.T) {
	_, err := newCSVRoster(strings.NewReader(wideHeader(100_000)))
	if err == nil || err.Error() != "line 1: columns email, upn appear twice" {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkCSVHeader(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		head := wideHeader(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(head)))
			for b.Loop() {
				newCSVRoster(strings.NewReader(head))
			}
		})
	}
}

// Encoding a device name's first letter must not make it collide with a
// user whose key is that encoding, or the plain name.
func TestUserKeyReservedDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, v := range []string{"CON", "con", "%63on", "%2563on", "c%6fn", "con.", "con.x", "%63on.x", "com1", "com10", "aux"} {
		k := userKey(v)
		if profiles.ReservedFileName(k+".mobileconfig") || profiles.ReservedFileName(k+".signed.mobileconfig") {
			t.Errorf("userKey(%q) = %q, reserved on Windows", v, k)
		}
		if o, dup := seen[k]; dup && !strings.EqualFold(o, v) {
			t.Errorf("userKey(%q) = userKey(%q) = %q", v, o, k)
		}
		seen[k] = v
	}
}
