package profiles

import (
	"fmt"
	"unicode/utf8"
)

// CheckTarget reports every variable the policy uses that target cannot
// fill in, at the position where it is written. Run it after Validate, with
// the target the outputs will be built for (see TargetFor). Misspelt or
// unclosed references are Validate's to report, so they are not repeated
// here; nor is anything checked when the policy's own target: is not a
// target, which Validate reports: a fallback to generic would only add
// findings about a target the author never chose.
func (p *Policy) CheckTarget(target Target) Diagnostics {
	if p.Target != "" && target == p.TargetFor("") {
		if _, err := ParseTarget(p.Target); err != nil {
			return nil
		}
	}
	var ds Diagnostics
	p.eachString(func(path string, pos Pos, s string, offsets bool) {
		var lacks error
		_, verr := expand(s, func(v Variable) (string, error) {
			if _, ok := v.Syntax[target]; !ok {
				lacks = targetLacks(v, target)
				return "", lacks
			}
			return "", nil
		})
		if verr != nil && lacks != nil {
			if offsets {
				pos.Column += utf8.RuneCountInString(s[:verr.Off])
			}
			ds = append(ds, Diagnostic{Severity: Error, Path: path, Pos: pos, Message: verr.Msg})
		}
	})
	ds.Sort()
	return ds
}

// eachString calls f for every string the policy sets, with its YAML path
// and position: the typed settings, then the Apple keys of the profile and
// of each payload. offsets is true when pos is where the string's text
// starts, so an offset into it can be added to the column.
func (p *Policy) eachString(f func(path string, pos Pos, s string, offsets bool)) {
	for _, s := range p.strings {
		f(s.path, s.pos, *s.val, true)
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
			f(subPath(base, rel), at, s, false)
		})
	}
	if keys, pos, errs := p.topKeys(); len(errs) == 0 {
		walk("profile.keys", keys, pos)
	}
	for i := range p.Payloads {
		if keys, pos, errs := p.keysDict(&p.Payloads[i].Keys, ""); len(errs) == 0 {
			walk(fmt.Sprintf("payloads[%d].keys", i), keys, pos)
		}
	}
	if o := p.Outlook; o != nil && o.WorkAccountsOnly != nil {
		for _, s := range p.OutlookSettings(false) {
			if str, ok := s.Value.(string); ok {
				f("outlook.work_accounts_only", p.at("outlook.work_accounts_only"), str, false)
			}
		}
	}
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
