package profiles

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"go.yaml.in/yaml/v3"
)

// Import turns an unsigned configuration profile into a policy that builds
// back into the same profile: the same identifiers and UUIDs (so devices
// update the profile they have), the same payloads, keys and values. name
// is the file the profile came from, used for the policy's name.
//
// Intune tokens become neutral variables ({{mail}} → ${user.email}), and
// payloads that refer to each other's UUID get !uuid references.
func Import(name string, data []byte) ([]byte, error) {
	top, err := DecodeProfile(data)
	if err != nil {
		return nil, err
	}
	top = propertylist.Normalize(top).(map[string]any)
	if v, ok := top["PayloadVersion"].(int64); ok && v != 1 {
		return nil, fmt.Errorf("PayloadVersion is %d; mdmforge writes version 1 profiles", v)
	}
	content, _ := top["PayloadContent"].([]any)
	id, _ := top["PayloadIdentifier"].(string)

	im := importer{names: map[string]bool{}, uuids: map[string]string{}}
	type entry struct {
		name string
		m    map[string]any
	}
	var entries []entry
	for i, c := range content {
		m := c.(map[string]any)
		if v, ok := m["PayloadVersion"].(int64); ok && v != 1 {
			return nil, fmt.Errorf("PayloadContent[%d]: PayloadVersion is %d; mdmforge writes version 1 payloads", i, v)
		}
		n := im.payloadName(id, m)
		if u, _ := m["PayloadUUID"].(string); u != "" {
			im.uuids[u] = n
		}
		entries = append(entries, entry{n, m})
	}

	profile := mapping()
	add(profile, "name", str(policyName(name, id)))
	add(profile, "identifier", str(id))
	if u, _ := top["PayloadUUID"].(string); u != PayloadUUID(id) {
		add(profile, "uuid", str(u))
	}
	for _, f := range []struct{ key, setting string }{
		{"PayloadDisplayName", "display_name"}, {"PayloadOrganization", "organization"}, {"PayloadDescription", "description"},
	} {
		if s, ok := top[f.key].(string); ok {
			add(profile, f.setting, im.value(s))
		}
	}
	removal := mapping()
	if b, ok := top["PayloadRemovalDisallowed"].(bool); ok {
		add(removal, "disallowed", im.value(b))
		delete(top, "PayloadRemovalDisallowed")
	}
	if t, ok := top["RemovalDate"].(time.Time); ok {
		add(removal, "date", str(t.UTC().Format(time.RFC3339)))
		delete(top, "RemovalDate")
	}
	if d, ok := number(top["DurationUntilRemoval"]); ok && d == math.Trunc(d) && d >= 0 {
		add(removal, "after", str(strconv.FormatInt(int64(d), 10)+"s"))
		delete(top, "DurationUntilRemoval")
	}
	if len(removal.Content) > 0 {
		add(profile, "removal", removal)
	}
	extra := mapping()
	for _, k := range sortedKeys(top) {
		switch k {
		case "PayloadContent", "PayloadIdentifier", "PayloadUUID", "PayloadType", "PayloadVersion",
			"PayloadDisplayName", "PayloadOrganization", "PayloadDescription":
			continue
		}
		add(extra, k, im.value(top[k]))
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
		if pid != id+"."+e.name {
			add(pl, "identifier", str(pid))
		}
		if u, _ := e.m["PayloadUUID"].(string); u != PayloadUUID(pid) {
			add(pl, "uuid", str(u))
		}
		keys := mapping()
		for _, k := range sortedKeys(e.m) {
			if !managedKeys[k] {
				add(keys, k, im.value(e.m[k]))
			}
		}
		if len(keys.Content) > 0 {
			add(pl, "keys", keys)
		}
		payloads.Content = append(payloads.Content, pl)
	}

	root := mapping()
	root.HeadComment = fmt.Sprintf("Imported from %s by mdmforge import. Its identifiers and UUIDs are kept,\nso the first build updates the profile devices already have.", filepath.Base(name))
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
	return buf.Bytes(), nil
}

type importer struct {
	names  map[string]bool   // payload names taken
	uuids  map[string]string // PayloadUUID → payload name, for !uuid references
	intune bool              // an Intune token became a variable
}

var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// payloadName picks a readable, unique name for a payload: the part of its
// identifier after the profile's, else the end of its identifier or type.
func (im *importer) payloadName(profileID string, m map[string]any) string {
	pid, _ := m["PayloadIdentifier"].(string)
	t, _ := m["PayloadType"].(string)
	candidate := strings.TrimPrefix(pid, profileID+".")
	if candidate == pid || candidate == "" {
		candidate = pid[strings.LastIndexByte(pid, '.')+1:]
	}
	if _, err := fmt.Sscanf(candidate, "%8x", new(uint32)); err == nil && len(candidate) >= 32 || candidate == "" {
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

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

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
