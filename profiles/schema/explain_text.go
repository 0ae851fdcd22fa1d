package schema

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// The text form is kept apart from the building of an Explanation so that
// the JSON form stays plain data: everything here only arranges for people
// what the fields already say.

// WriteText writes e for people: its facts, a table of platforms, its keys
// and, for a payload, the common keys, aligned in columns.
func (e *Explanation) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	field := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	if e.Key == "" {
		field("PAYLOAD", e.Payload)
		field("KIND", kindText[e.Kind])
		if e.Inherits != "" {
			field("INHERITS", "every key of "+e.Inherits+" (Apple: \"The fields in this payload are the same as the VPN payload\"), marked FROM below")
		}
		if e.Source == "" {
			field("SCHEMA", sourceText())
		} else {
			field("SOURCE", factsSourceText())
		}
	} else {
		name := e.Payload + "." + e.Key
		if e.wildcard {
			name += " (ANY stands for any key name)"
		}
		field("KEY", name)
		if e.Source != "" {
			field("SOURCE", factsSourceText())
		}
		field("TYPE", e.Type)
		field("PRESENCE", map[bool]string{true: "required", false: "optional"}[e.Required != nil && *e.Required])
		if e.Default != nil {
			field("DEFAULT", showValue(e.Default))
		}
		if len(e.Allowed) > 0 {
			vals := make([]string, len(e.Allowed))
			for i, a := range e.Allowed {
				vals[i] = showValue(a)
			}
			field("ALLOWED", strings.Join(vals, ", "))
		}
		if r := rangeText(e.Range); r != "" {
			if len(e.Allowed) > 0 {
				r += ", or an allowed value"
			}
			field("RANGE", r)
		}
		field("FORMAT", e.Format)
		field("VALUE", e.ValueType)
		if en := e.Entries; en != nil {
			field("ENTRIES", "any name, each "+article(en.Type)+" (Apple's placeholder: "+e.Keys[0].Name+")")
		}
		if el := e.Element; el != nil {
			field("ELEMENT", el.Name+" ("+el.Type+")")
			if r := rangeText(e.Length); r != "" {
				field("LENGTH", r+" elements")
			}
		}
	}
	switch len(e.AppleFiles) {
	case 0:
	case 1:
		field("APPLE FILE", e.AppleFiles[0])
	default:
		field("APPLE FILES", strings.Join(e.AppleFiles, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	if len(e.Platforms) == 0 {
		fmt.Fprintf(w, "PLATFORMS: none stated in %s\n", map[bool]string{true: "Apple's schema", false: "ProfileManifests"}[e.Source == ""])
	} else {
		fmt.Fprintln(w, "PLATFORMS:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		payload := e.Key == ""
		head := "  PLATFORM\tINTRODUCED\tDEPRECATED\tREMOVED\tSUPERVISED\tINSTALL\tUSER ENROLLMENT"
		if payload {
			head += "\tMULTIPLE"
		}
		fmt.Fprintln(tw, head+"\tNOTES")
		for _, s := range e.Platforms {
			install := "MDM only"
			if s.ManualInstall {
				install = "manual or MDM"
			}
			row := fmt.Sprintf("  %s\t%s\t%s\t%s\t%s\t%s\t%s", s.Platform, orAll(s.Introduced), dash(s.Deprecated),
				dash(s.Removed), yesNo(s.Supervised), install, dash(s.UserEnrollment))
			if payload {
				row += "\t" + yesNo(s.Multiple != nil && *s.Multiple)
			}
			fmt.Fprintln(tw, row+"\t"+s.notes())
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if len(e.Keys) > 0 {
		fmt.Fprintln(w)
		if e.keysOf != "" {
			fmt.Fprintf(w, "KEYS of each %s:\n", e.keysOf)
		} else {
			fmt.Fprintln(w, "KEYS:")
		}
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		col := e.column
		if col == "" {
			col = IOS
		}
		// A source column only where the sources mix: under one of
		// Apple's keys that ProfileManifests extends.
		mixed := false
		for _, k := range e.Keys {
			mixed = mixed || (k.Source != "") != (e.Source != "")
		}
		head := "  NAME\tTYPE\tREQUIRED\t" + string(col)
		if mixed {
			head += "\tSOURCE"
		}
		if e.Inherits != "" {
			head += "\tFROM"
		}
		fmt.Fprintln(tw, head)
		for _, k := range e.Keys {
			row := fmt.Sprintf("  %s\t%s\t%s\t%s", k.Name, k.Type, yesNo(k.Required), k.ios)
			if mixed {
				row += "\t" + map[bool]string{true: "Apple", false: "ProfileManifests"}[k.Source == ""]
			}
			if e.Inherits != "" {
				row += "\t" + dash(k.From)
			}
			fmt.Fprintln(tw, row)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(e.ExtraKeys) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "ALSO IN PROFILEMANIFESTS:\t%s\n", strings.Join(e.ExtraKeys, ", "))
		at := e.Payload
		if e.Key != "" {
			at += "." + e.Key
		}
		fmt.Fprintf(tw, "\t(newer than Apple's copy, or not in it: mdmforge explain %s.KEY)\n", at)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(e.CommonKeys) > 0 {
		var own, set []string
		for _, k := range e.CommonKeys {
			if slices.Contains(setByMdmforge, k) {
				set = append(set, k)
			} else {
				own = append(own, k)
			}
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "COMMON KEYS:\t%s\n", strings.Join(own, ", "))
		fmt.Fprintf(tw, "SET BY MDMFORGE:\t%s\n", strings.Join(set, ", "))
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// WriteSummaries writes a table of payload types and the platforms, with
// their first versions, that support each.
func WriteSummaries(w io.Writer, list []PayloadSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tPLATFORMS")
	for _, p := range list {
		var ps []string
		for _, s := range p.Platforms {
			text := s.Platform + " " + orAll(s.Introduced)
			switch {
			case s.Removed != "":
				text += " (removed " + s.Removed + ")"
			case s.Deprecated != "":
				text += " (deprecated " + s.Deprecated + ")"
			}
			ps = append(ps, text)
		}
		if len(ps) == 0 {
			ps = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\n", p.Type, strings.Join(ps, ", "))
	}
	return tw.Flush()
}

// sourceText names where Apple's files, with Apple's descriptions, are.
func sourceText() string {
	src := DataSource()
	repo := strings.TrimPrefix(src.Repository, "https://")
	return fmt.Sprintf("Apple's %s/%s, %s", repo, src.Path, src.Release)
}

// factsSourceText names ProfileManifests' commit, and that only its facts
// are embedded.
func factsSourceText() string {
	src := getFacts().source
	commit := src.Commit
	if len(commit) > 7 {
		commit = commit[:7]
	}
	return fmt.Sprintf("ProfileManifests (facts only), %s, %s", commit, src.Date)
}

// kindText describes the kinds of preference domain.
var kindText = map[string]string{
	string(KindApplePreferences): "preferences of an Apple app or service (a macOS preference domain)",
	string(KindApplication):      "preferences of an application (a macOS preference domain)",
	string(KindDeveloper):        "preferences of a developer tool (a macOS preference domain)",
}

// setByMdmforge are the common keys mdmforge writes into every payload, so
// that a reader knows which common keys are left to them.
var setByMdmforge = []string{"PayloadType", "PayloadVersion", "PayloadIdentifier", "PayloadUUID", "PayloadDisplayName"}

func (s PlatformSupport) notes() string {
	var n []string
	switch {
	case s.DeviceChannel && s.UserChannel:
		n = append(n, "device and user channels")
	case s.DeviceChannel:
		n = append(n, "device channel")
	case s.UserChannel:
		n = append(n, "user channel")
	}
	if s.RequiresDEP {
		n = append(n, "Automated Device Enrollment only")
	}
	if s.UserApprovedMDM {
		n = append(n, "user-approved MDM")
	}
	if s.SharedIPad != "" {
		n = append(n, "Shared iPad: "+s.SharedIPad)
	}
	if s.Source != "" {
		n = append(n, "from ProfileManifests")
	}
	if len(n) == 0 {
		return "-"
	}
	return strings.Join(n, "; ")
}

func rangeText(r *Bounds) string {
	switch {
	case r == nil:
		return ""
	case r.Min != nil && r.Max != nil && *r.Min == *r.Max:
		return "exactly " + showNumber(*r.Min)
	case r.Min != nil && r.Max != nil:
		return showNumber(*r.Min) + " to " + showNumber(*r.Max)
	case r.Min != nil:
		return "at least " + showNumber(*r.Min)
	case r.Max != nil:
		return "at most " + showNumber(*r.Max)
	}
	return ""
}

func showNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func showValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		return showNumber(x)
	}
	return fmt.Sprint(v)
}

func orAll(version string) string {
	if version == "" {
		return "all"
	}
	return version
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
