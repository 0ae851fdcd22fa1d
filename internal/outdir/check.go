package outdir

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/signing"
)

// A Mismatch is how a folder differs from the files a build would write
// there, each list sorted. Why gives the reason for a path, where there is
// more to say than its list does.
type Mismatch struct {
	Stale, Missing, Extra []string
	Why                   map[string]string
}

// Interrupted reports whether a build into out stopped after its commit:
// until the next build completes it, the files there are part old.
func Interrupted(out string) bool {
	_, err := os.Lstat(filepath.Join(out, journalName))
	return err == nil
}

// Compare compares files, what the policies build, with what out holds,
// for build --check: stale, missing and extra files. Signatures differ with
// each signing time and need the identity, which CI checks of a pull
// request do not have, so a committed signed profile is checked by what can
// be known without it: it carries the profile the policy builds, its
// signature over that profile verifies, and its signer is the one the
// manifest records, or the identity given, if any. Chain trust is verify's
// job: it needs the root. The manifest is compared without its lines for
// signed files.
func Compare(out string, files []File) Mismatch {
	want := map[string][]byte{}
	for _, f := range files {
		want[f.Path] = f.Data
	}
	// The signers to expect: the identity's, recorded in the manifest
	// just built, or else those the committed manifest records.
	signers := map[string]string{}
	recorded := func(data []byte) {
		var m manifest
		if json.Unmarshal(data, &m) == nil {
			for _, e := range m.Outputs {
				if rel := filepath.FromSlash(e.Path); e.Signer != "" && filepath.IsLocal(rel) {
					signers[filepath.Join(out, rel)] = e.Signer
				}
			}
		}
	}
	if data, err := os.ReadFile(filepath.Join(out, ManifestName)); err == nil {
		recorded(data)
	}
	if built := want[filepath.Join(out, ManifestName)]; built != nil {
		recorded(built)
	}
	m := Mismatch{Why: map[string]string{}}
	why := m.Why
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
			fp := Fingerprint(s.Signer)
			switch {
			case err != nil:
				why[path] = "its " + strings.TrimPrefix(err.Error(), "verify: ")
			case signers[path] == "":
				why[path] = "signed by " + fp + ", but " + ManifestName + " records no signer for it"
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
			m.Missing = append(m.Missing, f.Path)
		case strings.HasSuffix(f.Path, ".signed.mobileconfig"):
			if !signedOK(f.Path, got) {
				m.Stale = append(m.Stale, f.Path)
			}
		case filepath.Base(f.Path) == ManifestName:
			if !sameManifest(got, f.Data) {
				m.Stale = append(m.Stale, f.Path)
			}
		case !bytes.Equal(got, f.Data):
			m.Stale = append(m.Stale, f.Path)
		}
	}
	// Without the identity the build has no signed files to expect, but
	// the committed manifest names them.
	for path := range signers {
		unsigned := strings.TrimSuffix(path, ".signed.mobileconfig") + ".mobileconfig"
		if _, err := os.Lstat(path); err != nil && want[path] == nil && want[unsigned] != nil {
			m.Missing = append(m.Missing, path)
		}
	}
	filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
		case strings.HasPrefix(d.Name(), ".") && path != out && d.IsDir():
			return filepath.SkipDir
		case d.IsDir() && path != out && isRosterOutput(path):
			return filepath.SkipDir // per-user builds are checked by their own roster
		case strings.HasPrefix(d.Name(), ".") || d.IsDir():
		case want[path] != nil:
		case strings.HasSuffix(path, ".signed.mobileconfig") && want[strings.TrimSuffix(path, ".signed.mobileconfig")+".mobileconfig"] != nil:
			// A signed copy the check did not sign: right if it carries
			// the profile the policy builds.
			if got, err := os.ReadFile(path); err != nil || !signedOK(path, got) {
				m.Stale = append(m.Stale, path)
			}
		default:
			m.Extra = append(m.Extra, path)
		}
		return nil
	})
	sort.Strings(m.Stale)
	sort.Strings(m.Missing)
	sort.Strings(m.Extra)
	return m
}

func isRosterOutput(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, rosterMarker))
	return err == nil
}
