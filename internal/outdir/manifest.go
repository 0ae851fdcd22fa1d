package outdir

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
)

// ManifestName is the file in --out that lists every output.
const ManifestName = "manifest.json"

// An Entry is one output in the manifest.
type Entry struct {
	Path   string `json:"path"` // relative to the output folder, with forward slashes
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	Policy string `json:"policy"` // the policy file it was built from, as named on the command line
	// Signer is the signer certificate's fingerprint, "sha256:" and the
	// hex SHA-256 of its DER, for signed profiles: build --check compares
	// committed signed files with it, so a re-signed file shows in review.
	Signer string `json:"signer,omitempty"`
}

// NewEntry lists output name, a path relative to out, built from policy.
func NewEntry(out, name, policy string, data []byte) Entry {
	return Entry{Path: filepath.ToSlash(name), SHA256: sha256Hex(data), Size: len(data), Policy: PolicyPath(out, policy)}
}

// Fingerprint names a signer certificate in the manifest.
func Fingerprint(c *x509.Certificate) string {
	return "sha256:" + sha256Hex(c.Raw)
}

// Manifest lists the outputs for upload steps, sorted by path so it is
// as deterministic as the outputs themselves. It does not record mdmforge's
// version: the same policies give the same manifest whichever mdmforge
// built them, so upgrading the tool alone changes no committed file.
func Manifest(entries []Entry) ([]byte, error) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(manifest{entries})
	return buf.Bytes(), err
}

// PolicyPath names a policy relative to the manifest's folder, so the
// manifest is the same whatever the working directory or the spelling of
// the path on the command line.
func PolicyPath(out, policy string) string {
	absOut, err1 := filepath.Abs(out)
	absPolicy, err2 := filepath.Abs(policy)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absOut, absPolicy); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(policy)
}

// PreviousOutputs lists the files the manifest already in --out names that
// this build no longer writes: outputs of removed policies, or of a target
// that changed, relative to --out. Only files mdmforge itself listed are
// candidates, and never one this build writes under another spelling (on a
// case-insensitive file system it is the same file), nor one the manifest,
// which is data from disk, names out of --out: those are returned as
// warnings.
func (d *Dir) PreviousOutputs(files []File) (gone, warnings []string) {
	data, err := d.root.ReadFile(ManifestName)
	if err != nil {
		return nil, nil
	}
	var m manifest
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
			warnings = append(warnings, fmt.Sprintf("%s lists %s, which is outside %s; not removed", filepath.Join(d.path, ManifestName), e.Path, d.path))
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
			warnings = append(warnings, fmt.Sprintf("%s lists %s: %s; not removed", filepath.Join(d.path, ManifestName), e.Path, describeRootErr(d.path, err)))
		}
	}
	return gone, warnings
}

type manifest struct {
	Outputs []Entry `json:"outputs"`
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// sameManifest compares a committed manifest with the one just built,
// without their signed files' lines, whose hashes change with every
// signing, and without the "mdmforge" version older manifests recorded. When
// the build signed (an identity was given), the signers the committed
// manifest records must be the identity's.
func sameManifest(committed, built []byte) bool {
	var mc, mb manifest
	if json.Unmarshal(committed, &mc) != nil || json.Unmarshal(built, &mb) != nil {
		return false
	}
	signers := map[string]string{}
	for _, e := range mc.Outputs {
		signers[e.Path] = e.Signer
	}
	unsigned := func(es []Entry) []Entry {
		var out []Entry
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
