package termsafe

import "testing"

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"CN=Profile Signer RSA,O=mdmforge tests", "CN=Profile Signer RSA,O=mdmforge tests"},
		{"Zoë 東京 ✓", "Zoë 東京 ✓"},
		{"Evil\x1b[2J Signer", `Evil\x1b[2J Signer`},
		{"a\u202eRSA", `a\u202eRSA`},
		{"line\nforged", `line\x0aforged`},
		{"tab\there", `tab\x09here`},
		{"bell\a del\x7f", `bell\x07 del\x7f`},
		{"c1 \u009b2J", `c1 \u009b2J`},
		{"isolate \u2066x\u2069 mark \u200f \u061c", `isolate \u2066x\u2069 mark \u200f \u061c`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"\u2028 stays", "\u2028 stays"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMultiline(t *testing.T) {
	in := "first line\n\tsecond\x1b[2J \u202ethird\r"
	want := "first line\n\tsecond\\x1b[2J \\u202ethird\\x0d"
	if got := Multiline(in); got != want {
		t.Errorf("Multiline(%q) = %q, want %q", in, got, want)
	}
}

func TestStringCleanDoesNotAllocate(t *testing.T) {
	s := "CN=Profile Signer RSA,O=mdmforge tests"
	if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 0 {
		t.Errorf("String allocated %v times for clean text", n)
	}
}
