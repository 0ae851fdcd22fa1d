package schema

import (
	"fmt"
	"sort"
)

// inherits holds the payloads whose Apple YAML says in its description that
// they have every key of another payload, which the YAML's keys do not
// repeat. com.apple.vpn.managed.applayer.yaml: "The fields in this payload
// are the same as the VPN payload, with the addition of the fields shown
// below." A per-app VPN carries VPNType, VPN, IKEv2, VendorConfig, IPv4,
// Proxies and the rest of com.apple.vpn.managed, as every per-app VPN
// profile does. Kept as a table here rather than copied into apple.jsonl,
// so the embedded data stays what Apple's YAML says, key for key.
var inherits = map[string]string{
	"com.apple.vpn.managed.applayer": "com.apple.vpn.managed",
}

// inherit gives each payload of inherits the keys of its parent that it
// does not define itself, after its own. The keys keep the parent's
// platforms; on a platform the parent payload lacks altogether (a per-app
// VPN exists on watchOS, the VPN payload does not), they take the payload's
// own support, as every key inherits its payload's, so a watchOS per-app
// VPN's VPNType is not reported as ignored.
func (d *database) inherit() error {
	for _, child := range sortedNames(inherits) {
		c, p := d.payloads[child], d.payloads[inherits[child]]
		if c == nil || p == nil {
			return fmt.Errorf("inherits: %s or %s is not in the schema", child, inherits[child])
		}
		extra := map[Platform]*Support{}
		for pl, sup := range c.Platforms {
			if p.Platforms[pl] == nil {
				extra[pl] = sup
			}
		}
		c.Inherits = p.Type
		c.inherited = map[string]bool{}
		memo := map[*Key]*Key{}
		for _, k := range p.Keys {
			if _, own := c.index[k.Name]; own || k.IsWildcard() {
				continue
			}
			k = adopt(k, extra, memo)
			c.Keys = append(c.Keys, k)
			c.index[k.Name] = k
			c.inherited[k.Name] = true
		}
	}
	return nil
}

// adopt returns k with the platforms of extra added where k has none, and
// the same for its subkeys; without extra, k itself. memo keeps a
// recursive key's copy one key.
func adopt(k *Key, extra map[Platform]*Support, memo map[*Key]*Key) *Key {
	if len(extra) == 0 || k == nil {
		return k
	}
	if c, ok := memo[k]; ok {
		return c
	}
	c := *k
	memo[k] = &c
	c.Platforms = make(map[Platform]*Support, len(k.Platforms)+len(extra))
	for pl, sup := range k.Platforms {
		c.Platforms[pl] = sup
	}
	for pl, sup := range extra {
		if c.Platforms[pl] == nil {
			c.Platforms[pl] = sup
		}
	}
	c.Item = adopt(k.Item, extra, memo)
	c.Keys = make([]*Key, len(k.Keys))
	c.index, c.wildcard = nil, nil
	if k.index != nil {
		c.index = make(map[string]*Key, len(k.Keys))
	}
	for i, sub := range k.Keys {
		c.Keys[i] = adopt(sub, extra, memo)
		if c.index != nil {
			c.index[sub.Name] = c.Keys[i]
		}
		if sub == k.wildcard {
			c.wildcard = c.Keys[i]
		}
	}
	return &c
}

// InheritedKey reports whether the payload's key of that name is one it
// inherits (see Inherits) rather than one of its own.
func (p *Payload) InheritedKey(name string) bool { return p.inherited[name] }

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
