package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
)

// wideHeader is a CSV header of n distinct unknown columns, with email and
// upn each given twice at the end.
func wideHeader(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "c%d,", i)
	}
	b.WriteString("email,upn,Email,UPN\n")
	return b.String()
}

// The header check was quadratic in the number of columns: 100,000 columns
// took minutes. This one would not finish in the test timeout before the
// fix; it also reports every duplicate, not only the first.
func TestCSVHeaderWide(t *testing.T) {
	_, err := newCSVRows(strings.NewReader(wideHeader(100_000)))
	if err == nil || err.Error() != "line 1: columns email, upn appear twice" {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkCSVHeader(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		head := wideHeader(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(head)))
			for b.Loop() {
				newCSVRows(strings.NewReader(head))
			}
		})
	}
}

// Encoding a device name's first letter must not make it collide with a
// user whose key is that encoding, or the plain name.
func TestUserKeyReservedDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, v := range []string{"CON", "con", "%63on", "%2563on", "c%6fn", "con.", "con.x", "%63on.x", "com1", "com10", "aux"} {
		k := FileName(v)
		if profiles.ValidFileName(k+".mobileconfig") != nil || profiles.ValidFileName(k+".signed.mobileconfig") != nil {
			t.Errorf("FileName(%q) = %q, reserved on Windows", v, k)
		}
		if o, dup := seen[k]; dup && !strings.EqualFold(o, v) {
			t.Errorf("FileName(%q) = FileName(%q) = %q", v, o, k)
		}
		seen[k] = v
	}
}

// blankRoster is a JSON roster of two users separated, preceded and
// followed by n blank lines each.
func blankRoster(n int) []byte {
	blank := strings.Repeat("\n", n)
	return []byte("[" + blank + `{"email": "a@example.com"},` + blank + `{"email": "b@example.com"}` + blank + "]" + blank)
}

// readAll reads every row of a JSON roster and returns the bytes it
// allocated doing so.
func readJSONRosterAllocs(t testing.TB, data []byte) (rows int, allocated uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := newJSONRows(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
	}
	runtime.ReadMemStats(&after)
	return rows, after.TotalAlloc - before.TotalAlloc
}

// Blank lines cost no memory: a 50 MB roster of them took 1.5 GB, as every
// newline's offset was kept until the next user was read. What is
// allocated must not grow with them: 4 MB of blank lines allocate about
// what 4 KB do.
func TestJSONRosterBlankLinesBounded(t *testing.T) {
	_, small := readJSONRosterAllocs(t, blankRoster(1<<10))
	rows, big := readJSONRosterAllocs(t, blankRoster(4<<20))
	if rows != 2 {
		t.Fatalf("rows = %d, want 2", rows)
	}
	if big > small+64<<10 {
		t.Errorf("4 MB of blank lines allocated %d bytes, 4 KB %d", big, small)
	}
}

// The line of each user, and of a syntax error, is still exact after
// many blank lines, which are not kept.
func TestJSONRosterLinesAfterBlanks(t *testing.T) {
	r, err := newJSONRows(bytes.NewReader(blankRoster(100_000)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{100_001, 200_001} {
		row, err := r.next()
		if err != nil || row.Line != want {
			t.Fatalf("row at line %d (%v), want %d", row.Line, err, want)
		}
	}
}

func BenchmarkJSONRosterBlankLines(b *testing.B) {
	data := blankRoster(8 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		readJSONRosterAllocs(b, data)
	}
}

// Each kind of bad JSON stops at its own line; a user too big to keep, or
// not an object, is one bad row and reading goes on.
func TestJSONRosterErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // one per Next, "" for a good row
	}{
		{"[\n{\"email\": \"a\"},\n{bad}]", []string{"", "syntax: line 3: invalid character 'b' looking for beginning of object key string"}},
		{"[\n{\"email\": \"a\"}\n{\"email\": \"b\"}]", []string{"", "syntax: line 3: invalid character '{' after a user; want , or ]"}},
		{"[\n{\"email\": \"a\"},\n]", []string{"", "syntax: line 3: invalid character ']' after the last user's comma"}},
		{"[\n{\"email\": \"a\"},\n{\"email\":\n", []string{"", "syntax: line 3: the roster ends inside the user starting on line 3"}},
		{"[\n{\"email\": \"a\"}\n\n", []string{"", "syntax: line 2: the array of users is not closed with ]"}},
		{"[{\"email\": \"a\"}]\n[]", []string{"", "syntax: line 2: text after the array of users"}},
		{"[{\"email\": \"a\",\n\"upn\": \"b\"]}]", []string{"syntax: line 2: invalid character ']' after object key:value pair"}},
		{"[\"a\", 12, [1], {\"email\": \"a\\\"}\"}]", []string{"line 1: want an object of text values such as {\"email\": …}", "line 1: want an object of text values such as {\"email\": …}", "line 1: want an object of text values such as {\"email\": …}", ""}},
		{"[{\"email\":" + strings.Repeat(" \n", maxJSONUser) + "\"a\"},\n{\"email\": \"b\"}]", []string{"line 1: the user's object is over 1048576 bytes", ""}},
		{"\ufeff[{\"email\": 7}]", []string{""}},
	} {
		r, err := newJSONRows(strings.NewReader(c.in))
		if err != nil {
			t.Errorf("%.40q: %v", c.in, err)
			continue
		}
		var got []string
		for {
			_, err := r.next()
			if err == io.EOF {
				break
			}
			var syntax *SyntaxError
			switch {
			case errors.As(err, &syntax):
				got = append(got, "syntax: "+err.Error())
			case err != nil:
				got = append(got, err.Error())
			default:
				got = append(got, "")
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%.40q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// A roster is read once: one that changes between two reads (a FIFO, a
// file being rewritten) could otherwise have rows written that were never
// checked. Here the file is rewritten after the check, with an unchecked
// user.
func TestRosterReadOnce(t *testing.T) {
	dir := t.TempDir()
	p, ds := profiles.Decode("contacts.yaml", []byte(`version: 1
profile: {name: contacts, identifier: com.example.contacts, min_ios: "13.0"}
exchange:
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.email}
  auth: oauth
  sync: [contacts]
  users_can_change_sync: false
`))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	tmpl, err := p.Template()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "users.csv")
	os.WriteFile(path, []byte("email\nada@example.com\n"), 0o644)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	plan, ds, err := Check(r, tmpl)
	r.Close()
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	os.WriteFile(path, []byte("email\nmallory.example.com\n"), 0o644)
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o777)
	if _, err := plan.Write(out, Options{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"ada@example.com.mobileconfig"}; !slices.Equal(names, want) {
		t.Errorf("wrote %q, want %q", names, want)
	}
}

// The kept rows come back in order, with their lines and only the kept
// columns, also across chunks and for a row bigger than a chunk.
func TestRowStore(t *testing.T) {
	s := rowStore{cols: []string{"email", "upn"}}
	big := strings.Repeat("x", rowChunk+10)
	var want []Row
	for i := range 50_000 {
		v := map[string]string{"email": fmt.Sprintf("u%d@example.com", i), "upn": fmt.Sprint(i), "name": "dropped"}
		if i == 7 {
			v["upn"] = big
		}
		s.add(i+2, v)
		delete(v, "name")
		want = append(want, Row{Line: i + 2, Values: v})
	}
	if len(s.chunks) > 4 {
		t.Errorf("%d chunks for %d rows", len(s.chunks), len(want))
	}
	var got []Row
	s.each(func(r Row) { got = append(got, r) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows differ after the store")
	}
}

// BenchmarkCheckRoster reads and checks 100,000 users once, as a build
// does, and reports the bytes kept per user for rendering.
func BenchmarkCheckRoster(b *testing.B) {
	dir := b.TempDir()
	var csv strings.Builder
	csv.WriteString("email,upn,name\n")
	for i := range 100_000 {
		fmt.Fprintf(&csv, "user%d@example.com,user%d@example.com,User %d\n", i, i, i)
	}
	path := filepath.Join(dir, "users.csv")
	os.WriteFile(path, []byte(csv.String()), 0o644)
	p, ds := profiles.Decode("p.yaml", []byte("version: 1\nprofile: {name: c, identifier: com.example.c, min_ios: \"13.0\"}\nexchange:\n  host: outlook.office365.com\n  email: ${user.email}\n  username: ${user.upn}\n  auth: oauth\n"))
	if ds.Errors() > 0 {
		b.Fatal(ds)
	}
	tmpl, err := p.Template()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(csv.Len()))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		plan, ds, err := Check(r, tmpl)
		r.Close()
		if err != nil || len(ds) > 0 || plan.good != 100_000 {
			b.Fatal(err, ds)
		}
		kept := 0
		for _, c := range plan.rows.chunks {
			kept += len(c)
		}
		b.ReportMetric(float64(kept)/100_000, "kept-B/user")
	}
}

// csvAllocs reads every row of a CSV roster, returning the last error and
// the bytes allocated.
func csvAllocs(in string) (err error, allocated uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := newCSVRows(strings.NewReader(in))
	for err == nil {
		_, err = r.next()
	}
	runtime.ReadMemStats(&after)
	return err, after.TotalAlloc - before.TotalAlloc
}

// encoding/csv keeps a whole row in memory, several times over: a row of
// 20 MB allocated 160 MB. A row (or header) over maxCSVRow stops the read,
// after work that does not grow with the row.
func TestCSVRowBounded(t *testing.T) {
	rows := []func(n int) string{
		func(n int) string { return strings.Repeat("a", n) },                 // one line
		func(n int) string { return `"` + strings.Repeat("a\n", n/2) + `"` }, // many, in quotes
	}
	for _, row := range rows {
		errSmall, small := csvAllocs("email\n" + row(8<<20) + "\n")
		errBig, big := csvAllocs("email\n" + row(32<<20) + "\n")
		for _, err := range []error{errSmall, errBig} {
			var syntax *SyntaxError
			if !errors.As(err, &syntax) || err.Error() != "line 2: a row is over 4 MiB" {
				t.Errorf("err = %v", err)
			}
		}
		if big > small+small/2 {
			t.Errorf("a 32 MB row allocated %d bytes, an 8 MB one %d", big, small)
		}
	}
	head := "email" + strings.Repeat(",x", 3<<20) + "\n"
	if err, _ := csvAllocs(head); err == nil || err.Error() != "line 1: the header is over 4 MiB" {
		t.Errorf("err = %v", err)
	}
}
