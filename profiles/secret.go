package profiles

// HoldsSecret reports whether the policy's profile carries a secret (an
// Exchange or PKCS#12 password, a pre-shared key, …) with a value, so that
// the files holding it can be written readable by their owner only.
func (p *Policy) HoldsSecret() bool {
	tree, err := p.rawTree()
	return err == nil && treeHoldsSecret(tree, "")
}

// ProfileHoldsSecret reports whether a decoded configuration profile (see
// DecodeProfile) carries a secret with a value, for commands that write an
// existing profile, signed or turned into a policy.
func ProfileHoldsSecret(profile map[string]any) bool { return treeHoldsSecret(profile, "") }

// HoldsSecret reports whether the template carries a secret, a per-user
// variable in a secret key included.
func (t *Template) HoldsSecret() bool { return treeHoldsSecret(t.tree, "") }

func treeHoldsSecret(v any, payloadType string) bool {
	switch x := v.(type) {
	case map[string]any:
		if pt, ok := x["PayloadType"].(string); ok {
			payloadType = pt
		}
		for k, val := range x {
			if IsSecretKey(payloadType, k) && secretValue(val) && !emptyValue(val) {
				return true
			}
			if treeHoldsSecret(val, payloadType) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if treeHoldsSecret(e, payloadType) {
				return true
			}
		}
	}
	return false
}

func emptyValue(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case []byte:
		return len(x) == 0
	case nil:
		return true
	}
	return false
}
