package roster

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
)

// maxCSVRow bounds one CSV row, the header included: encoding/csv keeps a
// whole row in memory, several times over.
const maxCSVRow = 4 << 20

var errCSVRowTooLong = errors.New("a row is over 4 MiB")

type csvRows struct {
	r      *csv.Reader
	budget *csvBudget
	cols   []string
	line   int // of the last row read
}

// csvBudget refuses to read more than maxCSVRow bytes past the end of the
// last row the CSV reader returned.
type csvBudget struct {
	r    io.Reader
	n    int64
	mark int64 // where the next row starts
}

func (b *csvBudget) Read(p []byte) (int, error) {
	if b.n-b.mark > maxCSVRow {
		return 0, errCSVRowTooLong
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func newCSVRows(r io.Reader) (*csvRows, error) {
	budget := &csvBudget{r: r}
	cr := csv.NewReader(budget)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the roster is empty; its first line names the columns (email, upn, name, …)")
	}
	if errors.Is(err, errCSVRowTooLong) {
		return nil, errors.New("line 1: the header is over 4 MiB")
	}
	if err != nil {
		return nil, err
	}
	budget.mark = cr.InputOffset() // where the first user starts
	c := &csvRows{r: cr, budget: budget, cols: make([]string, 0, len(head)), line: 1}
	// A map, not a search of the columns so far: a header may have
	// 100,000 columns.
	seen := make(map[string]bool, len(head))
	var twice []string
	for _, h := range head {
		col := column(h)
		if seen[col] {
			twice = append(twice, col)
		}
		seen[col] = true
		c.cols = append(c.cols, col)
	}
	if len(twice) > 0 {
		slices.Sort(twice)
		twice = slices.Compact(twice)
		if len(twice) == 1 {
			return nil, fmt.Errorf("line 1: column %s appears twice", twice[0])
		}
		return nil, fmt.Errorf("line 1: columns %s appear twice", listSome(twice, 10))
	}
	return c, nil
}

func (c *csvRows) columns() []string { return c.cols }

func (c *csvRows) next() (Row, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// encoding/csv cannot resynchronise after a quoting error.
			return Row{Line: pe.StartLine}, &SyntaxError{fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)}
		}
		if errors.Is(err, errCSVRowTooLong) {
			// The row starts on a later line than the last one read;
			// blank lines between them are not counted.
			return Row{Line: c.line + 1}, &SyntaxError{fmt.Errorf("line %d: %v", c.line+1, err)}
		}
		return Row{}, err
	}
	c.budget.mark = c.r.InputOffset()
	line, _ := c.r.FieldPos(0)
	c.line = line
	if len(rec) != len(c.cols) {
		return Row{Line: line}, fmt.Errorf("line %d: %d fields, but the header names %d columns", line, len(rec), len(c.cols))
	}
	row := Row{Line: line, Values: make(map[string]string, len(rec))}
	for i, v := range rec {
		row.Values[c.cols[i]] = v
	}
	return row, nil
}
