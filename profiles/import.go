package profiles

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/profiles/schema"
	"go.yaml.in/yaml/v3"
)

// Import turns an unsigned configuration profile into a policy that builds
// back into the same profile, as ImportProfile does, and returns the
// policy's YAML.
func Import(name string, data []byte) ([]byte, error) {
	im, err := ImportProfile(name, data, ImportOptions{})
	if err != nil {
		return nil, err
	}
	return im.Policy, nil
}

// ImportOptions control ImportProfile.
type ImportOptions struct {
	// Platform is the platform the profile is for (iOS, macOS, tvOS,
	// visionOS or watchOS); empty means infer it with InferPlatform.
	Platform string
	// SignedBy is the subject of the certificate that signed the source
	// (CN=…), empty for an unsigned one. A policy is built unsigned unless
	// build is given --sign, so the policy's head comment says so, and its
	// name drops the file name's trailing -signed or .signed.
	SignedBy string
}

// Imported is a profile turned into a policy.
type Imported struct {
	Policy []byte // the policy's YAML
	// Platform is the platform written into the policy (profile.platform):
	// ImportOptions.Platform, else inferred from the profile's payload types
	// and keys, when PlatformWhy says why in words fit for a note. Platform
	// is empty when the payloads fit no one platform, and PlatformWhy then
	// names the conflict.
	Platform, PlatformWhy string
	// PlatformGuessed says the inferred platform was chosen only by the
	// order of platforms, several fitting equally (see PlatformGuessed);
	// the policy's comment says so.
	PlatformGuessed bool
}

// ImportProfile turns an unsigned configuration profile into a policy that
// builds back into the same profile: the same identifiers and UUIDs,
// whatever their form (so devices update the profile they have instead of
// installing a second one), the same payloads, every key and value with its
// plist type, empty strings included, and no key the source lacked. The
// policy is marked profile.imported, which makes build write its Payload
// keys as they are. name is the file the profile came from, used for the
// policy's name.
//
// Intune tokens become neutral variables ({{mail}} → ${user.email}), and
// payloads that refer to each other's UUID get !uuid references.
//
// Before returning, ImportProfile builds the policy and compares the result
// with the source value for value: when a policy cannot express something,
// the error names the first keys that would differ, and no policy is
// returned.
func ImportProfile(name string, data []byte, opts ImportOptions) (*Imported, error) {
	src, err := DecodeProfile(data)
	if err != nil {
		return nil, err
	}
	top := propertylist.Normalize(src).(map[string]any)
	content, _ := top["PayloadContent"].([]any)
	if content == nil {
		if enc, _ := top["IsEncrypted"].(bool); enc {
			return nil, fmt.Errorf("the profile's payloads are encrypted (EncryptedPayloadContent); import the profile before it was encrypted")
		}
	}
	id, _ := top["PayloadIdentifier"].(string)
	platform, why, guessed := opts.Platform, "", false
	if platform == "" {
		var fits []schema.Platform
		platform, why, fits = inferPlatform(top)
		guessed = platform != "" && len(fits) > 1
		if guessed {
			why += "; " + guessText(why, fits, "import --platform")
		}
	}

	im := importer{names: map[string]bool{}, uuids: map[string]string{}}
	type entry struct {
		name string
		m    map[string]any
	}
	var entries []entry
	for _, c := range content {
		m := c.(map[string]any)
		n := im.payloadName(id, m)
		if u, _ := m["PayloadUUID"].(string); u != "" {
			im.uuids[u] = n
		}
		entries = append(entries, entry{n, m})
	}

	profile := mapping()
	pname := policyName(name, id)
	if n := strings.TrimSuffix(pname, "-signed"); opts.SignedBy != "" && n != "" {
		// foo.signed.mobileconfig is what build --sign writes beside
		// foo.mobileconfig: the policy is foo's.
		pname = n
	}
	add(profile, "name", str(pname))
	add(profile, "identifier", str(id))
	add(profile, "uuid", str(top["PayloadUUID"].(string)))
	add(profile, "imported", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	if platform != "" {
		n := str(platform)
		switch {
		case guessed:
			n.LineComment = "guessed: " + why
		case why != "":
			n.LineComment = "inferred: " + why
		}
		add(profile, "platform", n)
	}
	rest := maps.Clone(top)
	for _, k := range []string{"PayloadContent", "PayloadIdentifier", "PayloadUUID", "PayloadType"} {
		delete(rest, k)
	}
	for _, f := range []struct{ key, setting string }{
		{"PayloadDisplayName", "display_name"}, {"PayloadOrganization", "organization"}, {"PayloadDescription", "description"},
	} {
		if s, ok := rest[f.key].(string); ok {
			add(profile, f.setting, im.value(s))
			delete(rest, f.key)
		}
	}
	removal := mapping()
	if b, ok := rest["PayloadRemovalDisallowed"].(bool); ok {
		add(removal, "disallowed", im.value(b))
		delete(rest, "PayloadRemovalDisallowed")
	}
	if t, ok := rest["RemovalDate"].(time.Time); ok && t.Equal(t.Truncate(time.Second)) {
		add(removal, "date", str(t.UTC().Format(time.RFC3339)))
		delete(rest, "RemovalDate")
	}
	// Build writes DurationUntilRemoval as a real; any other stays in keys,
	// as the removal keys may in an imported policy.
	if d, ok := rest["DurationUntilRemoval"].(float64); ok && d == math.Trunc(d) && d >= 0 && d < 1<<53 {
		add(removal, "after", str(strconv.FormatInt(int64(d), 10)+"s"))
		delete(rest, "DurationUntilRemoval")
	}
	if len(removal.Content) > 0 {
		add(profile, "removal", removal)
	}
	if v, ok := rest["PayloadVersion"].(int64); ok && v == 1 {
		delete(rest, "PayloadVersion") // what build writes
	}
	extra := mapping()
	for _, k := range sortedKeys(rest) {
		add(extra, k, im.value(rest[k]))
	}
	if len(extra.Content) > 0 {
		add(profile, "keys", extra)
	}

	payloads := &yaml.Node{Kind: yaml.SequenceNode}
	for _, e := range entries {
		pl := mapping()
		add(pl, "name", str(e.name))
		t, _ := e.m["PayloadType"].(string)
		add(pl, "type", str(t))
		if s, ok := e.m["PayloadDisplayName"].(string); ok {
			add(pl, "display_name", im.value(s))
		}
		pid, _ := e.m["PayloadIdentifier"].(string)
		add(pl, "identifier", str(pid))
		u, _ := e.m["PayloadUUID"].(string)
		add(pl, "uuid", str(u))
		keys := mapping()
		for _, k := range sortedKeys(e.m) {
			switch k {
			case "PayloadType", "PayloadIdentifier", "PayloadUUID", "PayloadDisplayName":
				continue
			case "PayloadVersion":
				if v, ok := e.m[k].(int64); ok && v == 1 {
					continue
				}
			}
			add(keys, k, im.value(e.m[k]))
		}
		if len(keys.Content) > 0 {
			add(pl, "keys", keys)
		}
		payloads.Content = append(payloads.Content, pl)
	}

	root := mapping()
	root.HeadComment = fmt.Sprintf("Imported from %s by mdmforge import. Its identifiers and UUIDs are kept,\nso the first build updates the profile devices already have.", filepath.Base(name))
	if opts.SignedBy != "" {
		root.HeadComment += fmt.Sprintf("\nThe source was signed by %s; build with --sign to sign it again.", strings.ReplaceAll(opts.SignedBy, "\n", " "))
	}
	add(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"})
	if im.intune {
		// The tokens became variables; building for Intune writes them back.
		add(root, "target", str(string(Intune)))
	}
	add(root, "profile", profile)
	if len(payloads.Content) > 0 {
		add(root, "payloads", payloads)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	if err := checkImport(buf.Bytes(), top); err != nil {
		return nil, err
	}
	return &Imported{Policy: buf.Bytes(), Platform: platform, PlatformWhy: why, PlatformGuessed: guessed}, nil
}

// checkImport builds an imported policy and compares the profile with its
// source: import must never write a policy that builds into something else.
func checkImport(policy []byte, src map[string]any) error {
	p, ds := Decode("imported.yaml", policy)
	if p == nil || ds.Errors() > 0 {
		return fmt.Errorf("a policy cannot express this profile: %s", firstMessages(ds))
	}
	// Build's errors say only how many there are; these name the keys.
	_, _, ds = p.topKeys()
	for i := range p.Payloads {
		_, _, pds := p.genericPayload(i)
		ds = append(ds, pds...)
	}
	if ds.Errors() > 0 {
		return fmt.Errorf("a policy cannot express this profile: %s", firstMessages(ds))
	}
	built, err := p.ProfileTree(Options{})
	if err != nil {
		return fmt.Errorf("a policy cannot express this profile: %w", err)
	}
	if d := TreeDiffs(src, built, 3); len(d) > 0 {
		return fmt.Errorf("a policy cannot express this profile exactly; the rebuilt profile would differ at %s", strings.Join(d, "; "))
	}
	return nil
}

func firstMessages(ds Diagnostics) string {
	var msgs []string
	for _, d := range ds {
		if d.Severity == Error && len(msgs) < 3 {
			msgs = append(msgs, strings.TrimPrefix(d.Path+": "+d.Message, ": "))
		}
	}
	return strings.Join(msgs, "; ")
}

// typeName is a value's plist type as Apple's schema names it.
func typeName(v any) string {
	if _, ok := v.(uint64); ok {
		return string(schema.Integer)
	}
	return string(plistType(v))
}

// TreeDiffs compares two plist trees (profiles as DecodeProfile and
// Policy.ProfileTree return them) value for value and type for type, and
// describes at most max of the places where they differ, by key path
// (PayloadContent[0].Services), in key order; max < 1 means all of them.
func TreeDiffs(want, got any, max int) []string {
	var out []string
	var walk func(path string, a, b any)
	full := func() bool { return max > 0 && len(out) >= max }
	walk = func(path string, a, b any) {
		if full() {
			return
		}
		if reflect.TypeOf(a) != reflect.TypeOf(b) {
			out = append(out, fmt.Sprintf("%s (%s, rebuilt as %s)", path, typeName(a), typeName(b)))
			return
		}
		switch x := a.(type) {
		case map[string]any:
			y := b.(map[string]any)
			keys := maps.Clone(x)
			maps.Copy(keys, y)
			for _, k := range sortedKeys(keys) {
				av, ina := x[k]
				bv, inb := y[k]
				switch {
				case full():
					return
				case !inb:
					out = append(out, subPath(path, k)+" (missing from the rebuilt profile)")
				case !ina:
					out = append(out, subPath(path, k)+" (added by build)")
				default:
					walk(subPath(path, k), av, bv)
				}
			}
		case []any:
			y := b.([]any)
			if len(x) != len(y) {
				out = append(out, fmt.Sprintf("%s (%d items, rebuilt with %d)", path, len(x), len(y)))
				return
			}
			for i := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), x[i], y[i])
			}
		case time.Time:
			if !x.Equal(b.(time.Time)) {
				out = append(out, path+" (another date)")
			}
		default:
			if !reflect.DeepEqual(a, b) {
				out = append(out, path+" (another value)")
			}
		}
	}
	walk("", propertylist.Normalize(want), propertylist.Normalize(got))
	return out
}

type importer struct {
	names  map[string]bool   // payload names taken
	uuids  map[string]string // PayloadUUID → payload name, for !uuid references
	intune bool              // an Intune token became a variable
}

var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// payloadName picks a readable, unique name for a payload: the part of its
// identifier after the profile's, else the end of its identifier, else (when
// the identifier is made of UUIDs, as many tools write them) its type.
func (im *importer) payloadName(profileID string, m map[string]any) string {
	pid, _ := m["PayloadIdentifier"].(string)
	t, _ := m["PayloadType"].(string)
	candidate := strings.TrimPrefix(pid, profileID+".")
	if candidate == pid || candidate == "" {
		candidate = pid[strings.LastIndexByte(pid, '.')+1:]
	}
	if uuidLike.MatchString(candidate) || candidate == "" {
		candidate = strings.TrimPrefix(t, "com.apple.")
	}
	candidate = strings.Trim(nameUnsafe.ReplaceAllString(candidate, "-"), "-_")
	if candidate == "" || candidate == "exchange" || candidate == "restrictions" {
		candidate = strings.Trim(nameUnsafe.ReplaceAllString(strings.TrimPrefix(t, "com.apple."), "-"), "-") + "-payload"
	}
	n := candidate
	for i := 2; im.names[n]; i++ {
		n = fmt.Sprintf("%s-%d", candidate, i)
	}
	im.names[n] = true
	return n
}

// uuidLike matches an identifier holding a UUID, or 32 hex digits, anywhere:
// no name for people to read.
var uuidLike = regexp.MustCompile(`[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}`)

func policyName(file, id string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	base = strings.Trim(nameUnsafe.ReplaceAllString(base, "-"), "-_.")
	if base == "" || !safeName.MatchString(base) {
		base = strings.Trim(nameUnsafe.ReplaceAllString(id[strings.LastIndexByte(id, '.')+1:], "-"), "-_")
	}
	if base == "" {
		base = "imported"
	}
	return base
}

// value writes a plist value as YAML whose type decodes back to the same
// plist type.
func (im *importer) value(v any) *yaml.Node {
	switch x := v.(type) {
	case string:
		if name, ok := im.uuids[x]; ok {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!uuid", Value: name}
		}
		n := neutralVariables(x)
		im.intune = im.intune || strings.Count(n, "${") > strings.Count(x, "${")
		return str(n)
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}
	case uint64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(x, 10)}
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0" // keep it a real
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}
	case []byte:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!binary", Value: base64.StdEncoding.EncodeToString(x)}
	case time.Time:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: x.UTC().Format(time.RFC3339)}
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range x {
			n.Content = append(n.Content, im.value(e))
		}
		return n
	case map[string]any:
		n := mapping()
		for _, k := range sortedKeys(x) {
			add(n, k, im.value(x[k]))
		}
		return n
	}
	return str(fmt.Sprint(v))
}

// neutralVariables escapes "${" and writes Intune tokens as the neutral
// variables they stand for, so the policy builds for any MDM.
func neutralVariables(s string) string {
	s = strings.ReplaceAll(s, "${", "$${")
	for _, v := range variables {
		if tok, ok := v.Syntax[Intune]; ok {
			s = strings.ReplaceAll(s, tok, "${"+v.Name+"}")
		}
	}
	return s
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11Bool[strings.ToLower(s)] {
		// Text to mdmforge, but true or false to YAML 1.1 readers: quoted,
		// every reader sees text.
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

var yaml11Bool = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
