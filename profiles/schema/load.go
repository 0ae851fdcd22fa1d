package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/mdmforge/mdmforge/profiles/schema/internal/record"
)

//go:embed apple.jsonl
var data []byte

const (
	configurationType = "Configuration"
	commonType        = "CommonPayloadKeys" // pseudo payload type of CommonPayloadKeys.yaml
	indexThreshold    = 8                   // build a map for more children than this
)

type database struct {
	source      Source
	payloads    map[string]*Payload
	types       []string
	common      []*Key
	commonIndex map[string]*Key
}

var (
	loadOnce sync.Once
	db       *database
)

func get() *database {
	loadOnce.Do(func() {
		d, err := parse(data)
		if err != nil {
			panic("schema: bad embedded data: " + err.Error())
		}
		db = d
	})
	return db
}

// rawOS is the inherited, not yet interpreted supportedOS of a node.
type rawOS map[Platform]record.OS

// frame is an open key while parsing.
type frame struct {
	key       *Key
	raw       rawOS
	platforms map[Platform]*Support
}

type ref struct {
	key  *Key
	path []string
}

type parser struct {
	line int
	// current payload
	payload *Payload
	raw     rawOS
	stack   []frame
	refs    []ref
}

func parse(b []byte) (*database, error) {
	d := &database{payloads: map[string]*Payload{}}
	var files []*Payload // in file order: sorted by type, then variant
	p := &parser{}
	finish := func() error {
		if p.payload == nil {
			return nil
		}
		if err := p.finish(); err != nil {
			return err
		}
		files = append(files, p.payload)
		return nil
	}
	for len(b) > 0 {
		var ln []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			ln, b = b[:i], b[i+1:]
		} else {
			ln, b = b, nil
		}
		p.line++
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		if p.line == 1 {
			var h record.Header
			if err := json.Unmarshal(ln, &h); err != nil {
				return nil, fmt.Errorf("line 1: %v", err)
			}
			if h.Format != record.Format {
				return nil, fmt.Errorf("format %q, want %q", h.Format, record.Format)
			}
			d.source = Source{Origin: OriginApple, Repository: h.Source, Path: h.Path, Commit: h.Commit, Date: h.Date, Release: h.Release}
			continue
		}
		indent := len(ln) - len(bytes.TrimLeft(ln, " "))
		ln = ln[indent:]
		if indent == 0 && bytes.HasPrefix(ln, []byte(`{"payload":`)) {
			if err := finish(); err != nil {
				return nil, err
			}
			var r record.Payload
			if err := json.Unmarshal(ln, &r); err != nil {
				return nil, fmt.Errorf("line %d: %v", p.line, err)
			}
			p.start(&r)
			continue
		}
		if p.payload == nil || indent%2 != 0 {
			return nil, fmt.Errorf("line %d: unexpected key line", p.line)
		}
		var r record.Key
		if err := json.Unmarshal(ln, &r); err != nil {
			return nil, fmt.Errorf("line %d: %v", p.line, err)
		}
		if err := p.key(&r, indent/2); err != nil {
			return nil, fmt.Errorf("line %d: %v", p.line, err)
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}

	// Group the files by type.
	for i := 0; i < len(files); {
		j := i + 1
		for j < len(files) && files[j].Type == files[i].Type {
			j++
		}
		group := files[i:j]
		i = j
		pl := group[0]
		if len(group) > 1 {
			pl = merge(group)
		}
		if pl.Type == commonType {
			d.common = pl.Keys
			d.commonIndex = pl.index
			continue
		}
		pl.common = pl.Type != configurationType
		for _, v := range pl.Variants {
			v.common = pl.common
		}
		d.payloads[pl.Type] = pl
	}
	if d.common == nil || d.payloads[configurationType] == nil {
		return nil, fmt.Errorf("no %s or %s", commonType, configurationType)
	}
	if err := d.inherit(); err != nil {
		return nil, err
	}
	d.types = sortedKeys(d.payloads)
	return d, nil
}

func (p *parser) start(r *record.Payload) {
	p.payload = &Payload{Type: r.Payload, Variant: r.Variant, File: r.File, Origin: OriginApple, Kind: KindPayload}
	p.raw = inherit(nil, r.OS)
	p.payload.Platforms = effective(p.raw)
	p.stack = p.stack[:0]
	p.refs = nil
}

func (p *parser) key(r *record.Key, depth int) error {
	if depth > len(p.stack) {
		return fmt.Errorf("key %q: bad indentation", r.Key)
	}
	p.stack = p.stack[:depth]
	parentRaw, parentPlat := p.raw, p.payload.Platforms
	if depth > 0 {
		parentRaw, parentPlat = p.stack[depth-1].raw, p.stack[depth-1].platforms
	}
	k := &Key{
		Name:      r.Key,
		Origin:    OriginApple,
		Type:      Type(r.Type),
		Required:  r.Required,
		Format:    r.Format,
		ValueType: r.ValueType,
		Range:     rng(r.Range),
	}
	k.Repetition = rng(r.Repetition)
	var err error
	if r.Default != nil {
		if k.Default, err = value(r.Default, k.Type); err != nil {
			return fmt.Errorf("key %q default: %v", r.Key, err)
		}
	}
	if r.Allowed != nil {
		k.Allowed = make([]any, len(r.Allowed))
		for i, a := range r.Allowed {
			if k.Allowed[i], err = value(a, k.Type); err != nil {
				return fmt.Errorf("key %q: %v", r.Key, err)
			}
		}
	}
	raw, plat := parentRaw, parentPlat
	if len(r.OS) > 0 {
		raw = inherit(parentRaw, r.OS)
		plat = effective(raw)
	}
	k.Platforms = plat
	if depth == 0 {
		p.payload.Keys = append(p.payload.Keys, k)
	} else {
		parent := p.stack[depth-1].key
		switch parent.Type {
		case Array:
			if parent.Item != nil {
				return fmt.Errorf("array %q has several element schemas", parent.Name)
			}
			parent.Item = k
		case Dictionary:
			parent.Keys = append(parent.Keys, k)
		default:
			return fmt.Errorf("%s key %q has children", parent.Type, parent.Name)
		}
	}
	if r.Ref != nil {
		p.refs = append(p.refs, ref{k, r.Ref})
	}
	p.stack = append(p.stack, frame{k, raw, plat})
	return nil
}

// finish indexes the current payload and resolves its recursive references.
func (p *parser) finish() error {
	pl := p.payload
	pl.index = make(map[string]*Key, len(pl.Keys))
	for _, k := range pl.Keys {
		pl.index[k.Name] = k
		if k.IsWildcard() {
			pl.wildcard = k
		}
		indexKey(k)
	}
	for _, r := range p.refs {
		target, ok := pl.index[r.path[0]]
		for _, name := range r.path[1:] {
			if !ok {
				break
			}
			target, ok = child(target, name)
		}
		if !ok {
			return fmt.Errorf("%s: key %q refers to unknown %q", pl.File, r.key.Name, r.path)
		}
		r.key.Keys, r.key.Item, r.key.index, r.key.wildcard = target.Keys, target.Item, target.index, target.wildcard
	}
	return nil
}

// indexKey builds the lookup structures of k and its descendants. It runs
// before recursive references are resolved, when the keys form a tree.
func indexKey(k *Key) {
	if k.Item != nil {
		indexKey(k.Item)
	}
	if len(k.Keys) > indexThreshold {
		k.index = make(map[string]*Key, len(k.Keys))
	}
	for _, c := range k.Keys {
		if k.index != nil {
			k.index[c.Name] = c
		}
		if c.IsWildcard() {
			k.wildcard = c
		}
		indexKey(c)
	}
}

func child(k *Key, name string) (*Key, bool) {
	if k.Item != nil && k.Item.Name == name {
		return k.Item, true
	}
	for _, c := range k.Keys {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// inherit applies Apple's rule: start from the parent's supportedOS and
// override, per platform and field, what the child states.
func inherit(parent rawOS, over map[string]*record.OS) rawOS {
	out := make(rawOS, len(parent)+len(over))
	for pl, o := range parent {
		out[pl] = o
	}
	for name, o := range over {
		pl := Platform(name)
		m := out[pl]
		switch o.Introduced {
		case "":
		case "all":
			// "all" only occurs where a version is inherited; keep it.
			if m.Introduced == "" || m.Introduced == "n/a" {
				m.Introduced = "all"
			}
		default:
			m.Introduced = o.Introduced
		}
		setString(&m.Deprecated, o.Deprecated)
		setString(&m.Removed, o.Removed)
		setString(&m.UserEnrollment, o.UserEnrollment)
		setBool(&m.Multiple, o.Multiple)
		setBool(&m.Supervised, o.Supervised)
		setBool(&m.AllowManualInstall, o.AllowManualInstall)
		setBool(&m.DeviceChannel, o.DeviceChannel)
		setBool(&m.UserChannel, o.UserChannel)
		setBool(&m.RequiresDEP, o.RequiresDEP)
		setBool(&m.UserApprovedMDM, o.UserApprovedMDM)
		if o.SharedIPad != nil {
			s := record.SharedIPad{}
			if m.SharedIPad != nil {
				s = *m.SharedIPad
			}
			setString(&s.Mode, o.SharedIPad.Mode)
			setBool(&s.DeviceChannel, o.SharedIPad.DeviceChannel)
			setBool(&s.UserChannel, o.SharedIPad.UserChannel)
			m.SharedIPad = &s
		}
		out[pl] = m
	}
	return out
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func setBool(dst **bool, v *bool) {
	if v != nil {
		*dst = v
	}
}

// effective converts inherited raw data to the public form, leaving out
// platforms that are n/a or have no introduced version.
func effective(raw rawOS) map[Platform]*Support {
	out := make(map[Platform]*Support, len(raw))
	for pl, o := range raw {
		if o.Introduced == "" || o.Introduced == "n/a" {
			continue
		}
		s := &Support{
			Introduced:      o.Introduced,
			Deprecated:      o.Deprecated,
			Removed:         o.Removed,
			Multiple:        isTrue(o.Multiple),
			Supervised:      isTrue(o.Supervised),
			ManualInstall:   isTrue(o.AllowManualInstall),
			DeviceChannel:   isTrue(o.DeviceChannel),
			UserChannel:     isTrue(o.UserChannel),
			RequiresDEP:     isTrue(o.RequiresDEP),
			UserApprovedMDM: isTrue(o.UserApprovedMDM),
			UserEnrollment:  Mode(o.UserEnrollment),
			Origin:          OriginApple,
		}
		if s.Introduced == "all" {
			s.Introduced = ""
		}
		if o.SharedIPad != nil {
			s.SharedIPad = SharedIPad{
				Mode:          Mode(o.SharedIPad.Mode),
				DeviceChannel: isTrue(o.SharedIPad.DeviceChannel),
				UserChannel:   isTrue(o.SharedIPad.UserChannel),
			}
		}
		out[pl] = s
	}
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

func rng(r *record.Range) *Range {
	if r == nil {
		return nil
	}
	return &Range{Min: r.Min, Max: r.Max}
}

// value decodes a default or allowed value: string, bool, int64, or float64
// for reals and non-integral numbers.
func value(raw json.RawMessage, t Type) (any, error) {
	switch {
	case len(raw) == 0:
		return nil, fmt.Errorf("empty value")
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	}
	s := string(raw)
	if t != Real && !bytes.ContainsAny(raw, ".eE") {
		return strconv.ParseInt(s, 10, 64)
	}
	return strconv.ParseFloat(s, 64)
}

// merge combines the payloads of several files describing one type (sorted
// by variant, so the file named after the type comes first). Keys are the
// union in that order; for a name defined by several files the first wins.
// Per platform, the merged support is the least restrictive: supported from
// the earliest Introduced, deprecated or removed only if every file says so,
// supervised-only, DEP-only or user-approved-MDM-only only if every file
// says so, and manual install, channels and Multiple if any file allows
// them; Multiple is also true when several files support the platform,
// since their payloads can be combined. Modes come from the first file
// supporting the platform.
func merge(group []*Payload) *Payload {
	m := &Payload{
		Origin:    OriginApple,
		Kind:      KindPayload,
		Type:      group[0].Type,
		Variants:  append([]*Payload(nil), group...),
		Platforms: map[Platform]*Support{},
		index:     map[string]*Key{},
	}
	for _, v := range group {
		for _, k := range v.Keys {
			if _, dup := m.index[k.Name]; dup {
				continue
			}
			m.index[k.Name] = k
			m.Keys = append(m.Keys, k)
			if k.IsWildcard() {
				m.wildcard = k
			}
		}
	}
	for _, pl := range AllPlatforms() {
		var n int
		var s Support
		for _, v := range group {
			vs := v.Platforms[pl]
			if vs == nil {
				continue
			}
			n++
			if n == 1 {
				s = *vs
				continue
			}
			if CompareVersions(vs.Introduced, s.Introduced) < 0 {
				s.Introduced = vs.Introduced
			}
			s.Deprecated = latest(s.Deprecated, vs.Deprecated)
			s.Removed = latest(s.Removed, vs.Removed)
			s.Multiple = true
			s.Supervised = s.Supervised && vs.Supervised
			s.RequiresDEP = s.RequiresDEP && vs.RequiresDEP
			s.UserApprovedMDM = s.UserApprovedMDM && vs.UserApprovedMDM
			s.ManualInstall = s.ManualInstall || vs.ManualInstall
			s.DeviceChannel = s.DeviceChannel || vs.DeviceChannel
			s.UserChannel = s.UserChannel || vs.UserChannel
		}
		if n > 0 {
			m.Platforms[pl] = &s
		}
	}
	return m
}

// latest returns the later of two versions, or "" if either is "" (not
// deprecated/removed in one of the files).
func latest(a, b string) string {
	if a == "" || b == "" {
		return ""
	}
	if CompareVersions(a, b) < 0 {
		return b
	}
	return a
}
