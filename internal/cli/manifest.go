package cli

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
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

	"github.com/mdmforge/mdmforge/internal/annotation"

	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/signing"
)

// manifestName is the file in --out that lists every output.
const manifestName = "manifest.json"

type manifestEntry struct {
	Path   string `json:"path"` // relative to the output folder, with forward slashes
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	Policy string `json:"policy"` // the policy file it was built from, as named on the command line
	// Signer is the signer certificate's fingerprint, "sha256:" and the
	// hex SHA-256 of its DER, for signed profiles: build --check compares
	// committed signed files with it, so a re-signed file shows in review.
	Signer string `json:"signer,omitempty"`
}

// signerFingerprint names a signer certificate in manifest.json.
func signerFingerprint(c *x509.Certificate) string {
	return "sha256:" + sha256Hex(c.Raw)
}

// manifestJSON lists the outputs for upload steps, sorted by path so it is
// as deterministic as the outputs themselves. It does not record mdmforge's
// version: the same policies give the same manifest whichever mdmforge
// built them, so upgrading the tool alone changes no committed file.
func manifestJSON(entries []manifestEntry) ([]byte, error) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	var buf bytes.Buffer
	err := writeJSON(&buf, struct {
		Outputs []manifestEntry `json:"outputs"`
	}{entries})
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
// not have, so a committed signed profile is checked by what can be known
// without it: it carries the profile the policy builds, its signature over
// that profile verifies, and its signer is the one manifest.json records,
// or the identity given, if any. Chain trust is verify's job: it needs the
// root. The manifest is compared without its lines for signed files.
func checkOutputs(opts *buildOptions, files []outFile) error {
	want := map[string][]byte{}
	for _, f := range files {
		want[f.Path] = f.Data
	}
	// The signers to expect: the identity's, recorded in the manifest
	// just built, or else those the committed manifest records.
	signers := map[string]string{}
	recorded := func(data []byte) {
		var m struct {
			Outputs []manifestEntry `json:"outputs"`
		}
		if json.Unmarshal(data, &m) == nil {
			for _, e := range m.Outputs {
				if rel := filepath.FromSlash(e.Path); e.Signer != "" && filepath.IsLocal(rel) {
					signers[filepath.Join(opts.Out, rel)] = e.Signer
				}
			}
		}
	}
	if data, err := os.ReadFile(filepath.Join(opts.Out, manifestName)); err == nil {
		recorded(data)
	}
	if built := want[filepath.Join(opts.Out, manifestName)]; built != nil {
		recorded(built)
	}
	var stale, missing, extra []string
	why := map[string]string{}
	signedOK := func(path string, got []byte) bool {
		unsigned, ok := want[strings.TrimSuffix(path, ".signed.mobileconfig")+".mobileconfig"]
		s, err := signing.Parse(got)
		switch {
		case err != nil:
			why[path] = "not a signed profile: " + err.Error()
		case !ok || !bytes.Equal(s.Content, unsigned):
			why[path] = "it carries a profile the policy no longer builds"
		default:
			err = s.VerifySignature()
			fp := signerFingerprint(s.Signer)
			switch {
			case err != nil:
				why[path] = "its " + strings.TrimPrefix(err.Error(), "verify: ")
			case signers[path] == "":
				why[path] = "signed by " + fp + ", but " + manifestName + " records no signer for it"
			case signers[path] != fp:
				why[path] = "signed by " + fp + ", not by the recorded signer " + signers[path]
			default:
				return true
			}
		}
		return false
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
	// Without the identity the build has no signed files to expect, but
	// the committed manifest names them.
	for path := range signers {
		unsigned := strings.TrimSuffix(path, ".signed.mobileconfig") + ".mobileconfig"
		if _, err := os.Lstat(path); err != nil && want[path] == nil && want[unsigned] != nil {
			missing = append(missing, path)
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
	sort.Strings(missing)
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
			reason := ""
			if why[p] != "" {
				reason = " (" + why[p] + ")"
			}
			switch opts.Format.value {
			case formatGitHub:
				fmt.Fprintln(w, annotation.GitHub("error", p, 0, 0, "mdmforge build --check", group.what+termsafe.String(reason)+": rebuild with mdmforge build and commit the result"))
			default:
				fmt.Fprintf(w, "%s: %s%s\n", group.what, p, termsafe.String(reason))
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

// sameManifest compares a committed manifest with the one just built,
// without their signed files' lines, whose hashes change with every
// signing, and without the "mdmforge" version older manifests recorded. When
// the build signed (an identity was given), the signers the committed
// manifest records must be the identity's.
func sameManifest(committed, built []byte) bool {
	type manifest struct {
		Outputs []manifestEntry `json:"outputs"`
	}
	var mc, mb manifest
	if json.Unmarshal(committed, &mc) != nil || json.Unmarshal(built, &mb) != nil {
		return false
	}
	signers := map[string]string{}
	for _, e := range mc.Outputs {
		signers[e.Path] = e.Signer
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
	for _, e := range mb.Outputs {
		if e.Signer != "" && signers[e.Path] != e.Signer {
			return false
		}
	}
	return reflect.DeepEqual(unsigned(mc.Outputs), unsigned(mb.Outputs))
}
