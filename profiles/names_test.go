package profiles

import (
	"slices"
	"strings"
	"testing"
)

func TestValidFileName(t *testing.T) {
	bad := map[string]string{
		"CON": "Windows device name CON", "con": "device name CON", "Aux.mobileconfig": "device name AUX",
		"nul.tar.gz": "device name NUL", "PRN": "PRN", "com1": "COM1", "COM9.json": "COM9", "lpt1": "LPT1", "LPT9": "LPT9",
		"con .txt": "CON",
		"a.":       "ends in a dot", "a ": "ends in a dot or space", "": "empty", "..": "folder", "a/b": "separator", `a\b`: "separator",
		"a\x01b": "control",
	}
	for name, want := range bad {
		err := ValidFileName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidFileName(%q) = %v, want it to say %q", name, err, want)
		}
	}
	for _, name := range []string{"contacts", "console", "CONTOSO", "auxiliary", "com10", "COM0", "lpt", "nul-policy", "a.b", "com", "LPT10.json", "a.con"} {
		if err := ValidFileName(name); err != nil {
			t.Errorf("ValidFileName(%q) = %v, want nil", name, err)
		}
	}
}

func TestProfileNameReserved(t *testing.T) {
	for _, name := range []string{"CON", "aux.contacts", "Nul", "com3", "contacts."} {
		src := "version: 1\nprofile:\n  name: " + name + "\n  identifier: com.example.t\nrestrictions:\n  allowAccountModification: true\n"
		p, ds := Decode("t.yaml", []byte(src))
		if ds.Errors() > 0 {
			t.Fatal(ds)
		}
		ds = p.Validate()
		ds = slices.DeleteFunc(ds, func(d Diagnostic) bool { return d.Severity == Warning })
		if len(ds) != 1 || ds[0].Path != "profile.name" || ds[0].Pos.Line != 3 || ds[0].Pos.Column != 9 || !strings.Contains(ds[0].Message, "choose another name") {
			t.Errorf("profile.name %q: want one positioned error with the fix, got\n%v", name, ds)
		}
	}
}

// TestWindowsDevices holds the device names Go's filepath.IsLocal refuses on
// Windows, and look-alikes that are ordinary names.
func TestWindowsDevices(t *testing.T) {
	for name, want := range map[string]bool{
		"CON": true, "con": true, "Con.mobileconfig": true, "aux.tar.gz": true, "NUL .json": true,
		"prn": true, "COM1": true, "com9.txt": true, "LPT1": true, "lpt9": true, "COM¹": true, "conin$": true,
		"CONOUT$.x": true, "con:stream": true, "bob.": true, "bob ": true, "bob.mobileconfig.": true,
		"COM0": false, "COM10": false, "LPT": false, "console": false, "con@example.com": false,
		"a.con": false, "nul_": false, "bob.mobileconfig": false, "%63on.mobileconfig": false,
	} {
		if got := ValidFileName(name) != nil; got != want {
			t.Errorf("ValidFileName(%q) refused = %v, want %v", name, got, want)
		}
	}
}
