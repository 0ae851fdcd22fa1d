package cli

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files and the expected output in test scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mdmforge": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script, one behaviour
// each, against the real command tree.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkfile": cmdMkfile,
		},
	})
}

// mkfile SIZE NAME writes a YAML comment-filled file of SIZE bytes (K and M
// suffixes allowed), for size limits without committing large files.
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfile SIZE NAME")
	}
	s, mult := args[0], 1
	switch s[len(s)-1] {
	case 'K':
		s, mult = s[:len(s)-1], 1<<10
	case 'M':
		s, mult = s[:len(s)-1], 1<<20
	}
	n, err := strconv.Atoi(s)
	ts.Check(err)
	line := []byte("# padding padding padding padding padding padding padding padding\n")
	data := bytes.Repeat(line, n*mult/len(line)+1)[:n*mult]
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}
