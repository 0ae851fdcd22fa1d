package profiles

import "testing"

func TestReservedFileName(t *testing.T) {
	for name, want := range map[string]bool{
		"CON": true, "con": true, "Con.mobileconfig": true, "aux.tar.gz": true, "NUL .json": true,
		"prn": true, "COM1": true, "com9.txt": true, "LPT1": true, "lpt9": true, "COM¹": true, "conin$": true,
		"bob.": true, "bob ": true, "bob.mobileconfig.": true,
		"": false, "COM0": false, "COM10": false, "LPT": false, "console": false, "con@example.com": false,
		"a.con": false, "nul_": false, "bob.mobileconfig": false, "%63on.mobileconfig": false,
	} {
		if got := ReservedFileName(name); got != want {
			t.Errorf("ReservedFileName(%q) = %v, want %v", name, got, want)
		}
	}
}
