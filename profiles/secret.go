package profiles

import "strings"

// Secrets: the keys whose values mdmforge never prints. They are a fact
// about Apple's and Microsoft's keys, used by profiles' own findings, by
// inspect and by the diff package, which imports this one.

// secretNames are keys whose values are credentials in any payload, in
// lower case; see IsSecretKey for the names matched by their ending.
var secretNames = map[string]bool{"challenge": true, "psk": true, "presharedkey": true, "privatekey": true}

// IsSecretKey reports whether the value of key, in a payload of
// payloadType or in a dictionary anywhere inside one, is a secret that
// mdmforge never prints: diff and inspect show "<secret>" instead, so that
// output pasted into a review or a pull-request comment leaks nothing. The
// secret keys are Challenge (a SCEP challenge), PSK, PreSharedKey,
// PrivateKey, every key whose name ends in Password, Secret, Passphrase or
// Token (Password, CertificatePassword, AuthPassword, XAuthPassword,
// SharedSecret, ...), compared without regard to case so that JSON
// settings are covered too, and the PayloadContent of a
// com.apple.security.pkcs12 payload, which is the private key. The rule
// errs on the side of hiding; RedactSecrets and diff still show true and
// false under such keys (askForPassword, OneTimeUserPassword), which are
// settings rather than secrets.
func IsSecretKey(payloadType, key string) bool {
	k := strings.ToLower(key)
	for _, suffix := range []string{"password", "secret", "passphrase", "token"} {
		if strings.HasSuffix(k, suffix) {
			return true
		}
	}
	return secretNames[k] || key == "PayloadContent" && payloadType == "com.apple.security.pkcs12"
}

// secretValue reports whether v, the value of a secret key, is to be
// hidden: everything but a boolean, which says whether a feature is on and
// gives nothing away.
func secretValue(v any) bool {
	_, ok := v.(bool)
	return !ok
}

// Redacted stands in for a secret value in what RedactSecrets returns. It
// prints, and encodes as JSON, as "<secret>".
type Redacted struct{}

func (Redacted) String() string { return "<secret>" }

// MarshalJSON writes "<secret>".
func (Redacted) MarshalJSON() ([]byte, error) { return []byte(`"<secret>"`), nil }

// RedactSecrets returns v, a plist or JSON value from a payload of
// payloadType, with the value of every secret key inside it (IsSecretKey;
// booleans excepted) replaced by Redacted{}, and whether it replaced any.
// A dictionary with a PayloadType of its own is a payload of that type.
// v itself is left as it is; parts without secrets are shared, not copied.
func RedactSecrets(payloadType string, v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		if t, ok := x["PayloadType"].(string); ok && t != "" {
			payloadType = t
		}
		var out map[string]any
		for k, e := range x {
			r, changed := e, false
			if IsSecretKey(payloadType, k) && secretValue(e) {
				r, changed = Redacted{}, true
			} else {
				r, changed = RedactSecrets(payloadType, e)
			}
			if changed && out == nil {
				out = make(map[string]any, len(x))
				for k, e := range x {
					out[k] = e
				}
			}
			if changed {
				out[k] = r
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	case []any:
		var out []any
		for i, e := range x {
			r, changed := RedactSecrets(payloadType, e)
			if changed && out == nil {
				out = append([]any(nil), x...)
			}
			if changed {
				out[i] = r
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	}
	return v, false
}

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
