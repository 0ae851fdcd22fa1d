package main

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema/internal/record"
	"go.yaml.in/yaml/v3"
)

// Keys and their support per platform are the bulk of Apple's schema and
// its most irregular part (recursive payloads written as YAML aliases of an
// ancestor's subkeys, per-platform fields, ranges and allowed values), so
// they have a file of their own.

var (
	platforms = []string{"iOS", "macOS", "tvOS", "visionOS", "watchOS"}
	versionRE = regexp.MustCompile(`^(n/a|all|[0-9]+(\.[0-9]+)*)$`)
	modes     = []string{"allowed", "required", "forbidden", "ignored"}
	types     = []string{"string", "integer", "real", "boolean", "date", "data", "array", "dictionary", "any"}
)

func (p *parser) supportedOS(n *yaml.Node) (map[string]*record.OS, error) {
	fs, err := p.fields(n, platforms, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]*record.OS{}
	for _, f := range fs {
		o, err := p.os(f.val)
		if err != nil {
			return nil, err
		}
		out[f.name] = o
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (p *parser) os(n *yaml.Node) (*record.OS, error) {
	o := &record.OS{}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return o, nil
	}
	fs, err := p.fields(n, []string{
		"introduced", "deprecated", "removed", "multiple", "supervised", "allowmanualinstall",
		"devicechannel", "userchannel", "requiresdep", "userapprovedmdm", "userenrollment", "sharedipad",
	}, nil)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		switch f.name {
		case "introduced", "deprecated", "removed":
			v, err := p.str(f.val)
			if err != nil {
				return nil, err
			}
			if !versionRE.MatchString(v) {
				return nil, p.errf(f.val, "bad version %q", v)
			}
			switch f.name {
			case "introduced":
				o.Introduced = v
			case "deprecated":
				o.Deprecated = v
			case "removed":
				o.Removed = v
			}
		case "userenrollment":
			// behavior is prose.
			ue, err := p.fields(f.val, []string{"mode"}, []string{"behavior"})
			if err != nil {
				return nil, err
			}
			for _, m := range ue {
				if o.UserEnrollment, err = p.mode(m.val); err != nil {
					return nil, err
				}
			}
		case "sharedipad":
			sp, err := p.fields(f.val, []string{"mode", "devicechannel", "userchannel"}, nil)
			if err != nil {
				return nil, err
			}
			o.SharedIPad = &record.SharedIPad{}
			for _, s := range sp {
				switch s.name {
				case "mode":
					o.SharedIPad.Mode, err = p.mode(s.val)
				case "devicechannel":
					o.SharedIPad.DeviceChannel, err = p.boolean(s.val)
				case "userchannel":
					o.SharedIPad.UserChannel, err = p.boolean(s.val)
				}
				if err != nil {
					return nil, err
				}
			}
		default:
			b, err := p.boolean(f.val)
			if err != nil {
				return nil, err
			}
			switch f.name {
			case "multiple":
				o.Multiple = b
			case "supervised":
				o.Supervised = b
			case "allowmanualinstall":
				o.AllowManualInstall = b
			case "devicechannel":
				o.DeviceChannel = b
			case "userchannel":
				o.UserChannel = b
			case "requiresdep":
				o.RequiresDEP = b
			case "userapprovedmdm":
				o.UserApprovedMDM = b
			}
		}
	}
	return o, nil
}

func (p *parser) mode(n *yaml.Node) (string, error) {
	s, err := p.str(n)
	if err != nil {
		return "", err
	}
	if !contains(modes, s) {
		return "", p.errf(n, "bad mode %q", s)
	}
	return s, nil
}

// keys parses a payloadkeys or subkeys sequence whose owner key has the
// given path (nil for the payload) and whose entries sit at depth.
func (p *parser) keys(n *yaml.Node, path []string, depth int) error {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		return p.errf(n, "want a sequence of keys")
	}
	p.stack = append(p.stack, frame{n, path})
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	names := map[string]bool{}
	for _, kn := range n.Content {
		k, sub, err := p.key(kn)
		if err != nil {
			return err
		}
		if names[k.Key] {
			return p.errf(kn, "duplicate key %q", k.Key)
		}
		names[k.Key] = true
		p.out.keys = append(p.out.keys, line{depth, k})
		if sub == nil || len(sub.Content) == 0 {
			if k.Type == "array" {
				return p.errf(kn, "array %q without element description", k.Key)
			}
			continue
		}
		switch k.Type {
		case "array":
			if len(sub.Content) != 1 {
				return p.errf(kn, "array %q has %d subkeys, want 1", k.Key, len(sub.Content))
			}
		case "dictionary":
		default:
			return p.errf(kn, "%s key %q has subkeys", k.Type, k.Key)
		}
		kpath := append(append([]string(nil), path...), k.Key)
		if owner := p.onStack(sub); owner != nil {
			// A recursive alias: share the ancestor's subkeys.
			if len(owner) == 0 {
				return p.errf(kn, "key %q refers to the payload's own keys", k.Key)
			}
			k.Ref = append([]string(nil), owner...)
			continue
		}
		if err := p.keys(sub, kpath, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) onStack(seq *yaml.Node) []string {
	for _, f := range p.stack {
		if f.seq == seq {
			if f.path == nil {
				return []string{}
			}
			return f.path
		}
	}
	return nil
}

// key parses one key, returning it and its (resolved) subkeys node.
func (p *parser) key(n *yaml.Node) (*record.Key, *yaml.Node, error) {
	fs, err := p.fields(n, []string{
		"key", "type", "presence", "default", "rangelist", "range", "format",
		"valuetype", "subtype", "repetition", "supportedOS", "subkeys",
	}, []string{"title", "content", "subkeytype"})
	if err != nil {
		return nil, nil, err
	}
	k := &record.Key{}
	var sub *yaml.Node
	for _, f := range fs {
		switch f.name {
		case "key":
			k.Key, err = p.str(f.val)
		case "type":
			var t string
			if t, err = p.str(f.val); err == nil {
				k.Type = strings.TrimSuffix(strings.TrimPrefix(t, "<"), ">")
				if !contains(types, k.Type) {
					err = p.errf(f.val, "unknown type %q", t)
				}
			}
		case "presence":
			var s string
			if s, err = p.str(f.val); err == nil {
				switch s {
				case "required":
					k.Required = true
				case "optional":
				default:
					err = p.errf(f.val, "bad presence %q", s)
				}
			}
		case "default":
			k.Default, err = p.value(f.val)
		case "rangelist":
			if f.val.Kind != yaml.SequenceNode {
				err = p.errf(f.val, "rangelist: want a sequence")
				break
			}
			k.Allowed = []json.RawMessage{}
			for _, v := range f.val.Content {
				var r json.RawMessage
				if r, err = p.value(resolve(v)); err != nil {
					break
				}
				k.Allowed = append(k.Allowed, r)
			}
		case "range", "repetition":
			var r *record.Range
			if r, err = p.rng(f.val); err == nil {
				if f.name == "range" {
					k.Range = r
				} else {
					k.Repetition = r
				}
			}
		case "format":
			k.Format, err = p.str(f.val)
			if err == nil {
				if _, rerr := regexp.Compile(k.Format); rerr != nil {
					err = p.errf(f.val, "format %q is not a Go regexp: %v", k.Format, rerr)
				}
			}
		case "valuetype", "subtype":
			var s string
			if s, err = p.str(f.val); err == nil {
				k.ValueType = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
			}
		case "supportedOS":
			k.OS, err = p.supportedOS(f.val)
		case "subkeys":
			sub = f.val
			if sub.Kind != yaml.SequenceNode {
				err = p.errf(sub, "subkeys: want a sequence")
			}
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if k.Key == "" || k.Type == "" {
		return nil, nil, p.errf(n, "key without name or type")
	}
	return k, sub, nil
}

func (p *parser) rng(n *yaml.Node) (*record.Range, error) {
	fs, err := p.fields(n, []string{"min", "max"}, nil)
	if err != nil {
		return nil, err
	}
	r := &record.Range{}
	for _, f := range fs {
		v, err := p.number(f.val)
		if err != nil {
			return nil, err
		}
		if f.name == "min" {
			r.Min = v
		} else {
			r.Max = v
		}
	}
	return r, nil
}
