package propertylist

import (
	"encoding/binary"
	"fmt"
	"math"
)

// binaryPlistBudget is how many bytes a binary property list of size bytes
// may decode into, its text and data plus plistValueOverhead per value: 16
// times its size, at least 1 MiB and at most 64 MiB. Writers share each
// repeated string or number once, so real profiles expand a few times;
// each array referring many times to the one before (a DAG) would
// otherwise decode, print and convert into gigabytes from a few kilobytes.
// 64 MiB is far above any profile a device accepts.
func binaryPlistBudget(size int) uint64 {
	return uint64(min(max(16*int64(size), 1<<20), 64<<20))
}

const binaryPlistBudgetWords = "16 times the file's size, at least 1 MiB, at most 64 MiB"

// plistValueOverhead is what each decoded value counts besides its text or
// data: about the markup it prints to in XML, so that empty values are not
// free either.
const plistValueOverhead = 16

// checkBinaryPlist walks the object graph of a binary property list
// (bplist00) from its top object, iteratively, and refuses references that
// lead outside the file, loops, nesting deeper than MaxDepth and
// shared objects that decoding would copy into more bytes than
// binaryPlistBudget allows (a few hundred bytes of arrays each referring
// twice to the next would otherwise decode into 2^128 values). Each
// object's totals are remembered, so the walk is linear in the references.
func checkBinaryPlist(data []byte) error {
	if len(data) < 40 {
		return nil // too short for a trailer: the decoder says so
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("not a valid binary property list: "+format, args...)
	}
	trailer := data[len(data)-32:]
	offSize, refSize := int(trailer[6]), uint64(trailer[7])
	numObjects := binary.BigEndian.Uint64(trailer[8:])
	top := binary.BigEndian.Uint64(trailer[16:])
	table := binary.BigEndian.Uint64(trailer[24:])
	trailerAt := uint64(len(data) - 32)
	switch {
	case offSize < 1 || offSize > 8 || refSize < 1 || refSize > 8:
		return bad("offsets of %d bytes and references of %d bytes", offSize, refSize)
	case table < 8 || table >= trailerAt:
		return bad("the offset table is outside the file")
	case numObjects > (trailerAt-table)/uint64(offSize):
		return bad("the offset table is too short for %d objects", numObjects)
	case top >= numObjects:
		return bad("the top object %d does not exist", top)
	}
	// uintAt reads an n-byte big-endian number, if the file holds it.
	uintAt := func(at uint64, n int) (uint64, bool) {
		if at > uint64(len(data)) || uint64(len(data))-at < uint64(n) {
			return 0, false
		}
		var v uint64
		for _, b := range data[at : at+uint64(n)] {
			v = v<<8 | uint64(b)
		}
		return v, true
	}
	// object finds object id and, for an array or dictionary, the span of
	// its references (a dictionary's keys, then its values); container is
	// false for other objects, whose size is what decoding makes of them.
	type span struct{ next, end uint64 }
	object := func(id uint64) (refs span, container bool, size uint64, err error) {
		if id >= numObjects {
			return span{}, false, 0, bad("a reference to object %d, of %d", id, numObjects)
		}
		off, _ := uintAt(table+id*uint64(offSize), offSize)
		if off >= table {
			return span{}, false, 0, bad("object %d starts beyond the object table", id)
		}
		tag := data[off]
		switch tag & 0xF0 {
		case 0x40, 0x50, 0x60, 0xA0, 0xD0: // data, text, arrays, dictionaries
		case 0x10, 0x20, 0x30, 0x80: // numbers, dates, UIDs
			return span{}, false, 8, nil
		default:
			return span{}, false, 1, nil
		}
		count, start := uint64(tag&0x0F), off+1
		if count == 0x0F {
			// The length follows as an integer object of 2^n bytes, of
			// which the decoder keeps the low 64 bits.
			sizeTag, _ := uintAt(off+1, 1)
			n := uint64(1) << (sizeTag & 0x0F)
			at, width := off+2, int(n)
			if n == 16 {
				at, width = at+8, 8
			}
			v, ok := uintAt(at, width)
			if n > 8 && n != 16 || !ok {
				return span{}, false, 0, bad("object %d has an invalid length", id)
			}
			count, start = v, off+2+n
		}
		switch tag & 0xF0 {
		case 0x40, 0x50:
			return span{}, false, count, nil
		case 0x60:
			// UTF-16 units, up to three bytes each once decoded to UTF-8;
			// saturated, since count is the file's word.
			return span{}, false, min(count, math.MaxUint64/3) * 3, nil
		case 0xD0:
			if count > math.MaxUint64/2 {
				return span{}, false, 0, bad("object %d is too long", id)
			}
			count *= 2
		}
		if start > table || count > (table-start)/refSize {
			return span{}, false, 0, bad("object %d runs past the object table", id)
		}
		return span{start, start + count*refSize}, true, 0, nil
	}

	refs, container, _, err := object(top)
	if err != nil || !container {
		return err
	}
	// A walked container's levels (1 + the deepest container inside it)
	// and how many bytes decoding it makes, shared objects counted once
	// per reference. onStack marks those whose children are being walked.
	const onStack = 0
	type done struct {
		levels int
		bytes  uint64
	}
	walked := map[uint64]done{top: {levels: onStack}}
	budget := binaryPlistBudget(len(data))
	tooMany := bad("shared objects expand into more than %d bytes (%s)", budget, binaryPlistBudgetWords)
	type frame struct {
		id     uint64
		refs   span // references still to walk
		deeper int  // levels of the deepest container inside so far
		bytes  uint64
	}
	stack := []frame{{id: top, refs: refs, bytes: plistValueOverhead}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.refs.next == f.refs.end {
			// All children walked: record the container and hand its
			// totals to its parent.
			d := done{levels: f.deeper + 1, bytes: f.bytes}
			walked[f.id] = d
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				p := &stack[len(stack)-1]
				p.deeper = max(p.deeper, d.levels)
				if p.bytes += d.bytes; p.bytes > budget {
					return tooMany
				}
			}
			continue
		}
		child, _ := uintAt(f.refs.next, int(refSize))
		f.refs.next += refSize
		refs, container, size, err := object(child)
		if err != nil {
			return err
		}
		d, seen := walked[child]
		switch {
		case !container:
			// Saturating: a leaf's size is the file's word, up to 2^64.
			f.bytes += min(size, budget) + plistValueOverhead
		case seen && d.levels == onStack:
			return bad("object %d contains itself", child)
		case seen:
			// Walked before through another reference: the decoder copies
			// it again here, at this depth.
			if len(stack)+d.levels > MaxDepth {
				return errTooDeep
			}
			f.deeper = max(f.deeper, d.levels)
			f.bytes += d.bytes
		default:
			if len(stack) >= MaxDepth {
				return errTooDeep
			}
			walked[child] = done{levels: onStack}
			stack = append(stack, frame{id: child, refs: refs, bytes: plistValueOverhead})
			continue
		}
		if f.bytes > budget {
			return tooMany
		}
	}
	return nil
}
