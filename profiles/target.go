package profiles

import (
	"fmt"
	"unicode/utf8"
)

// CheckTarget reports every variable the policy uses that target cannot
// fill in, at the position where it is written. Run it after Validate, with
// the target the outputs will be built for (see TargetFor).
func (p *Policy) CheckTarget(target Target) Diagnostics {
	var ds Diagnostics
	check := func(path string, pos Pos, s string, offsets bool) {
		_, verr := expand(s, func(v Variable) (string, error) {
			if _, ok := v.Syntax[target]; !ok {
				return "", targetLacks(v, target)
			}
			return "", nil
		})
		if verr != nil {
			if offsets {
				pos.Column += utf8.RuneCountInString(s[:verr.Off])
			}
			ds = append(ds, Diagnostic{Severity: Error, Path: path, Pos: pos, Message: verr.Msg})
		}
	}
	for _, s := range p.strings {
		check(s.path, s.pos, *s.val, true)
	}
	walk := func(base string, tree map[string]any, pos map[string]Pos) {
		walkStrings(tree, "", func(rel, s string) {
			at := p.at(base)
			for r := rel; r != ""; r = parentPath(r) {
				if ps, ok := pos[r]; ok {
					at = ps
					break
				}
			}
			check(subPath(base, rel), at, s, false)
		})
	}
	if keys, pos, errs := p.topKeys(); len(errs) == 0 {
		walk("profile.keys", keys, pos)
	}
	for i := range p.Payloads {
		if keys, pos, errs := plistDict(p.File, &p.Payloads[i].Keys, "", p.resolveUUID); len(errs) == 0 {
			walk(fmt.Sprintf("payloads[%d].keys", i), keys, pos)
		}
	}
	if o := p.Outlook; o != nil && o.WorkAccountsOnly != nil {
		for _, s := range p.OutlookSettings(false) {
			if str, ok := s.Value.(string); ok {
				check("outlook.work_accounts_only", p.at("outlook.work_accounts_only"), str, false)
			}
		}
	}
	ds.Sort()
	return ds
}

// walkStrings calls f for every string in a plist tree with its key path.
func walkStrings(v any, rel string, f func(rel, s string)) {
	switch x := v.(type) {
	case string:
		f(rel, x)
	case map[string]any:
		for k, e := range x {
			walkStrings(e, subPath(rel, k), f)
		}
	case []any:
		for i, e := range x {
			walkStrings(e, fmt.Sprintf("%s[%d]", rel, i), f)
		}
	}
}

// UsesVariables reports whether any value of the policy has a ${…}
// variable, which the MDM, or a roster, fills in.
func (p *Policy) UsesVariables() bool {
	for _, s := range p.strings {
		if vars := variablesIn(*s.val); len(vars) > 0 {
			return true
		}
	}
	tree, err := p.rawTree()
	if err != nil {
		return false
	}
	used := false
	walkStrings(tree, "", func(_, s string) { used = used || len(variablesIn(s)) > 0 })
	return used
}

// variablesIn lists the variables s refers to.
func variablesIn(s string) []string {
	var names []string
	expand(s, func(v Variable) (string, error) {
		names = append(names, v.Name)
		return "", nil
	})
	return names
}
