package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/signing"
)

// manifestName is the file in --out that lists every output.
const manifestName = "manifest.json"

type manifestEntry struct {
	Path   string `json:"path"` // relative to the output folder, with forward slashes
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	Policy string `json:"policy"` // the policy file it was built from, as named on the command line
}

// manifestJSON lists the outputs for upload steps, sorted by path so it is
// as deterministic as the outputs themselves.
func manifestJSON(entries []manifestEntry) ([]byte, error) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	var buf bytes.Buffer
	err := writeJSON(&buf, struct {
		Mdmforge string          `json:"mdmforge"`
		Outputs  []manifestEntry `json:"outputs"`
	}{Version, entries})
	return buf.Bytes(), err
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// checkOutputs compares what the policies build with what --out holds and
// fails listing stale, missing and extra files. Signed profiles are compared
// by the profile they carry, since a signature differs with every signing
// time; the manifest's line for them is ignored for the same reason.
func checkOutputs(opts *buildOptions, files []outFile) error {
	want := map[string][]byte{}
	for _, f := range files {
		want[f.Path] = f.Data
	}
	var stale, missing, extra []string
	for _, f := range files {
		got, err := os.ReadFile(f.Path)
		switch {
		case err != nil:
			missing = append(missing, f.Path)
		case strings.HasSuffix(f.Path, ".signed.mobileconfig"):
			unsigned := want[strings.TrimSuffix(f.Path, ".signed.mobileconfig")+".mobileconfig"]
			if s, err := signing.Parse(got); err != nil || !bytes.Equal(s.Content, unsigned) {
				stale = append(stale, f.Path)
			}
		case filepath.Base(f.Path) == manifestName && bytes.Contains(f.Data, []byte(".signed.mobileconfig")):
			// Holds the signed files' digests, which change with each signing.
		case !bytes.Equal(got, f.Data):
			stale = append(stale, f.Path)
		}
	}
	filepath.WalkDir(opts.Out, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") && path != opts.Out {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if _, ok := want[path]; !ok {
				extra = append(extra, path)
			}
		}
		return nil
	})
	sort.Strings(extra)
	if len(stale)+len(missing)+len(extra) == 0 {
		fmt.Fprintf(opts.IO.Err, "mdmforge: %s is up to date (%d files)\n", opts.Out, len(files))
		return nil
	}
	w := opts.IO.Out
	for _, group := range []struct {
		what  string
		paths []string
	}{{"stale", stale}, {"missing", missing}, {"extra", extra}} {
		for _, p := range group.paths {
			switch opts.Format.value {
			case formatGitHub:
				fmt.Fprintln(w, githubAnnotation("error", p, 0, 0, "mdmforge build --check", group.what+": rebuild with mdmforge build and commit the result"))
			default:
				fmt.Fprintf(w, "%s: %s\n", group.what, p)
			}
		}
	}
	return &exitError{code: ExitFailure, err: fmt.Errorf("%s does not match its policies: %d stale, %d missing, %d extra", opts.Out, len(stale), len(missing), len(extra)),
		hints: []string{"run the same mdmforge build without --check and commit the result"}}
}
