package roster

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

// FileName is the name, without its extension, of the profile written for
// the user whose key value is v, or "" if v can name no file. It is lower
// case, with every byte outside [a-z0-9._@+-] percent-encoded, so distinct
// users never share a name (josé and josè stay apart). A very long key keeps a digest of the
// whole so it stays distinct too. Windows device names (CON, aux.x, COM1)
// get their first letter encoded too.
func FileName(v string) string {
	var b strings.Builder
	for _, c := range []byte(strings.ToLower(strings.TrimSpace(v))) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', strings.IndexByte("._@+-", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	k := b.String()
	if strings.Trim(k, ".") == "" {
		return ""
	}
	if strings.HasPrefix(k, ".") {
		k = "%2e" + k[1:] // a leading dot would hide the file
	}
	if len(k) > 200 {
		sum := sha256.Sum256([]byte(k))
		k = k[:180] + "-" + hex.EncodeToString(sum[:8])
	}
	if profiles.ValidFileName(k+".mobileconfig") != nil {
		// CON, aux, com1.x: Windows opens a device instead. Encoding the
		// first letter as well keeps names distinct, since every % in a
		// name starts an escape.
		k = fmt.Sprintf("%%%02x", k[0]) + k[1:]
	}
	return k
}
