package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"

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

// manifestPath names a policy relative to the manifest's folder, so the
// manifest is the same whatever the working directory or the spelling of
// the path on the command line.
func manifestPath(out, policy string) string {
	absOut, err1 := filepath.Abs(out)
	absPolicy, err2 := filepath.Abs(policy)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absOut, absPolicy); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(policy)
}

// previousOutputs lists the files the manifest already in --out names that
// this build no longer writes: outputs of removed policies, or of a target
// that changed, relative to --out. Only files mdmforge itself listed are
// candidates, and never one this build writes under another spelling (on a
// case-insensitive file system it is the same file), nor one the manifest,
// which is data from disk, names out of --out: those are returned as
// warnings.
func previousOutputs(d *outDir, files []outFile) (gone, warnings []string) {
	data, err := d.root.ReadFile(manifestName)
	if err != nil {
		return nil, nil
	}
	var m struct {
		Outputs []manifestEntry `json:"outputs"`
	}
	if json.Unmarshal(data, &m) != nil {
		return nil, nil
	}
	keep := map[string]bool{}
	for _, f := range files {
		if rel, err := d.rel(f.Path); err == nil {
			keep[strings.ToLower(rel)] = true
		}
	}
	for _, e := range m.Outputs {
		rel := filepath.FromSlash(e.Path)
		if !filepath.IsLocal(rel) {
			warnings = append(warnings, fmt.Sprintf("%s lists %s, which is outside %s; not removed", filepath.Join(d.path, manifestName), e.Path, d.path))
			continue
		}
		if keep[strings.ToLower(filepath.ToSlash(rel))] {
			continue
		}
		info, err := d.root.Lstat(rel)
		switch {
		case err == nil && info.Mode().IsRegular():
			gone = append(gone, filepath.ToSlash(rel))
		case err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			warnings = append(warnings, fmt.Sprintf("%s lists %s: %s; not removed", filepath.Join(d.path, manifestName), e.Path, describeRootErr(d.path, err)))
		}
	}
	return gone, warnings
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// checkOutputs compares what the policies build with what --out holds and
// fails listing stale, missing and extra files. Signatures differ with each
// signing time and need the identity, which CI checks of a pull request do
// not have, so signed profiles are checked by the profile they carry, and
// the manifest without its lines for them.
func checkOutputs(opts *buildOptions, files []outFile) error {
	want := map[string][]byte{}
	for _, f := range files {
		want[f.Path] = f.Data
	}
	var stale, missing, extra []string
	signedOK := func(path string, got []byte) bool {
		unsigned, ok := want[strings.TrimSuffix(path, ".signed.mobileconfig")+".mobileconfig"]
		s, err := signing.Parse(got)
		return ok && err == nil && bytes.Equal(s.Content, unsigned)
	}
	for _, f := range files {
		got, err := os.ReadFile(f.Path)
		switch {
		case err != nil:
			missing = append(missing, f.Path)
		case strings.HasSuffix(f.Path, ".signed.mobileconfig"):
			if !signedOK(f.Path, got) {
				stale = append(stale, f.Path)
			}
		case filepath.Base(f.Path) == manifestName:
			if !sameManifest(got, f.Data) {
				stale = append(stale, f.Path)
			}
		case !bytes.Equal(got, f.Data):
			stale = append(stale, f.Path)
		}
	}
	filepath.WalkDir(opts.Out, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
		case strings.HasPrefix(d.Name(), ".") && path != opts.Out && d.IsDir():
			return filepath.SkipDir
		case d.IsDir() && path != opts.Out && isRosterOutput(path):
			return filepath.SkipDir // per-user builds are checked by their own roster
		case strings.HasPrefix(d.Name(), ".") || d.IsDir():
		case want[path] != nil:
		case strings.HasSuffix(path, ".signed.mobileconfig") && want[strings.TrimSuffix(path, ".signed.mobileconfig")+".mobileconfig"] != nil:
			// A signed copy the check did not sign: right if it carries
			// the profile the policy builds.
			if got, err := os.ReadFile(path); err != nil || !signedOK(path, got) {
				stale = append(stale, path)
			}
		default:
			extra = append(extra, path)
		}
		return nil
	})
	sort.Strings(stale)
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
	hints := []string{"run the same mdmforge build without --check and commit the result"}
	if len(extra) > 0 {
		hints = append(hints, "a build removes only the files an earlier build listed in "+manifestName+"; remove other extra files yourself")
	}
	return &exitError{code: ExitFailure, err: fmt.Errorf("%s does not match its policies: %d stale, %d missing, %d extra", opts.Out, len(stale), len(missing), len(extra)), hints: hints}
}

func isRosterOutput(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, rosterMarker))
	return err == nil
}

// sameManifest compares two manifests without their signed files' lines.
func sameManifest(a, b []byte) bool {
	type manifest struct {
		Mdmforge string          `json:"mdmforge"`
		Outputs  []manifestEntry `json:"outputs"`
	}
	var ma, mb manifest
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil || ma.Mdmforge != mb.Mdmforge {
		return false
	}
	unsigned := func(es []manifestEntry) []manifestEntry {
		var out []manifestEntry
		for _, e := range es {
			if !strings.HasSuffix(e.Path, ".signed.mobileconfig") {
				out = append(out, e)
			}
		}
		return out
	}
	return reflect.DeepEqual(unsigned(ma.Outputs), unsigned(mb.Outputs))
}
