package propertylist

import (
	"bytes"
	"fmt"
)

// MaxDepth is how deeply the dictionaries and arrays of a property
// list a user gives mdmforge may nest. Profiles nest a handful of levels;
// the property list decoder recurses once per level, so a file of a
// million nested arrays would otherwise exhaust the stack and kill the
// process instead of being refused.
const MaxDepth = 128

// errTooDeep is the one message for every format, so users learn the
// limit whatever their file's format.
var errTooDeep = fmt.Errorf("the property list nests more than %d levels deep", MaxDepth)

// CheckDepth refuses a property list that nests dictionaries and
// arrays more than MaxDepth levels deep, or, in binary form, whose
// objects refer to themselves or are shared so often that decoding would
// expand them into far more values than the file holds. It reads the data
// without recursion and without decoding values, so it is safe on any
// input; call it before handing data a user supplied to plist.Unmarshal.
//
// It follows the decoder's own choice of format (binary when the data
// starts with "bplist", XML when its first element is a property list
// element, old-style text otherwise). Malformed input it cannot measure
// is left to the decoder to refuse, except binary structure errors, which
// are reported here because the decoder may crash on some of them.
func CheckDepth(data []byte) error {
	switch {
	case bytes.HasPrefix(data, []byte("bplist")):
		return checkBinaryPlist(data)
	case decodesAsXMLPlist(data):
		if xmlPlistDepth(data, MaxDepth) > MaxDepth {
			return errTooDeep
		}
		return nil
	}
	if textPlistDepth(data, MaxDepth) > MaxDepth {
		return errTooDeep
	}
	return nil
}
