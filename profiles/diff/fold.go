package diff

import (
	"path"
	"sort"
	"strings"
)

// foldIntune shows one edit once. A policy's NAME.intune/custom.json
// carries NAME.mobileconfig in base64 and email.json mirrors its Exchange
// account, so each change to the profile came back twice more, with its
// consequence; a file that Carries finds to repeat the profile's
// change and nothing else is reduced to a line after it. The bundle's
// README.md, compared by its bytes, is left out when other files of the
// policy differ: it documents them and deploys nothing. Files only on one
// side, and a change the profile does not explain, stay as they are.
func (r *Report) foldIntune() {
	byPath := make(map[string]*File, len(r.Files))
	for _, f := range r.Files {
		byPath[f.Path] = f
	}
	changed := Changed
	kept := r.Files[:0]
	for _, f := range r.Files {
		dir, base := path.Split(f.Path)
		name, ok := strings.CutSuffix(dir, ".intune/")
		if !ok || f.Status != changed {
			kept = append(kept, f)
			continue
		}
		src := byPath[name+".mobileconfig"]
		switch base {
		case "custom.json", "email.json":
			if src != nil && src.Status == changed && Carries(base, f.all, src.trees[0], src.trees[1], src.all) {
				f.Carries, f.Changes, f.Consequences, f.Hidden = src.Path, nil, nil, 0
			}
		case "README.md":
			if f.Format == "bytes" && r.policyDiffers(name, f) {
				continue
			}
		}
		kept = append(kept, f)
	}
	// Each carrying file right after its profile, so "above" is true.
	sortKey := func(f *File) string {
		if f.Carries != "" {
			return f.Carries + "\x00" + f.Path
		}
		return f.Path
	}
	sort.SliceStable(kept, func(i, j int) bool { return sortKey(kept[i]) < sortKey(kept[j]) })
	r.Files = kept
}

// policyDiffers reports whether a file of policy name other than skip
// differs: its .mobileconfig or a file of its bundle.
func (r *Report) policyDiffers(name string, skip *File) bool {
	for _, f := range r.Files {
		if f != skip && (f.Path == name+".mobileconfig" || strings.HasPrefix(f.Path, name+".intune/")) {
			return true
		}
	}
	return false
}
