package profiles

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/internal/suggest"
)

// settingPaths maps every setting name of the policy format, folded as
// suggest.Fold does, to the full paths it has at any level (payloads[] for
// the entries of a list). It is built once from the Policy type's yaml tags,
// the same source the decoder reads, so it cannot fall out of step.
var settingPaths = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			if tag == "" || tag == "-" {
				continue
			}
			path := join(prefix, tag)
			m[suggest.Fold(tag)] = append(m[suggest.Fold(tag)], path)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Slice {
				ft, path = ft.Elem(), path+"[]"
			}
			if ft.Kind() == reflect.Struct && ft != nodeType {
				walk(ft, path)
			}
		}
	}
	walk(reflect.TypeOf(Policy{}), "")
	return m
})

// blockHomes says where the settings of each top-level block go, for a
// setting found at the wrong level.
var blockHomes = map[string]string{
	"profile":      "settings of the profile itself go under profile:",
	"exchange":     "settings of the Exchange account go under exchange:",
	"restrictions": "restrictions go under restrictions:",
	"outlook":      "settings of Outlook's app configuration go under outlook:",
	"payloads":     "other Apple payloads go under payloads:",
	"assignments":  "the groups that get the policy go under assignments:",
	"intune":       "how mdmforge apply deploys to Intune goes under intune:",
}

// elsewhere suggests the full paths a setting has at other levels, for one
// written under the wrong block (ssl at the top level, auth under
// restrictions), or "" when it has none. It compares names only after
// folding, so it costs a map lookup.
func elsewhere(key, path string) string {
	var paths []string
	for _, p := range settingPaths()[suggest.Fold(key)] {
		if p != join(path, key) && p != join(unindex(path), key) {
			paths = append(paths, p)
		}
	}
	switch len(paths) {
	case 0:
		return ""
	case 1:
		top, _, _ := strings.Cut(paths[0], ".")
		top = strings.TrimSuffix(top, "[]")
		if home := blockHomes[top]; home != "" && top != paths[0] {
			return fmt.Sprintf("; did you mean %s? %s", paths[0], home)
		}
		return fmt.Sprintf("; did you mean %s?", paths[0])
	}
	return fmt.Sprintf("; did you mean %s?", orList(paths))
}

// unindex writes payloads[3].name as payloads[].name, as settingPaths does.
func unindex(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			if j := strings.IndexByte(path[i:], ']'); j > 0 {
				b.WriteString("[]")
				i += j
				continue
			}
		}
		b.WriteByte(path[i])
	}
	return b.String()
}
