package profiles

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkEncoding rejects what YAML parsers report badly or not at all: text
// that is not UTF-8, and UTF-16 files saved by Windows editors.
func (d *decoder) checkEncoding(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		d.errorf("", Pos{File: d.file}, "file is UTF-16; save it as UTF-8")
		return false
	}
	if utf8.Valid(data) {
		if i := bytes.IndexByte(data, 0); i >= 0 {
			line, col := lineCol(data, i)
			d.errorf("", Pos{File: d.file, Line: line, Column: col}, "file holds a NUL byte; a policy is UTF-8 text")
			return false
		}
		return true
	}
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	line, col := lineCol(data, i)
	d.errorf("", Pos{File: d.file, Line: line, Column: col}, "file is not UTF-8 text (byte 0x%02x); save it as UTF-8", data[i])
	return false
}

func lineCol(data []byte, off int) (int, int) {
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML parser error into one positioned finding. The
// parser names the line where it gave up, often not the one with the
// mistake, in its own terms and without a column, so the source is read for
// the mistake first (findSyntaxProblem); the parser's words are the
// fallback.
func (d *decoder) syntaxError(data []byte, err error) {
	if p, ok := findSyntaxProblem(data); ok {
		d.errorf(p.path, Pos{File: d.file, Line: p.line, Column: p.col}, "%s", p.msg)
		return
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errorf("", Pos{File: d.file, Line: line}, "invalid YAML: %s", m[2])
		return
	}
	d.errorf("", Pos{File: d.file}, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}
