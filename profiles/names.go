package profiles

import (
	"errors"
	"fmt"
	"strings"
)

// ValidFileName reports whether name can be the name of a file on every
// system outputs are checked out on, Windows included; the error says why
// not, in words that fit after the name. It checks one path element, not
// a path: separators are refused.
//
// Windows refuses, or silently maps to a device, the names CON, PRN, AUX,
// NUL, COM1–COM9 and LPT1–LPT9 in any case, alone or before an extension
// (NUL.mobileconfig, con.tar.gz), and it drops a trailing dot or space, so
// "a." and "a" would be one file.
func ValidFileName(name string) error {
	switch {
	case name == "":
		return errors.New("is empty")
	case name == "." || name == "..":
		return errors.New("names a folder, not a file")
	case strings.ContainsAny(name, `/\`):
		return errors.New("holds a path separator")
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return errors.New("ends in a dot or space, which Windows drops from file names")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return errors.New("holds a control character")
		}
	}
	if dev := windowsDevice(name); dev != "" {
		return fmt.Errorf("is the Windows device name %s, which no Windows file may be named, with or without an extension", dev)
	}
	return nil
}

// windowsDevice returns the reserved device name that name stands for on
// Windows, or "". Windows reads only what comes before the first dot (or
// colon), and ignores spaces before it; the list is Go's own for
// filepath.IsLocal on Windows.
func windowsDevice(name string) string {
	base := name
	if i := strings.IndexAny(base, ".:"); i >= 0 {
		base = base[:i]
	}
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return base
	}
	if len(base) > 3 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return base
		}
	}
	return ""
}
