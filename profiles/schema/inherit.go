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
// does not define itself, after its own. The keys are the parent's, shared:
// their platforms are the parent's, and the payload's own platforms still
// decide where it is available.
func (d *database) inherit() error {
	for _, child := range sortedNames(inherits) {
		c, p := d.payloads[child], d.payloads[inherits[child]]
		if c == nil || p == nil {
			return fmt.Errorf("inherits: %s or %s is not in the schema", child, inherits[child])
		}
		c.Inherits = p.Type
		for _, k := range p.Keys {
			if _, own := c.index[k.Name]; own || k.IsWildcard() {
				continue
			}
			c.Keys = append(c.Keys, k)
			c.index[k.Name] = k
		}
	}
	return nil
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
