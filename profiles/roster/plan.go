package roster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

// keyColumns are the roster columns a user's file name may come from, in
// order of preference: the first the roster has is used for every row.
var keyColumns = []string{"upn", "email", "id", "shortname", "name"}

// A Plan is what checking a roster found: the column users' files are
// named by, and the good rows, which are the rows written. The roster is
// read only once, so a file or FIFO that changes while a build runs cannot
// have rows written that were not checked.
type Plan struct {
	name      string
	tmpl      *profiles.Template
	keyColumn string
	good      int
	rows      rowStore
}

// KeyColumn is the column users' files are named by.
func (p *Plan) KeyColumn() string { return p.keyColumn }

// Users is the number of good rows: the users Write writes.
func (p *Plan) Users() int { return p.good }

// rowStore keeps the good rows' values a profile needs, and nothing else,
// packed into chunks of rowChunk bytes: about the size of those values in
// the roster (100,000 users of three short columns take 5 MB).
type rowStore struct {
	cols   []string // kept, in record order
	chunks [][]byte // records: line, then each column's length and bytes, as uvarints
}

const rowChunk = 1 << 20

func (s *rowStore) add(line int, values map[string]string) {
	size := binary.MaxVarintLen64
	for _, c := range s.cols {
		size += binary.MaxVarintLen64 + len(values[c])
	}
	if n := len(s.chunks); n == 0 || cap(s.chunks[n-1])-len(s.chunks[n-1]) < size {
		s.chunks = append(s.chunks, make([]byte, 0, max(rowChunk, size)))
	}
	b := s.chunks[len(s.chunks)-1]
	b = binary.AppendUvarint(b, uint64(line))
	for _, c := range s.cols {
		b = binary.AppendUvarint(b, uint64(len(values[c])))
		b = append(b, values[c]...)
	}
	s.chunks[len(s.chunks)-1] = b
}

// each calls f with every row, in roster order, and frees the chunks read.
func (s *rowStore) each(f func(Row)) {
	for i, b := range s.chunks {
		for len(b) > 0 {
			line, n := binary.Uvarint(b)
			b = b[n:]
			row := Row{Line: int(line), Values: make(map[string]string, len(s.cols))}
			for _, c := range s.cols {
				l, n := binary.Uvarint(b)
				row.Values[c] = string(b[n : n+int(l)])
				b = b[n+int(l):]
			}
			f(row)
		}
		s.chunks[i] = nil
	}
	s.chunks = nil
}

// Check reads every row of r once, against tmpl, and returns the plan of
// the good rows with a finding for each bad one, with its line: needed
// columns missing, empty or unsafe values, keys that name no file,
// duplicate users. An error means the roster could not be read to its end
// (a *SyntaxError among them) or has no users.
func Check(r *Reader, tmpl *profiles.Template) (*Plan, profiles.Diagnostics, error) {
	path := r.name
	var ds profiles.Diagnostics
	problem := func(line int, format string, args ...any) {
		ds = append(ds, profiles.Diagnostic{Severity: profiles.Error, Pos: profiles.Pos{File: path, Line: line}, Message: fmt.Sprintf(format, args...)})
	}
	plan := &Plan{name: path, tmpl: tmpl}
	chooseKey := func(cols []string) {
		for _, k := range keyColumns {
			for _, col := range cols {
				if col == k {
					plan.keyColumn = k
					return
				}
			}
		}
	}
	if cols := r.Columns(); cols != nil {
		for _, need := range tmpl.Variables() {
			if !slices.Contains(cols, need) {
				problem(1, "the roster has no %s column, which ${user.%s} needs (columns: %s)", need, need, listSome(cols, 20))
			}
		}
		chooseKey(cols)
		if len(ds) > 0 {
			return plan, ds, nil
		}
	}
	// Users are told apart by a 128-bit digest of their file name rather
	// than the name itself, which would double the memory the kept rows
	// take; two names share one with a chance of about 2⁻¹²⁸ per pair.
	first := map[[2]uint64]int{}
	seeds := [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	rows := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		rows++
		if plan.keyColumn == "" {
			chooseKey(r.Columns())
		}
		var syntax *SyntaxError
		switch {
		case errors.As(err, &syntax):
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		case err != nil && row.Line == 0:
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		case err != nil:
			problem(row.Line, "%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("line %d: ", row.Line)))
		case plan.keyColumn == "":
			problem(row.Line, "no column to name the user's file by; the roster needs one of %s", strings.Join(keyColumns, ", "))
		default:
			if err := tmpl.CheckValues(row.Values); err != nil {
				problem(row.Line, "%v", err)
				break
			}
			key := FileName(row.Values[plan.keyColumn])
			if key == "" {
				problem(row.Line, "%s %q cannot name the user's file", plan.keyColumn, row.Values[plan.keyColumn])
				break
			}
			sum := [2]uint64{maphash.String(seeds[0], key), maphash.String(seeds[1], key)}
			if line, dup := first[sum]; dup {
				problem(row.Line, "duplicate user %q (%s), first on line %d", row.Values[plan.keyColumn], plan.keyColumn, line)
				break
			}
			first[sum] = row.Line
			if plan.rows.cols == nil {
				plan.rows.cols = slices.Clone(tmpl.Variables())
				if !slices.Contains(plan.rows.cols, plan.keyColumn) {
					plan.rows.cols = append(plan.rows.cols, plan.keyColumn)
				}
			}
			plan.rows.add(row.Line, row.Values)
			plan.good++
		}
	}
	if rows == 0 {
		return nil, nil, fmt.Errorf("%s: the roster has no users", path)
	}
	return plan, ds, nil
}
