package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
)

// keyColumns are the roster columns a user's file name may come from, in
// order of preference: the first the roster has is used for every row.
var keyColumns = []string{"upn", "email", "id", "shortname", "name"}

// rosterRow is one user: its ordinal (0 for the first row), the line it
// starts on, and its values by column.
type rosterRow struct {
	index  int
	line   int
	values map[string]string
}

// errRosterSyntax marks an error after which the rest of the roster cannot
// be read: the whole build stops, --keep-going or not.
type errRosterSyntax struct{ err error }

func (e *errRosterSyntax) Error() string { return e.err.Error() }

// rosterReader streams a roster's rows; Next returns io.EOF at the end.
type rosterReader interface {
	Columns() []string // known before the first row for CSV, after it for JSON
	Next() (rosterRow, error)
}

// openRosterFile opens a roster; a test replaces it with one whose content
// changes from one open to the next.
var openRosterFile = os.Open

func openRoster(path string) (rosterReader, io.Closer, error) {
	f, err := openRosterFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, unwrapPath(err))
	}
	if info, err := f.Stat(); err == nil && info.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is a folder, not a roster", path)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var r rosterReader
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		r, err = newCSVRoster(br)
	case ".json":
		r, err = newJSONRoster(br)
	default:
		err = errors.New("a roster is a .csv or .json file")
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, f, nil
}

// column normalizes a header name: "Email", " user.email " → "email".
func column(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.TrimPrefix(s, "user.")
}

// maxCSVRow bounds one CSV row, the header included: encoding/csv keeps a
// whole row in memory, several times over.
const maxCSVRow = 4 << 20

var errCSVRowTooLong = errors.New("a row is over 4 MiB")

type csvRoster struct {
	r      *csv.Reader
	budget *csvBudget
	cols   []string
	n      int
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

func newCSVRoster(r io.Reader) (*csvRoster, error) {
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
	c := &csvRoster{r: cr, budget: budget, cols: make([]string, 0, len(head)), line: 1}
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

// listSome joins the first max words and counts the rest, so a message
// about a huge header stays short.
func listSome(words []string, max int) string {
	if len(words) <= max {
		return strings.Join(words, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(words[:max], ", "), len(words)-max)
}

func (c *csvRoster) Columns() []string { return c.cols }

func (c *csvRoster) Next() (rosterRow, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// encoding/csv cannot resynchronise after a quoting error.
			return rosterRow{line: pe.StartLine}, &errRosterSyntax{fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)}
		}
		if errors.Is(err, errCSVRowTooLong) {
			// The row starts on a later line than the last one read;
			// blank lines between them are not counted.
			return rosterRow{line: c.line + 1}, &errRosterSyntax{fmt.Errorf("line %d: %v", c.line+1, err)}
		}
		return rosterRow{}, err
	}
	c.n++
	c.budget.mark = c.r.InputOffset()
	line, _ := c.r.FieldPos(0)
	c.line = line
	if len(rec) != len(c.cols) {
		return rosterRow{index: c.n - 1, line: line}, fmt.Errorf("line %d: %d fields, but the header names %d columns", line, len(rec), len(c.cols))
	}
	row := rosterRow{index: c.n - 1, line: line, values: make(map[string]string, len(rec))}
	for i, v := range rec {
		row.values[c.cols[i]] = v
	}
	return row, nil
}

// maxJSONUser bounds one user's object in a JSON roster, so a huge one
// (whitespace, or values no profile needs) is a bad row, not memory.
const maxJSONUser = 1 << 20

// jsonRoster streams an array of objects whose values are strings (or
// numbers, written as text). It finds each object's bytes itself, counting
// lines as it goes, and decodes them one at a time: whitespace between
// users is skipped as it is read, never kept, and no offsets are stored.
type jsonRoster struct {
	r     *bufio.Reader
	line  int // of the next byte
	last  int // of the last byte that was not whitespace
	first bool
	done  bool
	buf   []byte
	cols  []string
	seen  map[string]bool
	n     int
}

func newJSONRoster(r io.Reader) (*jsonRoster, error) {
	j := &jsonRoster{r: bufio.NewReaderSize(r, 64<<10), line: 1, last: 1, first: true, seen: map[string]bool{}}
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

func (j *jsonRoster) Columns() []string { return j.cols }

// skipSpace returns the next byte that is not JSON whitespace, without
// consuming it.
func (j *jsonRoster) skipSpace() (byte, error) {
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

func (j *jsonRoster) syntax(line int, format string, args ...any) (rosterRow, error) {
	j.done = true
	return rosterRow{line: line}, &errRosterSyntax{fmt.Errorf("line %d: "+format, append([]any{line}, args...)...)}
}

func (j *jsonRoster) Next() (rosterRow, error) {
	if j.done {
		return rosterRow{}, io.EOF
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
			return rosterRow{}, err
		}
		return rosterRow{}, io.EOF
	} else if err == nil && !j.first {
		return j.syntax(j.line, "invalid character %q after a user; want , or ]", b)
	}
	switch {
	case err == io.EOF:
		return j.syntax(j.last, "the array of users is not closed with ]")
	case err != nil:
		return rosterRow{}, err
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
		return rosterRow{}, err
	}
	j.n++
	row := rosterRow{index: j.n - 1, line: line}
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
	row.values = make(map[string]string, len(obj))
	for k, v := range obj {
		col := column(k)
		if _, dup := row.values[col]; dup {
			return row, fmt.Errorf("line %d: %s given twice", line, col) // "email" and "user.email"
		}
		switch x := v.(type) {
		case string:
			row.values[col] = x
		case json.Number:
			row.values[col] = x.String()
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
func (j *jsonRoster) readValue() (tooLong bool, err error) {
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

// userKey makes a file name from a user's key value: lower case, with every
// byte outside [a-z0-9._@+-] percent-encoded, so distinct users never share
// a name (josé and josè stay apart). A very long key keeps a digest of the
// whole so it stays distinct too. Windows device names (CON, aux.x, COM1)
// get their first letter encoded too.
func userKey(v string) string {
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

// rosterPlan is what checking the roster found: the key column and the
// good rows, which are the rows written. The roster is read only once, so
// a file or FIFO that changes while a build runs cannot have rows written
// that were not checked.
type rosterPlan struct {
	keyColumn string
	good      int
	rows      rowStore
}

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
func (s *rowStore) each(f func(rosterRow)) {
	index := 0
	for i, b := range s.chunks {
		for len(b) > 0 {
			line, n := binary.Uvarint(b)
			b = b[n:]
			row := rosterRow{index: index, line: int(line), values: make(map[string]string, len(s.cols))}
			for _, c := range s.cols {
				l, n := binary.Uvarint(b)
				row.values[c] = string(b[n : n+int(l)])
				b = b[n+int(l):]
			}
			f(row)
			index++
		}
		s.chunks[i] = nil
	}
	s.chunks = nil
}

// checkRoster reads every row once, reporting each problem with its line:
// needed columns missing, empty values, unsafe or duplicate user keys.
func checkRoster(path string, tmpl *profiles.Template) (*rosterPlan, profiles.Diagnostics, error) {
	r, c, err := openRoster(path)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	var ds profiles.Diagnostics
	problem := func(line int, format string, args ...any) {
		ds = append(ds, profiles.Diagnostic{Severity: profiles.Error, Pos: profiles.Pos{File: path, Line: line}, Message: fmt.Sprintf(format, args...)})
	}
	plan := &rosterPlan{}
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
		var syntax *errRosterSyntax
		switch {
		case errors.As(err, &syntax):
			return nil, nil, &exitError{code: ExitFailure, err: fmt.Errorf("%s: %w", path, err), hints: []string{"nothing was written; fix the roster and build again"}}
		case err != nil && row.line == 0:
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		case err != nil:
			problem(row.line, "%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("line %d: ", row.line)))
		case plan.keyColumn == "":
			problem(row.line, "no column to name the user's file by; the roster needs one of %s", strings.Join(keyColumns, ", "))
		default:
			if err := tmpl.CheckValues(row.values); err != nil {
				problem(row.line, "%v", err)
				break
			}
			key := userKey(row.values[plan.keyColumn])
			if key == "" {
				problem(row.line, "%s %q cannot name the user's file", plan.keyColumn, row.values[plan.keyColumn])
				break
			}
			sum := [2]uint64{maphash.String(seeds[0], key), maphash.String(seeds[1], key)}
			if line, dup := first[sum]; dup {
				problem(row.line, "duplicate user %q (%s), first on line %d", row.values[plan.keyColumn], plan.keyColumn, line)
				break
			}
			first[sum] = row.line
			if plan.rows.cols == nil {
				plan.rows.cols = slices.Clone(tmpl.Variables())
				if !slices.Contains(plan.rows.cols, plan.keyColumn) {
					plan.rows.cols = append(plan.rows.cols, plan.keyColumn)
				}
			}
			plan.rows.add(row.line, row.values)
			plan.good++
		}
	}
	if rows == 0 {
		return nil, nil, fmt.Errorf("%s: the roster has no users", path)
	}
	return plan, ds, nil
}

// rosterBuild writes one profile per good row into DIR/NAME, rendering and
// signing on every core, from the rows checkRoster kept. The files go to a
// staging folder that replaces DIR/NAME only when every one is written.
func rosterBuild(opts *buildOptions, p *profiles.Policy, tmpl *profiles.Template, plan *rosterPlan, id *signing.Identity, at time.Time) (int, error) {
	out, err := openOut(opts.IO, opts.Out)
	if err != nil {
		return 0, err
	}
	defer out.close()
	if err := checkReplaceable(out, p.Profile.Name); err != nil {
		return 0, err
	}
	staging, err := out.stageFolder(p.Profile.Name)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(staging, rosterMarker), []byte("Written by mdmforge build --roster; the next roster build replaces this folder whole.\n"), 0o666); err != nil {
		return 0, fmt.Errorf("cannot write to %s: %v", opts.Out, unwrapPath(err))
	}
	perm := filePerm(tmpl.HoldsSecret())
	workers := runtime.GOMAXPROCS(0)
	rows := make(chan rosterRow, workers*4)
	var written atomic.Int64
	var firstErr error
	var once sync.Once
	fail := func(err error) { once.Do(func() { firstErr = err }) }
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for row := range rows {
				if failed.Load() {
					continue
				}
				if err := writeUser(staging, tmpl, row, plan.keyColumn, id, at, perm); err != nil {
					fail(fmt.Errorf("%s:%d: %w", opts.Roster, row.line, err))
					failed.Store(true)
					continue
				}
				written.Add(1)
			}
		}()
	}
	stop := opts.progress(p.Profile.Name, plan.good, &written)
	plan.rows.each(func(row rosterRow) { rows <- row })
	close(rows)
	wg.Wait()
	stop()
	if firstErr != nil {
		return 0, firstErr
	}
	if _, err := out.commit(); err != nil {
		return 0, err
	}
	return int(written.Load()), nil
}

func writeUser(dir string, tmpl *profiles.Template, row rosterRow, keyColumn string, id *signing.Identity, at time.Time, perm os.FileMode) error {
	data, err := tmpl.Render(row.values)
	if err != nil {
		return err
	}
	key := userKey(row.values[keyColumn])
	if err := os.WriteFile(filepath.Join(dir, key+".mobileconfig"), data, perm); err != nil {
		return fmt.Errorf("cannot write: %v", unwrapPath(err))
	}
	if id == nil {
		return nil
	}
	signed, err := id.Sign(data, at)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, key+".signed.mobileconfig"), signed, perm); err != nil {
		return fmt.Errorf("cannot write: %v", unwrapPath(err))
	}
	return nil
}

// rosterMarker marks a folder a roster build wrote, which the next one may
// replace whole; any other folder in its place is left alone.
const rosterMarker = ".mdmforge-roster"

func checkReplaceable(out *outDir, name string) error {
	final := filepath.Join(out.path, name)
	info, err := out.root.Lstat(name)
	if err != nil {
		return nil
	}
	if _, err := out.root.Lstat(filepath.Join(name, rosterMarker)); !info.IsDir() || err != nil {
		return withHint(fmt.Errorf("%s exists and is not the output of a roster build; it will not be replaced", final),
			"remove it, or build into another --out")
	}
	return nil
}

// progress shows a bar on a terminal, redrawn ten times a second; the
// returned function stops it. Elsewhere it shows nothing: the command ends
// with a one-line summary instead.
func (opts *buildOptions) progress(name string, total int, done *atomic.Int64) func() {
	if !opts.IO.ErrTerminal || total == 0 {
		return func() {}
	}
	start := time.Now()
	quit := make(chan struct{})
	finished := make(chan struct{})
	draw := func() {
		n := int(done.Load())
		const width = 30
		fill := width * n / total
		rate := float64(n) / max(time.Since(start).Seconds(), 1e-9)
		fmt.Fprintf(opts.IO.Err, "\r%s [%s%s] %d/%d profiles  %.0f/s ", name,
			strings.Repeat("=", fill), strings.Repeat(" ", width-fill), n, total, rate)
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				draw()
				fmt.Fprintln(opts.IO.Err)
				return
			case <-t.C:
				draw()
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// rosterRun builds one profile per roster user. Rows with problems are all
// reported with their lines; nothing is written unless --keep-going, which
// writes every good row and still fails the command.
func rosterRun(opts *buildOptions, p *profiles.Policy, id *signing.Identity, at time.Time) error {
	tmpl, err := p.Template()
	if err != nil {
		return err
	}
	start := time.Now()
	plan, ds, err := checkRoster(opts.Roster, tmpl)
	if err != nil {
		return err
	}
	for _, d := range ds {
		fmt.Fprintln(opts.IO.Err, d.String())
	}
	if len(ds) > 0 && (!opts.KeepGoing || plan.good == 0) {
		e := &exitError{code: ExitFailure, err: fmt.Errorf("%s in %s; nothing written", plural(len(ds), "bad row"), opts.Roster)}
		if plan.good > 0 {
			e.hints = []string{"--keep-going writes the good rows anyway"}
		}
		return e
	}
	n, err := rosterBuild(opts, p, tmpl, plan, id, at)
	if err != nil {
		return err
	}
	dir := filepath.Join(opts.Out, p.Profile.Name)
	elapsed := time.Since(start)
	fmt.Fprintln(opts.IO.Out, dir)
	fmt.Fprintf(opts.IO.Err, "mdmforge: built %s into %s in %.1fs (%.0f/s)\n", plural(n, "profile"), dir, elapsed.Seconds(), float64(n)/max(elapsed.Seconds(), 1e-9))
	if len(ds) > 0 {
		return &exitError{code: ExitFailure, err: fmt.Errorf("skipped %s of %s", plural(len(ds), "bad row"), opts.Roster)}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
