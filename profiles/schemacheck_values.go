package profiles

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

// A value's checks against its key (type, allowed values, range, format)
// and the words findings use for values are apart from the walk over a
// payload, which only decides where each value is and what it is checked
// against.

func plistType(v any) schema.Type {
	switch v.(type) {
	case string:
		return schema.String
	case bool:
		return schema.Boolean
	case int64:
		return schema.Integer
	case float64:
		return schema.Real
	case []byte:
		return schema.Data
	case time.Time:
		return schema.Date
	case []any:
		return schema.Array
	case map[string]any:
		return schema.Dictionary
	}
	return schema.Any
}

func article(t schema.Type) string {
	switch t {
	case schema.Integer:
		return "a whole number"
	case schema.Real:
		return "a number"
	case schema.Boolean:
		return "true or false"
	case schema.Data:
		return "data (write !!binary followed by base64)"
	case schema.Date:
		return "a date such as 2027-06-30T18:00:00Z"
	case schema.Array:
		return "a list"
	case schema.Dictionary:
		return "a mapping"
	}
	return "text"
}

func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		if _, err := strconv.ParseFloat(x, 64); err == nil {
			return fmt.Sprintf("text %q (remove the quotes for a number)", x)
		}
		if boolWords[strings.ToLower(x)] || x == "True" || x == "False" {
			return fmt.Sprintf("text %q (write true or false)", x)
		}
		return fmt.Sprintf("text %q", x)
	case bool, int64, float64:
		return fmt.Sprint(x)
	case []byte:
		return fmt.Sprintf("%d bytes of data", len(x))
	case time.Time:
		return "date " + x.Format(time.RFC3339)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v", v)
}

// describePlistValue describes a value of the wrong type in a profile,
// with the fix written as plist: a profile's author edits XML, not YAML.
func describePlistValue(v any, want schema.Type) string {
	x, ok := v.(string)
	switch {
	case !ok:
	case want == schema.Boolean && (boolWords[strings.ToLower(x)] || x == "True" || x == "False"):
		return fmt.Sprintf("text %q (write <true/> or <false/>)", x)
	case want == schema.Integer && isWholeNumber(x):
		return fmt.Sprintf("text %q (write <integer>%s</integer>)", x, strings.TrimSpace(x))
	case want == schema.Real:
		if _, err := strconv.ParseFloat(x, 64); err == nil {
			return fmt.Sprintf("text %q (write <real>%s</real>)", x, strings.TrimSpace(x))
		}
	}
	if ok {
		return fmt.Sprintf("text %q", x)
	}
	return describeValue(v)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func allowed(list []any, v any) bool {
	for _, a := range list {
		if a == v {
			return true
		}
		if x, ok := number(a); ok {
			if y, ok := number(v); ok && x == y {
				return true
			}
		}
	}
	return false
}

func allowedList(list []any) string {
	s := make([]string, len(list))
	for i, a := range list {
		if str, ok := a.(string); ok {
			s[i] = strconv.Quote(str)
		} else {
			s[i] = fmt.Sprint(a)
		}
	}
	return orList(s)
}

func rangeText(r *schema.Range) string {
	lo, hi := "", ""
	if r.Min != nil {
		lo = fmt.Sprint(*r.Min)
	}
	if r.Max != nil && !math.IsInf(*r.Max, 1) {
		hi = fmt.Sprint(*r.Max)
	}
	return fmt.Sprintf("[%s, %s]", lo, hi)
}

func keyNames(keys []*schema.Key) []string {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		if !k.IsWildcard() {
			names = append(names, k.Name)
		}
	}
	return names
}

func supportedOn(ps map[schema.Platform]*schema.Support) string {
	var on []string
	for _, p := range schema.AllPlatforms() {
		if s := ps[p]; s != nil {
			on = append(on, strings.TrimSpace(fmt.Sprintf("%s %s", p, s.Introduced)))
		}
	}
	if len(on) == 0 {
		return "no platform"
	}
	return "available on " + strings.Join(on, ", ")
}

var formats sync.Map // Apple format → *regexp.Regexp, or nil when Go cannot compile it

func formatRegexp(f string) *regexp.Regexp {
	if re, ok := formats.Load(f); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(f)
	if err != nil {
		re = nil
	}
	formats.Store(f, re)
	return re
}
