package outdir

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tree reads every file and folder under dir, dot-named ones included.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			got[filepath.ToSlash(rel)+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// publishOld and publishNew are two runs: the second changes a file, keeps
// one, adds one in a new folder, removes two and replaces a roster folder.
func publishOld(t *testing.T, out string) {
	t.Helper()
	d, err := Open(out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	files := []File{
		{Path: filepath.Join(out, "a.mobileconfig"), Data: []byte("old a")},
		{Path: filepath.Join(out, "b.mobileconfig"), Data: []byte("b")},
		{Path: filepath.Join(out, "sub", "c.json"), Data: []byte("old c")},
		{Path: filepath.Join(out, "gone.json"), Data: []byte("gone")},
		{Path: filepath.Join(out, ManifestName), Data: []byte("old manifest")},
	}
	if _, err := d.Stage(files); err != nil {
		t.Fatal(err)
	}
	staging, err := d.StageFolder("users")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(staging, "old-user.mobileconfig"), []byte("old user"), 0o666)
	if _, err := d.Commit(); err != nil {
		t.Fatal(err)
	}
}

func publishNew(t *testing.T, out string) error {
	t.Helper()
	d, err := Open(out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	files := []File{
		{Path: filepath.Join(out, "a.mobileconfig"), Data: []byte("new a")},
		{Path: filepath.Join(out, "b.mobileconfig"), Data: []byte("b")},
		{Path: filepath.Join(out, "new", "d.json"), Data: []byte("new d")},
		{Path: filepath.Join(out, ManifestName), Data: []byte("new manifest")},
	}
	if _, err := d.Stage(files); err != nil {
		t.Fatal(err)
	}
	staging, err := d.StageFolder("users")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(staging, "new-user.mobileconfig"), []byte("new user"), 0o666)
	d.Remove("sub/c.json")
	d.Remove("gone.json")
	_, err = d.Commit()
	return err
}

// TestPublishIsAllOldOrAllNew interrupts the second run before each change
// it makes, then recovers as the next run does: --out must hold exactly the
// old files if the journal was not committed, else exactly the new ones.
func TestPublishIsAllOldOrAllNew(t *testing.T) {
	base := t.TempDir()
	oldOut, newOut := filepath.Join(base, "old"), filepath.Join(base, "new")
	publishOld(t, oldOut)
	publishOld(t, newOut)
	if err := publishNew(t, newOut); err != nil {
		t.Fatal(err)
	}
	oldTree, newTree := tree(t, oldOut), tree(t, newOut)
	if maps.Equal(oldTree, newTree) || oldTree["gone.json"] != "gone" || newTree["users/new-user.mobileconfig"] != "new user" {
		t.Fatalf("the two runs are not what the test means:\nold %v\nnew %v", oldTree, newTree)
	}
	defer func() { publishCrash = nil }()
	for k := 0; ; k++ {
		out := filepath.Join(base, "k", strconv.Itoa(k))
		publishOld(t, out)
		calls := 0
		publishCrash = func() bool { calls++; return calls > k }
		err := publishNew(t, out)
		publishCrash = nil
		if err == nil {
			if k < 5 {
				t.Fatalf("the publish made only %d changes", k)
			}
			t.Logf("interrupted at each of %d points", k)
			break
		}
		if err != errCrashed {
			t.Fatalf("k=%d: %v", k, err)
		}
		var msg bytes.Buffer
		d, err := Open(out, &msg)
		if err != nil {
			t.Fatalf("k=%d: recovery: %v", k, err)
		}
		d.Close()
		want, what := newTree, "all new"
		if k == 0 {
			want, what = oldTree, "all old"
		}
		if got := tree(t, out); !maps.Equal(got, want) {
			t.Errorf("interrupted after %d changes, recovered --out is not %s:\ngot  %v\nwant %v", k, what, got, want)
		}
		if n := strings.Count(msg.String(), "\n"); n != 1 {
			t.Errorf("k=%d: recovery said %q, want one line", k, msg.String())
		}
	}
}

// TestRemovalNeverTakesAJustWrittenFile: on a case-insensitive file system
// the manifest's Contacts.mobileconfig is the contacts.mobileconfig this
// build writes, and a hard link is the same file under another name.
func TestRemovalNeverTakesAJustWrittenFile(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, ManifestName), []byte(`{"outputs": [{"path": "Contacts.mobileconfig"}, {"path": "alias.mobileconfig"}, {"path": "old.mobileconfig"}]}`), 0o666)
	for _, name := range []string{"Contacts.mobileconfig", "old.mobileconfig"} {
		os.WriteFile(filepath.Join(out, name), []byte("old"), 0o666)
	}
	d, err := Open(out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	files := []File{{Path: filepath.Join(out, "contacts.mobileconfig"), Data: []byte("new")}}
	gone, warnings := d.PreviousOutputs(files)
	if !slices.Equal(gone, []string{"old.mobileconfig"}) || warnings != nil {
		t.Errorf("PreviousOutputs = %q, %q; want only old.mobileconfig", gone, warnings)
	}
	if _, err := d.Stage(files); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(out, "old.mobileconfig"), filepath.Join(out, "alias.mobileconfig")); err != nil {
		t.Skip("no hard links:", err)
	}
	// A journal from disk is checked too: neither another spelling of an
	// output nor another name of one is removed.
	d.j.Keep = append(d.j.Keep, "old.mobileconfig")
	d.Remove("Contacts.mobileconfig")
	d.Remove("CONTACTS.MOBILECONFIG")
	d.Remove("alias.mobileconfig")
	if _, err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"contacts.mobileconfig", "Contacts.mobileconfig", "alias.mobileconfig", "old.mobileconfig"} {
		if _, err := os.Lstat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s was removed", name)
		}
	}
}

// TestConcurrentBuildRefused holds the lock a build takes on --out, as a
// build running at the same time would, and opens it again.
func TestConcurrentBuildRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	os.Mkdir(out, 0o777)
	unlock, err := lockDir(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(out, io.Discard)
	var e *Error
	if !errors.As(err, &e) || e.Err.Error() != "another mdmforge build is writing "+out || !slices.Equal(e.Hints, []string{"wait for it to finish, or build into another --out"}) {
		t.Errorf("second open: %#v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the refused open wrote %v", entries)
	}
	unlock()
	d, err := Open(out, io.Discard)
	if err != nil {
		t.Fatalf("open after the lock is released: %v", err)
	}
	d.Close()
}
