package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mdmforge/mdmforge/internal/suggest"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/schema"
	"github.com/spf13/cobra"
)

type explainOptions struct {
	IO     *IO
	Target string // TYPE[.KEY...]
	List   bool
	Format string
}

func newExplainCmd(streams *IO, runF func(*explainOptions) error) *cobra.Command {
	opts := &explainOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "explain TYPE[.KEY...] | SETTING | --list",
		Short: "Show Apple's schema for a payload type or key, or a policy setting",
		Long: `Explain shows what Apple's published schema says about a payload type or one
of its keys, as mdmforge checks them, or what a setting of mdmforge's own
policy format is.

For a policy setting (exchange.sync, profile.min_ios, payloads.name, …): its
type, whether it is required, its allowed values and default, what it
compiles into (the Apple or Microsoft key it sets), its description as in
docs/policy.md, and a block's own settings.

For a payload type: the platforms that support it (the versions that
introduced, deprecated or removed it, whether it needs a supervised device,
whether a profile with it may be installed by hand or only by MDM, how it
behaves under User Enrollment, whether a profile may hold several), and its
keys with their types and the iOS version that introduced them.

For a key: its type, whether it is required, its default, allowed values,
range and format, the same per-platform facts, and its subkeys or the
element of its list.

Name a key after its payload type, nested keys separated by dots; quote a
name that contains a space. Configuration is the profile's top level.
--list prints every payload type, then every policy setting. The schema is Apple's
(github.com/apple/device-management), facts only: its file name is given
for Apple's own descriptions.`,
		Example: `  $ mdmforge explain com.apple.eas.account
  $ mdmforge explain com.apple.eas.account.EnableContactsUserOverridable
  $ mdmforge explain "com.apple.security.scep.PayloadContent.Key Type"
  $ mdmforge explain exchange.sync
  $ mdmforge explain --list
  $ mdmforge explain com.apple.applicationaccess --format json | jq '.keys[].name'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Format != "text" && opts.Format != "json" {
				return usageError(cmd, "--format must be text or json, not %q", opts.Format)
			}
			switch {
			case opts.List && len(args) > 0:
				return usageError(cmd, "--list takes no payload type")
			case !opts.List && len(args) == 0:
				return usageError(cmd, "missing a payload type, key or policy setting to explain, such as com.apple.eas.account or exchange.sync")
			case len(args) > 1:
				return usageError(cmd, "explain takes one payload type or key, got %d arguments (quote a key name that contains a space)", len(args))
			}
			if len(args) == 1 {
				opts.Target = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.List, "list", false, "list every payload type with its platforms")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output `FORMAT`: text or json")
	completeValues(cmd.Flags(), "format", "text", "json")
	return cmd
}

func explainRun(opts *explainOptions) error {
	if opts.List {
		list := payloadList()
		if opts.Format == "json" {
			return writeJSON(opts.IO.Out, list)
		}
		if err := writeList(opts.IO.Out, list); err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.Out)
		return writeSettingList(opts.IO.Out)
	}
	if top, _, _ := strings.Cut(opts.Target, "."); isPolicyBlock(top) {
		return explainSetting(opts)
	}
	p, path, err := resolveExplain(opts.Target)
	if err != nil {
		return err
	}
	var e *explanation
	if len(path) == 0 {
		e = explainPayload(p)
	} else {
		e = explainKey(p, path)
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, e)
	}
	return e.write(opts.IO.Out)
}

// explanation is what explain prints, as text or JSON.
type explanation struct {
	Payload    string          `json:"payload"`
	Key        string          `json:"key,omitempty"` // the key's path inside the payload, names joined by "."
	AppleFiles []string        `json:"apple_files,omitempty"`
	Type       string          `json:"type,omitempty"`
	Required   *bool           `json:"required,omitempty"`
	Default    any             `json:"default,omitempty"`
	Allowed    []any           `json:"allowed,omitempty"`
	Range      *explainedRange `json:"range,omitempty"`
	Format     string          `json:"format,omitempty"`
	ValueType  string          `json:"value_type,omitempty"`
	Element    *explainedKey   `json:"element,omitempty"`
	Length     *explainedRange `json:"length,omitempty"` // number of elements of an array
	Platforms  []support       `json:"platforms"`
	Keys       []explainedKey  `json:"keys,omitempty"`
	CommonKeys []string        `json:"common_keys,omitempty"`

	Entries *explainedKey `json:"entries,omitempty"` // what keys of any other name are

	wildcard bool   // Key resolved to an ANY key
	keysOf   string // the array element whose keys Keys are
}

type explainedRange struct {
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

type explainedKey struct {
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Required   bool              `json:"required"`
	Introduced map[string]string `json:"introduced"` // by platform; "" when Apple gives no version

	ios string // the iOS column of the text table
}

// support is one platform's row.
type support struct {
	Platform        string `json:"platform"`
	Introduced      string `json:"introduced,omitempty"`
	Deprecated      string `json:"deprecated,omitempty"`
	Removed         string `json:"removed,omitempty"`
	Supervised      bool   `json:"supervised"`
	ManualInstall   bool   `json:"manual_install"`
	UserEnrollment  string `json:"user_enrollment,omitempty"`
	Multiple        *bool  `json:"multiple,omitempty"` // payloads only
	DeviceChannel   bool   `json:"device_channel,omitempty"`
	UserChannel     bool   `json:"user_channel,omitempty"`
	RequiresDEP     bool   `json:"requires_automated_enrollment,omitempty"`
	UserApprovedMDM bool   `json:"requires_user_approved_mdm,omitempty"`
	SharedIPad      string `json:"shared_ipad,omitempty"`
}

func explainPayload(p *schema.Payload) *explanation {
	e := &explanation{Payload: p.Type, AppleFiles: appleFiles(p), Platforms: supports(p.Platforms, true)}
	for _, k := range p.Keys {
		e.Keys = append(e.Keys, keyRow(k))
	}
	if p.Type != "Configuration" {
		for _, k := range schema.Common() {
			e.CommonKeys = append(e.CommonKeys, k.Name)
		}
	}
	return e
}

func explainKey(p *schema.Payload, path []step) *explanation {
	k := path[len(path)-1].key
	names := make([]string, len(path))
	for i, st := range path {
		names[i] = st.name
	}
	req := k.Required
	e := &explanation{
		Payload:    p.Type,
		Key:        strings.Join(names, "."),
		Type:       typeName(k),
		Required:   &req,
		Default:    k.Default,
		Allowed:    k.Allowed,
		Range:      explainRange(k.Range),
		Format:     k.Format,
		ValueType:  k.ValueType,
		Platforms:  supports(k.Platforms, false),
		wildcard:   k.IsWildcard(),
		AppleFiles: appleFiles(p),
	}
	if k.Type == schema.Array && k.Item != nil {
		row := keyRow(k.Item)
		e.Element = &row
		e.Length = explainRange(k.Item.Repetition)
		k = k.Item
		for k.Type == schema.Array && k.Item != nil {
			k = k.Item
		}
		e.keysOf = k.Name
	}
	for _, c := range k.Keys {
		e.Keys = append(e.Keys, keyRow(c))
	}
	if k.Type == schema.Dictionary {
		if p := placeholder(k.Keys); p != nil {
			row := keyRow(p)
			e.Entries = &row
		}
	}
	return e
}

func explainRange(r *schema.Range) *explainedRange {
	if r == nil || (r.Min == nil && r.Max == nil) {
		return nil
	}
	return &explainedRange{Min: r.Min, Max: r.Max}
}

func appleFiles(p *schema.Payload) []string {
	if p.File != "" {
		return []string{p.File}
	}
	var out []string
	for _, v := range p.Variants {
		out = append(out, v.File)
	}
	return out
}

func keyRow(k *schema.Key) explainedKey {
	row := explainedKey{Name: k.Name, Type: typeName(k), Required: k.Required, Introduced: map[string]string{}, ios: "-"}
	for _, pl := range schema.AllPlatforms() {
		if s := k.Platforms[pl]; s != nil {
			row.Introduced[string(pl)] = s.Introduced
		}
	}
	if s := k.Platforms[schema.IOS]; s != nil {
		row.ios = orAll(s.Introduced)
		if notes := s.Notes(); len(notes) > 0 {
			row.ios += " (" + strings.Join(notes, ", ") + ")"
		}
	}
	return row
}

// typeName is a key's type, with what an array holds: "array of string".
func typeName(k *schema.Key) string {
	t := string(k.Type)
	for depth := 0; k.Type == schema.Array && k.Item != nil && depth < 8; depth++ {
		k = k.Item
		t += " of " + string(k.Type)
	}
	return t
}

func supports(m map[schema.Platform]*schema.Support, payload bool) []support {
	out := []support{}
	for _, pl := range schema.AllPlatforms() {
		s := m[pl]
		if s == nil {
			continue
		}
		row := support{
			Platform:        string(pl),
			Introduced:      s.Introduced,
			Deprecated:      s.Deprecated,
			Removed:         s.Removed,
			Supervised:      s.Supervised,
			ManualInstall:   s.ManualInstall,
			UserEnrollment:  string(s.UserEnrollment),
			DeviceChannel:   s.DeviceChannel,
			UserChannel:     s.UserChannel,
			RequiresDEP:     s.RequiresDEP,
			UserApprovedMDM: s.UserApprovedMDM,
			SharedIPad:      string(s.SharedIPad.Mode),
		}
		if payload {
			multiple := s.Multiple
			row.Multiple = &multiple
		}
		out = append(out, row)
	}
	return out
}

func (e *explanation) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	field := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	if e.Key == "" {
		field("PAYLOAD", e.Payload)
		field("SCHEMA", schemaSource())
	} else {
		name := e.Payload + "." + e.Key
		if e.wildcard {
			name += " (ANY stands for any key name)"
		}
		field("KEY", name)
		field("TYPE", e.Type)
		field("PRESENCE", map[bool]string{true: "required", false: "optional"}[*e.Required])
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
		fmt.Fprintln(w, "PLATFORMS: none stated in Apple's schema")
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
		fmt.Fprintln(tw, "  NAME\tTYPE\tREQUIRED\tiOS")
		for _, k := range e.Keys {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", k.Name, k.Type, yesNo(k.Required), k.ios)
		}
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

// schemaSource names where Apple's files, with Apple's descriptions, are.
func schemaSource() string {
	src := schema.DataSource()
	repo := strings.TrimPrefix(src.Repository, "https://")
	return fmt.Sprintf("Apple's %s/%s, %s", repo, src.Path, src.Release)
}

// setByMdmforge are the common keys mdmforge writes into every payload.
var setByMdmforge = []string{"PayloadType", "PayloadVersion", "PayloadIdentifier", "PayloadUUID", "PayloadDisplayName"}

func (s support) notes() string {
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
	if len(n) == 0 {
		return "-"
	}
	return strings.Join(n, "; ")
}

func rangeText(r *explainedRange) string {
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

type listedPayload struct {
	Type      string    `json:"type"`
	Platforms []support `json:"platforms"`
}

// payloadList is every payload type a policy may use, with its platforms.
func payloadList() []listedPayload {
	out := []listedPayload{}
	for _, t := range schema.Types() {
		if t == "Configuration" {
			continue
		}
		p, _ := schema.Lookup(t)
		out = append(out, listedPayload{Type: t, Platforms: supports(p.Platforms, true)})
	}
	return out
}

func writeList(w io.Writer, list []listedPayload) error {
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

// step is one key of a resolved path, with the name it was given (an ANY
// key stands for the name typed).
type step struct {
	key  *schema.Key
	name string
}

// resolveExplain splits TYPE[.KEY...] into a payload and the path of keys
// under it. Payload types and key names both contain dots, so every split
// is tried, longest payload type and longest key names first, and the first
// that resolves wins.
func resolveExplain(target string) (*schema.Payload, []step, error) {
	segs := strings.Split(target, ".")
	var firstErr error
	for i := len(segs); i > 0; i-- {
		p, ok := schema.Lookup(strings.Join(segs[:i], "."))
		if !ok {
			continue
		}
		node := explainNode{name: p.Type, keys: p.Keys, find: p.Key}
		if p.Type != "Configuration" {
			node.keys = append(append([]*schema.Key(nil), p.Keys...), schema.Common()...)
		}
		path, err := resolveKeys(node, segs[i:])
		if err == nil {
			return p, path, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	msg := fmt.Sprintf("%q is not a payload type in Apple's schema", target)
	if s, n := suggestSegments(segs, schema.Types()); s != "" {
		if rest := strings.Join(segs[n:], "."); rest != "" {
			s += "." + rest
		}
		msg = fmt.Sprintf("%q is not a payload type in Apple's schema; did you mean %q?", strings.Join(segs[:n], "."), s)
	}
	return nil, nil, withHint(fmt.Errorf("%s", msg), "run 'mdmforge explain --list' for every payload type")
}

// explainNode is a payload or a key: what may hold keys.
type explainNode struct {
	name   string                           // for messages: TYPE or TYPE.KEY...
	keys   []*schema.Key                    // the candidates for suggestions
	find   func(string) (*schema.Key, bool) // by name, else the ANY key
	scalar string                           // the type of a key that holds no keys
	elem   *schema.Key                      // an array's element, which its name also finds
	entry  *schema.Key                      // what any other name is (see placeholder)
}

func keyNode(name string, k *schema.Key) explainNode {
	node := explainNode{name: name, find: k.Lookup}
	inner := k
	for inner.Type == schema.Array && inner.Item != nil {
		inner = inner.Item
	}
	node.keys = inner.Keys
	if k.Type == schema.Array && k.Item != nil {
		node.elem = k.Item
		node.keys = append([]*schema.Key{k.Item}, inner.Keys...)
	}
	if k.Type != schema.Array && k.Type != schema.Dictionary {
		node.scalar = string(k.Type)
	}
	node.entry = placeholder(inner.Keys)
	return node
}

// placeholder returns what the entries of a nested dictionary are when
// Apple describes it through one placeholder subkey, as validation reads
// it: ConsentText holds ConsentTextItem, which holds ANY, so ConsentText's
// entries have any name and are strings. Nil otherwise.
func placeholder(keys []*schema.Key) *schema.Key {
	if len(keys) != 1 || keys[0].Type != schema.Dictionary || keys[0].IsWildcard() {
		return nil
	}
	if p := keys[0]; len(p.Keys) == 1 && p.Keys[0].IsWildcard() {
		return p.Keys[0]
	}
	return keys[0]
}

// resolveKeys resolves segs under node: the longest run of segments that
// names a key exactly, else the node's ANY key for any run, backtracking
// when the rest does not resolve.
func resolveKeys(node explainNode, segs []string) ([]step, error) {
	if len(segs) == 0 {
		return nil, nil
	}
	if node.scalar != "" {
		return nil, withHint(fmt.Errorf("%s is %s and has no keys", node.name, article(node.scalar)),
			fmt.Sprintf("run 'mdmforge explain %s' for it", node.name))
	}
	var firstErr error
	try := func(k *schema.Key, name string, rest []string) []step {
		path, err := resolveKeys(keyNode(node.name+"."+name, k), rest)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return nil
		}
		return append([]step{{k, name}}, path...)
	}
	for n := len(segs); n > 0; n-- {
		name := strings.Join(segs[:n], ".")
		k, ok := node.find(name)
		if node.elem != nil && name == node.elem.Name {
			k, ok = node.elem, true
		}
		if ok && k.Name == name {
			if path := try(k, name, segs[n:]); path != nil {
				return path, nil
			}
		}
	}
	w, ok := node.find(segs[0])
	if !ok || !w.IsWildcard() {
		w = node.entry
	}
	if w != nil {
		for n := 1; n <= len(segs); n++ {
			if path := try(w, strings.Join(segs[:n], "."), segs[n:]); path != nil {
				return path, nil
			}
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, unknownKey(node, segs)
}

func unknownKey(node explainNode, segs []string) error {
	names := make([]string, 0, len(node.keys))
	for _, k := range node.keys {
		if !k.IsWildcard() {
			names = append(names, k.Name)
		}
	}
	msg := fmt.Sprintf("%s has no key %q", node.name, segs[0])
	if s, n := suggestSegments(segs, names); s != "" {
		msg = fmt.Sprintf("%s has no key %q; did you mean %q?", node.name, strings.Join(segs[:n], "."), s)
	}
	return withHint(fmt.Errorf("%s", msg), fmt.Sprintf("run 'mdmforge explain %s' for its keys", node.name))
}

func article(t string) string {
	switch t {
	case "integer", "array", "any":
		return "an " + t
	}
	return "a " + t
}

// suggestSegments finds the candidate closest to the leading segments of
// what was typed (as many segments as the candidate has), ignoring case,
// '_' and '-', and returns it with the number of segments it replaces, or
// "" when none is close enough to be a plausible typo.
func suggestSegments(segs, candidates []string) (string, int) {
	best, bestN, bestDist := "", 0, 0
	for _, c := range candidates {
		n := strings.Count(c, ".") + 1
		if n > len(segs) {
			continue
		}
		word := strings.Join(segs[:n], ".")
		d := suggest.Distance(suggest.Fold(word), suggest.Fold(c))
		if best == "" || d < bestDist {
			best, bestN, bestDist = c, n, d
		}
	}
	if best == "" {
		return "", 0
	}
	if !suggest.Plausible(strings.Join(segs[:bestN], "."), bestDist) {
		return "", 0
	}
	return best, bestN
}

// isPolicyBlock reports whether name is a top-level setting of the policy
// format, so that explain reads what follows as a policy setting: no Apple
// payload type is named so.
func isPolicyBlock(name string) bool {
	name = strings.TrimSuffix(name, "[]")
	for _, s := range profiles.PolicySettings() {
		if s.Path == name {
			return true
		}
	}
	return false
}

// explainSetting prints one setting of the policy format.
func explainSetting(opts *explainOptions) error {
	s, ok := profiles.LookupSetting(opts.Target)
	if !ok {
		var paths []string
		for _, s := range profiles.PolicySettings() {
			paths = append(paths, s.Path, strings.ReplaceAll(s.Path, "[]", ""))
		}
		msg := fmt.Sprintf("%q is not a policy setting", opts.Target)
		if sug := suggest.Closest(opts.Target, paths); sug != "" {
			msg += fmt.Sprintf("; did you mean %q?", sug)
		}
		return withHint(errors.New(msg), "run 'mdmforge explain --list' for every policy setting")
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, s)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	field := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	field("SETTING", s.Path)
	field("TYPE", s.Type)
	field("PRESENCE", map[bool]string{true: "required", false: "optional"}[s.Required])
	field("ALLOWED", strings.Join(s.Allowed, ", "))
	field("PATTERN", s.Pattern)
	field("DEFAULT", s.Default)
	field("COMPILES TO", s.CompilesTo)
	field("SETTINGS", strings.Join(s.Settings, ", "))
	field("REFERENCE", "docs/policy.md, "+policySection(s.Path))
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.Description != "" {
		fmt.Fprintf(opts.IO.Out, "\n%s\n", wrapText(s.Description, 76))
	}
	return nil
}

// policySection names the docs/policy.md section of a setting.
func policySection(path string) string {
	top, _, _ := strings.Cut(path, ".")
	top = strings.TrimSuffix(top, "[]")
	if top == "version" || top == "target" {
		return "the top of the file"
	}
	return "section " + top
}

// writeSettingList prints every policy setting with its type.
func writeSettingList(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tTYPE\tCOMPILES TO")
	for _, s := range profiles.PolicySettings() {
		to := s.CompilesTo
		if to == "" {
			to = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Path, s.Type, to)
	}
	return tw.Flush()
}

// wrapText breaks text into lines of at most width characters, at spaces.
func wrapText(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		switch {
		case i == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
