package roster

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A Row is one user: the line it starts on, and its values by column,
// column names normalized ("User.Email" is email).
type Row struct {
	Line   int
	Values map[string]string
}

// A SyntaxError is an error after which the rest of the roster cannot be
// read; a bad row that can be skipped is any other error.
type SyntaxError struct{ err error }

func (e *SyntaxError) Error() string { return e.err.Error() }

// rows is a roster format's reader; next returns io.EOF at the end.
type rows interface {
	columns() []string
	next() (Row, error)
}

// A Reader streams a roster's rows. Memory is bounded whatever the input:
// one row at a time, of at most 4 MiB for CSV and 1 MiB for a JSON user.
type Reader struct {
	rows   rows
	name   string
	closer io.Closer
}

// Open opens the roster file path, a .csv or .json file, and reads its
// header (CSV) or its opening bracket (JSON).
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, unwrapPath(err))
	}
	if info, err := f.Stat(); err == nil && info.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a folder, not a roster", path)
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads a roster from r. The extension of name, .csv or .json,
// says which format it is; messages and positions name it.
func NewReader(r io.Reader, name string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var rs rows
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		rs, err = newCSVRows(br)
	case ".json":
		rs, err = newJSONRows(br)
	default:
		err = errors.New("a roster is a .csv or .json file")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Reader{rows: rs, name: name}, nil
}

// Columns lists the roster's columns, normalized: for CSV those of its
// header, for JSON those of the users read so far.
func (r *Reader) Columns() []string { return r.rows.columns() }

// Next returns the next user, or io.EOF after the last. A bad row's error
// names its line; the Row has its Line too, and reading may go on unless
// the error is a *SyntaxError.
func (r *Reader) Next() (Row, error) { return r.rows.next() }

// Close closes the file Open opened; it does nothing for NewReader.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// column normalizes a header name: "Email", " user.email " → "email".
func column(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.TrimPrefix(s, "user.")
}

// listSome joins the first max words and counts the rest, so a message
// about a huge header stays short.
func listSome(words []string, max int) string {
	if len(words) <= max {
		return strings.Join(words, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(words[:max], ", "), len(words)-max)
}

// unwrapPath drops the operation and path an error repeats: messages name
// the path themselves.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
