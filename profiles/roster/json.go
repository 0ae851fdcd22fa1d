package roster

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxJSONUser bounds one user's object in a JSON roster, so a huge one
// (whitespace, or values no profile needs) is a bad row, not memory.
const maxJSONUser = 1 << 20

// jsonRows streams an array of objects whose values are strings (or
// numbers, written as text). It finds each object's bytes itself, counting
// lines as it goes, and decodes them one at a time: whitespace between
// users is skipped as it is read, never kept, and no offsets are stored.
type jsonRows struct {
	r     *bufio.Reader
	line  int // of the next byte
	last  int // of the last byte that was not whitespace
	first bool
	done  bool
	buf   []byte
	cols  []string
	seen  map[string]bool
}

func newJSONRows(r io.Reader) (*jsonRows, error) {
	j := &jsonRows{r: bufio.NewReaderSize(r, 64<<10), line: 1, last: 1, first: true, seen: map[string]bool{}}
	if bom, _ := j.r.Peek(3); string(bom) == "\ufeff" {
		j.r.Discard(3) // as Notepad writes UTF-8
	}
	b, err := j.skipSpace()
	if err == io.EOF {
		return nil, errors.New("the roster is empty; want a JSON array of users such as [{\"email\": …, \"upn\": …}]")
	}
	if err != nil {
		return nil, err
	}
	if b != '[' {
		return nil, errors.New("want a JSON array of users such as [{\"email\": …, \"upn\": …}]")
	}
	j.r.ReadByte()
	return j, nil
}

func (j *jsonRows) columns() []string { return j.cols }

// skipSpace returns the next byte that is not JSON whitespace, without
// consuming it.
func (j *jsonRows) skipSpace() (byte, error) {
	for {
		b, err := j.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case '\n':
			j.line++
		case ' ', '\t', '\r':
		default:
			j.r.UnreadByte()
			j.last = j.line
			return b, nil
		}
	}
}

func (j *jsonRows) syntax(line int, format string, args ...any) (Row, error) {
	j.done = true
	return Row{Line: line}, &SyntaxError{fmt.Errorf("line %d: "+format, append([]any{line}, args...)...)}
}

func (j *jsonRows) next() (Row, error) {
	if j.done {
		return Row{}, io.EOF
	}
	b, err := j.skipSpace()
	if err == nil && !j.first && b == ',' {
		j.r.ReadByte()
		if b, err = j.skipSpace(); err == nil && b == ']' {
			return j.syntax(j.line, "invalid character ']' after the last user's comma")
		}
	} else if err == nil && b == ']' {
		// The array must close, and nothing may follow it.
		j.r.ReadByte()
		j.done = true
		if _, err := j.skipSpace(); err == nil {
			return j.syntax(j.line, "text after the array of users")
		} else if err != io.EOF {
			return Row{}, err
		}
		return Row{}, io.EOF
	} else if err == nil && !j.first {
		return j.syntax(j.line, "invalid character %q after a user; want , or ]", b)
	}
	switch {
	case err == io.EOF:
		return j.syntax(j.last, "the array of users is not closed with ]")
	case err != nil:
		return Row{}, err
	case b == ',' || b == ']' || b == '}' || b == ':':
		return j.syntax(j.line, "invalid character %q looking for a user", b)
	}
	j.first = false
	line := j.line
	tooLong, err := j.readValue()
	if err == io.EOF {
		return j.syntax(j.last, "the roster ends inside the user starting on line %d", line)
	}
	if err != nil {
		return Row{}, err
	}
	row := Row{Line: line}
	if tooLong {
		return row, fmt.Errorf("line %d: the user's object is over %d bytes", line, maxJSONUser)
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(j.buf))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			// The bytes hold their newlines, so the error's line is exact.
			off := len(j.buf)
			if se != nil {
				off = min(int(se.Offset), off)
			}
			return j.syntax(line+bytes.Count(j.buf[:off], []byte("\n")), "%v", err)
		}
		return row, fmt.Errorf("line %d: want an object of text values such as {\"email\": …}", line)
	}
	row.Values = make(map[string]string, len(obj))
	for k, v := range obj {
		col := column(k)
		if _, dup := row.Values[col]; dup {
			return row, fmt.Errorf("line %d: %s given twice", line, col) // "email" and "user.email"
		}
		switch x := v.(type) {
		case string:
			row.Values[col] = x
		case json.Number:
			row.Values[col] = x.String()
		default:
			return row, fmt.Errorf("line %d: %s is not text", line, k)
		}
		if !j.seen[col] {
			j.seen[col] = true
			j.cols = append(j.cols, col)
		}
	}
	return row, nil
}

// readValue reads one JSON value into j.buf, up to maxJSONUser bytes
// (reporting whether it was longer), finding its end by brackets and
// strings alone; its syntax is checked afterwards, by the json package.
// Nesting is counted, never recursed into.
func (j *jsonRows) readValue() (tooLong bool, err error) {
	j.buf = j.buf[:0]
	depth, inString, escaped := 0, false, false
	for {
		b, err := j.r.ReadByte()
		if err != nil {
			if err == io.EOF && depth == 0 && !inString && len(j.buf) > 0 {
				return tooLong, nil // a bare number or word just before the end
			}
			return tooLong, err
		}
		if !inString && depth == 0 && len(j.buf) > 0 && j.buf[0] != '"' && strings.IndexByte(",]} \t\r\n", b) >= 0 {
			j.r.UnreadByte() // the end of a bare number or word
			return tooLong, nil
		}
		if len(j.buf) < maxJSONUser {
			j.buf = append(j.buf, b)
		} else {
			tooLong = true
		}
		switch {
		case b == '\n':
			j.line++
			continue
		case b == ' ' || b == '\t' || b == '\r':
			continue
		}
		j.last = j.line
		switch {
		case escaped:
			escaped = false
		case inString:
			switch b {
			case '\\':
				escaped = true
			case '"':
				inString = false
				if depth == 0 {
					return tooLong, nil
				}
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
		case b == '}' || b == ']':
			depth--
			if depth <= 0 {
				return tooLong, nil
			}
		}
	}
}
