package profiles

import "strings"

// ReservedFileName reports whether Windows refuses name (one path element)
// as a file name, or silently opens something else in its place: a device
// name (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9, also COM¹–COM³ and
// LPT¹–LPT³, CONIN$ and CONOUT$) in any case, alone or with an extension and
// with trailing spaces ("con.txt", "NUL .json"), or a name ending in a dot or
// a space, which Windows trims so that it names another file. The rule is
// Go's own for filepath.IsLocal on Windows, plus the trailing dot and space;
// outputs follow it on every system, so a tree built on Linux can be checked
// out on Windows.
func ReservedFileName(name string) bool {
	if name == "" {
		return false
	}
	if last := name[len(name)-1]; last == '.' || last == ' ' {
		return true
	}
	base := name
	if i := strings.IndexAny(base, ".:"); i >= 0 {
		base = base[:i]
	}
	base = strings.TrimRight(base, " ")
	switch strings.ToUpper(base) {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) < 4 {
		return false
	}
	switch strings.ToUpper(base[:3]) {
	case "COM", "LPT":
		switch base[3:] {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}
