// Command gen converts Apple's configuration-profile schema (the
// mdm/profiles/*.yaml files of github.com/apple/device-management) into the
// compact data file embedded by package schema.
//
// It is run by go generate in profiles/schema:
//
//	go run ./internal/gen -src ../../../shared/apple-device-management -out apple.jsonl -license LICENSE.apple.txt
//
// -src is a directory holding Apple's LICENSE.txt, a SOURCE file
// ("<commit> <date> <subject>") and profiles/*.yaml. Only facts are kept:
// titles, descriptions and notes are dropped. See package
// github.com/mdmforge/mdmforge/profiles/schema/internal/record for the output
// format. The output is deterministic.
//
// The generator is strict: a field it does not know in Apple's YAML is an
// error, so that a schema update that adds information is noticed rather
// than silently lost.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema/internal/record"
)

const (
	sourceRepo = "https://github.com/apple/device-management"
	sourcePath = "mdm/profiles"
)

func main() {
	src := flag.String("src", "", "directory with Apple's device-management data (LICENSE.txt, SOURCE, profiles/*.yaml)")
	out := flag.String("out", "apple.jsonl", "data file to write")
	lic := flag.String("license", "LICENSE.apple.txt", "where to copy Apple's LICENSE.txt (empty: don't)")
	flag.Parse()
	if *src == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -src DIR [-out FILE] [-license FILE]")
		os.Exit(2)
	}
	if err := run(*src, *out, *lic); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out, lic string) error {
	data, st, err := generate(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	if lic != "" {
		b, err := os.ReadFile(filepath.Join(src, "LICENSE.txt"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(lic, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s: %d files, %d payload types, %d keys, %d bytes\n",
		out, st.files, st.types, st.keys, len(data))
	return nil
}

type stats struct{ files, types, keys int }

// file is one parsed YAML file.
type file struct {
	payload record.Payload
	keys    []line
}

// line is one key line with its nesting depth.
type line struct {
	depth int
	key   *record.Key
}

// generate reads src and returns the data file contents.
func generate(src string) ([]byte, stats, error) {
	var st stats
	hdr, err := readSource(filepath.Join(src, "SOURCE"))
	if err != nil {
		return nil, st, err
	}
	names, err := filepath.Glob(filepath.Join(src, "profiles", "*.yaml"))
	if err != nil {
		return nil, st, err
	}
	if len(names) == 0 {
		return nil, st, fmt.Errorf("no profiles/*.yaml in %s", src)
	}
	var files []*file
	byType := map[string][]*file{}
	for _, name := range names {
		f, err := parseFile(name)
		if err != nil {
			return nil, st, err
		}
		byType[f.payload.Payload] = append(byType[f.payload.Payload], f)
		files = append(files, f)
		st.keys += len(f.keys)
	}
	// Name the variants of payload types described by several files.
	for _, group := range byType {
		if len(group) == 1 {
			continue
		}
		seen := map[string]string{}
		for _, f := range group {
			f.payload.Variant = variant(f.payload)
			if prev, dup := seen[f.payload.Variant]; dup {
				return nil, st, fmt.Errorf("%s and %s both describe %s variant %q",
					prev, f.payload.File, f.payload.Payload, f.payload.Variant)
			}
			seen[f.payload.Variant] = f.payload.File
		}
	}
	st.files, st.types = len(files), len(byType)
	sort.Slice(files, func(i, j int) bool {
		a, b := files[i].payload, files[j].payload
		if a.Payload != b.Payload {
			return a.Payload < b.Payload
		}
		return a.Variant < b.Variant
	})

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(hdr); err != nil {
		return nil, st, err
	}
	for _, f := range files {
		if err := enc.Encode(&f.payload); err != nil {
			return nil, st, err
		}
		for _, l := range f.keys {
			buf.WriteString(strings.Repeat("  ", l.depth))
			if err := enc.Encode(l.key); err != nil {
				return nil, st, err
			}
		}
	}
	return buf.Bytes(), st, nil
}

// variant names one of several files describing the same payload type: ""
// for the file named after the type, X for TYPE(X).yaml, else the file name
// without .yaml.
func variant(p record.Payload) string {
	stem := strings.TrimSuffix(p.File, ".yaml")
	switch {
	case stem == p.Payload:
		return ""
	case strings.HasPrefix(stem, p.Payload+"(") && strings.HasSuffix(stem, ")"):
		return stem[len(p.Payload)+1 : len(stem)-1]
	}
	return stem
}

func readSource(name string) (*record.Header, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(strings.TrimSpace(string(b)))
	if len(f) == 0 || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(f[0]) {
		return nil, fmt.Errorf("%s: want \"<40-hex commit> [date] [subject]\"", name)
	}
	h := &record.Header{
		Format:  record.Format,
		Source:  sourceRepo,
		Path:    sourcePath,
		Commit:  f[0],
		License: "MIT, Copyright Apple Inc., see LICENSE.apple.txt",
	}
	if len(f) > 1 {
		h.Date = f[1]
	}
	if len(f) > 2 {
		h.Release = strings.Join(f[2:], " ")
	}
	return h, nil
}
