package profiles

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Semantic differences between two versions of a file mdmforge writes: a
// profile compared as a plist tree with its payloads matched by
// PayloadIdentifier, an app configuration as a plist or JSON value, and the
// consequences on devices of what changed.

// ChangeKind says whether a value was added, removed or changed.
type ChangeKind string

const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Scope says what part of a file a Change is in.
type Scope string

const (
	// ScopeFile is a value of a file that is not a profile (an app
	// configuration, a Graph request body), or the file's bytes.
	ScopeFile Scope = "file"
	// ScopeProfile is the top level of a profile, outside its payloads.
	ScopeProfile Scope = "profile"
	// ScopePayload is a payload of a profile, named by Payload.
	ScopePayload Scope = "payload"
	// ScopeSignature is the CMS signature of a signed profile.
	ScopeSignature Scope = "signature"
)

// Change is one difference. Before is absent (nil with an empty BeforeType)
// for Added, After for Removed.
type Change struct {
	Kind  ChangeKind
	Scope Scope
	// Within is the JSON key holding the profile the change is in, for a
	// profile embedded in a JSON body (the payload of Intune's custom.json),
	// and empty otherwise.
	Within string
	// Payload is the PayloadIdentifier of the payload, for ScopePayload.
	// PayloadType is its PayloadType; for ScopeFile changes in a Microsoft
	// Graph body it is the body's @odata.type.
	Payload, PayloadType string
	// Path is the key path inside the payload, the profile's top level or the
	// file: EnableMail, IKEv2.RemoteAddress, Subject[0][1],
	// customSettings["com.microsoft.outlook.Contacts.LocalSyncEnabled"]. It
	// is empty when a whole payload is added or removed, or for a file
	// compared by its bytes.
	Path string
	// Before and After are the values: plist values (string, bool, int64,
	// float64, time.Time, []byte, []any, map[string]any), JSON values
	// (json.Number for numbers), a *Signer, or for files compared by bytes
	// "sha256:" and the hex digest.
	Before, After any
	// BeforeType and AfterType name the values' types: string, integer,
	// real, boolean, date, data, array or dict for plists; string, number,
	// boolean, null, array or object for JSON; certificate; bytes.
	BeforeType, AfterType string
	// Hidden marks a PayloadUUID change that DiffOptions.UUIDs leaves out of
	// reports. Consequences still sees it.
	Hidden bool
	// Secret marks a change to the value of a secret key (IsSecretKey), or
	// to a value inside one: reports say that it changed and never show
	// Before or After. Values that are not secret themselves may still hold
	// secrets, such as a whole payload added; show them through
	// RedactSecrets.
	Secret bool
}

// DiffOptions control what a comparison reports.
type DiffOptions struct {
	// UUIDs shows PayloadUUID changes; diffWithout it they are marked Hidden.
	UUIDs bool
}

// Signer identifies the certificate that signed a profile.
type Signer struct {
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"` // fingerprint of the certificate's DER, upper-case hex
}

func (s *Signer) String() string { return fmt.Sprintf("%s (SHA-256 %s)", s.Subject, s.SHA256) }

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

// DiffTrees compares two configuration profiles given as plist trees: their
// top-level keys, then their payloads matched by PayloadIdentifier, so
// reordered payloads are not a change. Keys are compared by value and type
// (integer 1 and real 1.0 differ), dictionaries and arrays to any depth,
// arrays by index. Changes come in a stable order: top level first, then
// payloads by identifier.
func DiffTrees(a, b map[string]any, opts DiffOptions) []Change {
	return diffProfile(a, b, "", opts)
}

func diffProfile(a, b map[string]any, within string, opts DiffOptions) []Change {
	a, b = normalize(a).(map[string]any), normalize(b).(map[string]any)
	ca, okA := diffPayloadList(a)
	cb, okB := diffPayloadList(b)
	topA, topB := a, b
	if okA && okB {
		topA, topB = diffWithout(a, "PayloadContent"), diffWithout(b, "PayloadContent")
	}
	var out []Change
	emit := func(c Change) {
		if c.Path == "PayloadUUID" && (c.Scope == ScopeProfile || c.Scope == ScopePayload) {
			c.Hidden = !opts.UUIDs
		}
		out = append(out, c)
	}
	diffPlistWalker(Change{Scope: ScopeProfile, Within: within}, emit).walk("", topA, topB)
	if !okA || !okB {
		return out
	}
	for _, id := range sortedUnion(ca, cb) {
		pa, inA := ca[id]
		pb, inB := cb[id]
		base := Change{Scope: ScopePayload, Within: within, Payload: id}
		switch {
		case !inA:
			base.Kind, base.PayloadType, base.After, base.AfterType = Added, diffString(pb["PayloadType"]), pb, "dict"
			emit(base)
		case !inB:
			base.Kind, base.PayloadType, base.Before, base.BeforeType = Removed, diffString(pa["PayloadType"]), pa, "dict"
			emit(base)
		default:
			base.PayloadType = diffString(pb["PayloadType"])
			diffPlistWalker(base, emit).walk("", pa, pb)
		}
	}
	return out
}

// diffPayloadList indexes PayloadContent by PayloadIdentifier. A second payload
// with the same identifier is keyed "ID #2", and so on.
func diffPayloadList(top map[string]any) (map[string]map[string]any, bool) {
	content, ok := top["PayloadContent"].([]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]map[string]any, len(content))
	for _, c := range content {
		pl, ok := c.(map[string]any)
		if !ok {
			return nil, false
		}
		id := diffString(pl["PayloadIdentifier"])
		key := id
		for n := 2; ; n++ {
			if _, dup := out[key]; !dup {
				break
			}
			key = fmt.Sprintf("%s #%d", id, n)
		}
		out[key] = pl
	}
	return out, true
}

func diffWithout(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func diffString(v any) string {
	s, _ := v.(string)
	return s
}

// DiffPlists compares two plist values, such as two Outlook managed app
// configuration dictionaries, by value and type.
func DiffPlists(a, b any) []Change {
	var out []Change
	diffPlistWalker(Change{Scope: ScopeFile}, func(c Change) { out = append(out, c) }).walk("", normalize(a), normalize(b))
	return out
}

// DiffJSON compares two JSON documents decoded with json.Decoder.UseNumber.
// Lists of named settings are compared as maps from name to value, so their
// order does not matter: customSettings (by name), settings (by
// appConfigKey) and managedProperty (by key). In a Microsoft Graph body, a
// base64 profile in payload (Intune's custom.json) is compared as a profile,
// and base64 JSON in payloadJson as JSON.
func DiffJSON(a, b any, opts DiffOptions) []Change {
	var out, embedded []Change
	secretPayload := false
	emit := func(c Change) {
		// A base64 profile compared as text, because the other side is not
		// one, is as secret as what it holds.
		c.Secret = c.Secret || secretPayload && c.Path == "payload"
		out = append(out, c)
	}
	base := Change{Scope: ScopeFile}
	oa, okA := a.(map[string]any)
	ob, okB := b.(map[string]any)
	if okA && okB {
		base.PayloadType = diffString(ob["@odata.type"])
		if base.PayloadType == "" {
			base.PayloadType = diffString(oa["@odata.type"])
		}
		pa, okA := diffEmbeddedProfile(oa["payload"])
		pb, okB := diffEmbeddedProfile(ob["payload"])
		switch {
		case okA && okB:
			embedded = diffProfile(pa, pb, "payload", opts)
			oa, ob = diffWithout(oa, "payload"), diffWithout(ob, "payload")
		case okA:
			_, secretPayload = RedactSecrets("", pa)
		case okB:
			_, secretPayload = RedactSecrets("", pb)
		}
		if ja, ok := diffEmbeddedJSON(oa["payloadJson"]); ok {
			if jb, ok := diffEmbeddedJSON(ob["payloadJson"]); ok {
				oa, ob = diffWithout(oa, "payloadJson"), diffWithout(ob, "payloadJson")
				oa["payloadJson"], ob["payloadJson"] = ja, jb
			}
		}
		a, b = oa, ob
	}
	w := &diffWalker{base: base, emit: emit, typeOf: diffJsonType, equal: diffJsonEqual}
	w.walk("", diffKeyedJSON(a), diffKeyedJSON(b))
	// The embedded profile's changes come after the body's own.
	return append(out, embedded...)
}

func diffEmbeddedProfile(v any) (map[string]any, bool) {
	s, ok := v.(string)
	if !ok {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	top, err := DecodeProfile(data)
	return top, err == nil
}

func diffEmbeddedJSON(v any) (any, bool) {
	s, ok := v.(string)
	if !ok {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil || dec.More() {
		return nil, false
	}
	return out, true
}

// diffKeyedArrays are the JSON lists of named settings, by the key naming each
// entry.
var diffKeyedArrays = map[string]string{
	"customSettings":  "name",
	"settings":        "appConfigKey",
	"managedProperty": "key",
}

// diffKeyedJSON turns the lists in diffKeyedArrays into maps from each entry's name
// to the rest of the entry (its only remaining value, when it has one).
// Lists with an entry lacking the name, or two entries of one name, stay
// lists.
func diffKeyedJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			e = diffKeyedJSON(e)
			if list, ok := e.([]any); ok && diffKeyedArrays[k] != "" {
				if m, ok := diffKeyList(list, diffKeyedArrays[k]); ok {
					e = m
				}
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = diffKeyedJSON(e)
		}
		return out
	}
	return v
}

func diffKeyList(list []any, key string) (map[string]any, bool) {
	out := make(map[string]any, len(list))
	for _, e := range list {
		obj, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		name, ok := obj[key].(string)
		if _, dup := out[name]; !ok || dup {
			return nil, false
		}
		rest := diffWithout(obj, key)
		if len(rest) == 1 {
			for _, v := range rest {
				out[name] = v
			}
		} else {
			out[name] = rest
		}
	}
	return out, true
}

// DiffSigners compares the signers of two profiles; nil means unsigned. A
// certificate with the same subject but another fingerprint is a change.
func DiffSigners(a, b *Signer) []Change {
	c := Change{Scope: ScopeSignature, Path: "signer"}
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		c.Kind, c.After, c.AfterType = Added, b, "certificate"
	case b == nil:
		c.Kind, c.Before, c.BeforeType = Removed, a, "certificate"
	case *a == *b:
		return nil
	default:
		c.Kind, c.Before, c.After, c.BeforeType, c.AfterType = Changed, a, b, "certificate", "certificate"
	}
	return []Change{c}
}

// diffWalker compares two trees and emits a Change, copied from base, for each
// difference.
type diffWalker struct {
	base   Change
	emit   func(Change)
	typeOf func(any) string
	equal  func(a, b any) bool // values of the same scalar type
}

func diffPlistWalker(base Change, emit func(Change)) *diffWalker {
	return &diffWalker{base: base, emit: emit, typeOf: PlistType, equal: diffPlistEqual}
}

func (w *diffWalker) walk(path string, a, b any) {
	w.walkIn(path, a, b, w.base.PayloadType, false)
}

// walkIn compares a and b, found in a payload of payloadType (a
// dictionary with its own PayloadType, such as a payload in a list of
// them, is a payload of that type); secret says they are, or are inside,
// the value of a secret key.
func (w *diffWalker) walkIn(path string, a, b any, payloadType string, secret bool) {
	change := func(kind ChangeKind, path string, a, b any, secret bool) {
		c := w.base
		c.Kind, c.Path = kind, path
		// Secret unless every value there is a boolean.
		c.Secret = secret && (kind != Added && secretValue(a) || kind != Removed && secretValue(b))
		if kind != Added {
			c.Before, c.BeforeType = a, w.typeOf(a)
		}
		if kind != Removed {
			c.After, c.AfterType = b, w.typeOf(b)
		}
		w.emit(c)
	}
	ta, tb := w.typeOf(a), w.typeOf(b)
	if ta != tb {
		change(Changed, path, a, b, secret)
		return
	}
	switch x := a.(type) {
	case map[string]any:
		y := b.(map[string]any)
		if t, ok := y["PayloadType"].(string); ok && t != "" {
			payloadType = t
		} else if t, ok := x["PayloadType"].(string); ok && t != "" {
			payloadType = t
		}
		for _, k := range sortedUnion(x, y) {
			ea, inA := x[k]
			eb, inB := y[k]
			p := diffJoinKey(path, k)
			s := secret || IsSecretKey(payloadType, k)
			switch {
			case !inA:
				change(Added, p, nil, eb, s)
			case !inB:
				change(Removed, p, ea, nil, s)
			default:
				w.walkIn(p, ea, eb, payloadType, s)
			}
		}
	case []any:
		y := b.([]any)
		for i := 0; i < max(len(x), len(y)); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(x):
				change(Added, p, nil, y[i], secret)
			case i >= len(y):
				change(Removed, p, x[i], nil, secret)
			default:
				w.walkIn(p, x[i], y[i], payloadType, secret)
			}
		}
	default:
		if !w.equal(a, b) {
			change(Changed, path, a, b, secret)
		}
	}
}

// diffJoinKey appends a dictionary key to a path: .Key, or ["key"] when the key
// is not a plain name. Keys at the top stay as they are.
func diffJoinKey(path, key string) string {
	if path == "" {
		return key
	}
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r == '@' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if plain {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// PlistType names a plist value's type as Apple's documentation does:
// string, integer, real, boolean, date, data, array or dict.
func PlistType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int, int64, uint64, int32, uint32:
		return "integer"
	case float64, float32:
		return "real"
	case bool:
		return "boolean"
	case time.Time:
		return "date"
	case []byte:
		return "data"
	case []any:
		return "array"
	case map[string]any:
		return "dict"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func diffPlistEqual(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		return bytes.Equal(x, b.([]byte))
	case time.Time:
		return x.Equal(b.(time.Time))
	case float32, float64:
		return diffToFloat(a) == diffToFloat(b)
	}
	return a == b
}

func diffToFloat(v any) float64 {
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	f, _ := v.(float64)
	return f
}

func diffJsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// diffJsonEqual compares numbers by value, so 1 and 1.0 are equal, as in JSON.
func diffJsonEqual(a, b any) bool {
	if x, ok := a.(json.Number); ok {
		y, _ := b.(json.Number)
		if x == y {
			return true
		}
		fx, okX := new(big.Float).SetString(string(x))
		fy, okY := new(big.Float).SetString(string(y))
		return okX && okY && fx.Cmp(fy) == 0
	}
	return a == b
}

// ConsequenceKind names something devices do because of a change.
type ConsequenceKind string

const (
	Reauthenticate     ConsequenceKind = "reauthenticate"
	DuplicateProfile   ConsequenceKind = "duplicate-profile"
	PayloadRemoved     ConsequenceKind = "payload-removed"
	PayloadAdded       ConsequenceKind = "payload-added"
	PayloadReinstalled ConsequenceKind = "payload-reinstalled"
	SignerChanged      ConsequenceKind = "signer-changed"
)

// consequenceTable is every consequence, the change that causes it and what
// devices then do; {type} and {id} stand for the payload's type and
// identifier. It is the one place the wording lives.
var consequenceTable = []struct {
	Kind    ConsequenceKind
	When    string
	Message string
}{
	{Reauthenticate, "any change in a com.apple.eas.account payload, other than its PayloadUUID, or in an Intune email profile (iosEasEmailProfileConfiguration)",
		"devices re-install the Exchange account and users sign in again"},
	{DuplicateProfile, "the profile's top-level PayloadIdentifier changed",
		"devices install this as a second profile beside the old one instead of replacing it"},
	{PayloadRemoved, "a payload is no longer in the profile",
		"devices remove the {type} payload ({id}) when the profile is updated"},
	{PayloadAdded, "a payload is new in the profile",
		"devices install the {type} payload ({id}) when the profile is updated"},
	{PayloadReinstalled, "a payload's PayloadUUID changed while its identifier stayed, shown even when --uuids is not given",
		"devices install the {type} payload ({id}) anew instead of updating it, because its PayloadUUID changed"},
	{SignerChanged, "a signed profile is signed by another certificate, or no longer signed",
		"a manual re-install is rejected unless the replacement is signed by the same identity"},
}

// Consequence is something devices do because of the changes to a file.
type Consequence struct {
	Kind ConsequenceKind
	// Scope, Within, Payload and PayloadType locate it as for a Change.
	Scope       Scope
	Within      string
	Payload     string
	PayloadType string
	Message     string
}

// diffEmailProfileType is the @odata.type of Intune's native Exchange email
// profile, which Intune re-pushes on any change.
const diffEmailProfileType = "#microsoft.graph.iosEasEmailProfileConfiguration"

// Consequences returns what devices do about changes from DiffTrees,
// DiffJSON and DiffSigners, hidden ones included, once each, in a stable
// order. When the profile's identifier changed, devices keep the old
// profile, so its payloads are neither removed nor updated and only the
// duplicate is reported.
func Consequences(changes []Change) []Consequence {
	renamed := map[string]bool{} // by Within
	for _, c := range changes {
		if c.Scope == ScopeProfile && c.Path == "PayloadIdentifier" && c.Kind == Changed {
			renamed[c.Within] = true
		}
	}
	var out []Consequence
	seen := map[Consequence]bool{}
	add := func(kind ConsequenceKind, c Change) {
		q := Consequence{Kind: kind, Scope: c.Scope, Within: c.Within, Payload: c.Payload, PayloadType: c.PayloadType}
		for _, row := range consequenceTable {
			if row.Kind == kind {
				q.Message = strings.NewReplacer("{type}", c.PayloadType, "{id}", c.Payload).Replace(row.Message)
			}
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	for _, c := range changes {
		switch c.Scope {
		case ScopeProfile:
			if c.Path == "PayloadIdentifier" && c.Kind == Changed {
				add(DuplicateProfile, c)
			}
		case ScopePayload:
			switch {
			case renamed[c.Within]:
			case c.Path == "" && c.Kind == Removed:
				add(PayloadRemoved, c)
			case c.Path == "" && c.Kind == Added:
				add(PayloadAdded, c)
			case c.Path == "PayloadUUID":
				add(PayloadReinstalled, c)
			case c.PayloadType == "com.apple.eas.account":
				add(Reauthenticate, c)
			}
		case ScopeFile:
			if c.PayloadType == diffEmailProfileType {
				add(Reauthenticate, c)
			}
		case ScopeSignature:
			if c.Kind != Added {
				add(SignerChanged, c)
			}
		}
	}
	return out
}

// sortedUnion returns the keys of a and b, each once, sorted.
func sortedUnion[A, B any](a map[string]A, b map[string]B) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Files of Intune's bundle that repeat a profile. custom.json carries the
// .mobileconfig in base64 and email.json mirrors its Exchange account, so
// one edit to a policy changes all three; Carries lets a review show it
// once, where it is authored.

// carryRule says where a top-level value of a derived file comes from: a
// key of the profile's top level (payloadType "") or of its payload of
// payloadType. With value, the change is carried only when value, applied to
// each side's profile, gives exactly the change's Before and After; without,
// it is carried when one of keys changed in the profile (the derived value
// is a transformation of it that is not worth recomputing, such as a display
// name with a suffix).
type carryRule struct {
	payloadType string
	keys        []string
	value       func(from map[string]any) (any, bool)
}

func carryKey(key string) func(map[string]any) (any, bool) {
	return func(m map[string]any) (any, bool) { v, ok := m[key]; return v, ok }
}

// carryString is a key whose absence the derived file writes as "".
func carryString(key string) func(map[string]any) (any, bool) {
	return func(m map[string]any) (any, bool) { s, _ := m[key].(string); return s, true }
}

const easPayloadType = "com.apple.eas.account"

// carryRules are, by derived file, the values it takes from the profile;
// a change to any other value (@odata.type, payloadFileName) is its own.
var carryRules = map[string]map[string]carryRule{
	"custom.json": {
		"displayName": {keys: []string{"PayloadDisplayName"}},
		"description": {value: carryString("PayloadDescription")},
		"payloadName": {value: carryKey("PayloadDisplayName")},
	},
	"email.json": {
		"displayName": {keys: []string{"PayloadDisplayName"}},
		"description": {value: carryString("PayloadDescription")},
		"accountName": {payloadType: easPayloadType, value: carryKey("PayloadDisplayName")},
		"hostName":    {payloadType: easPayloadType, value: carryKey("Host")},
		"useOAuth":    {payloadType: easPayloadType, value: carryKey("OAuth")},
		"requireSsl":  {payloadType: easPayloadType, value: carryKey("SSL")},
		"blockMovingMessagesToOtherEmailAccounts": {payloadType: easPayloadType, value: carryKey("PreventMove")},
		"blockSendingEmailFromThirdPartyApps":     {payloadType: easPayloadType, value: carryKey("PreventAppSheet")},
		"easServicesUserOverrideEnabled":          {payloadType: easPayloadType, value: carryKey("EnableMailUserOverridable")},
		"emailAddressSource":                      {payloadType: easPayloadType, keys: []string{"EmailAddress"}},
		"usernameSource":                          {payloadType: easPayloadType, keys: []string{"UserName"}},
		"usernameAADSource":                       {payloadType: easPayloadType, keys: []string{"UserName"}},
		"easServices": {payloadType: easPayloadType, value: func(m map[string]any) (any, bool) {
			sync := map[string]bool{}
			for _, t := range dataTypes {
				on, _ := m["Enable"+strings.ToUpper(t[:1])+t[1:]].(bool)
				sync[t] = on
			}
			return easServicesValue(sync), true
		}},
		"durationOfEmailToSync": {payloadType: easPayloadType, value: func(m map[string]any) (any, bool) {
			days, ok := m["MailNumberOfPastDaysToSync"].(int64)
			if !ok {
				return nil, false
			}
			d, ok := emailSyncDurations[int(days)]
			return d, ok
		}},
		"authenticationMethod": {payloadType: easPayloadType, value: func(m map[string]any) (any, bool) {
			if _, ok := m["PayloadCertificateUUID"]; ok {
				return "certificate", true
			}
			return "usernameAndPassword", true
		}},
	},
}

// Carries reports whether every change to file, a file of an Intune bundle
// (custom.json or email.json) built from the same policy as a profile, is
// the profile's own change seen again: derived are the file's changes from
// DiffJSON, hidden ones included; before and after are the profile's two
// trees and source its changes from DiffTrees. custom.json's embedded
// profile must change exactly as the profile does, and each other value
// must be one the file takes from the profile, changed as the profile
// says. A difference the profile does not explain, such as a hand edit,
// makes it false, so a review still shows the file in full.
func Carries(file string, derived []Change, before, after map[string]any, source []Change) bool {
	rules, ok := carryRules[file]
	if !ok || len(derived) == 0 || before == nil || after == nil {
		return false
	}
	before, _ = normalize(before).(map[string]any)
	after, _ = normalize(after).(map[string]any)
	var own []Change
	if file == "custom.json" {
		var embedded, profile []string
		for _, c := range derived {
			if c.Within == "payload" {
				embedded = append(embedded, carryChangeKey(c))
			} else {
				own = append(own, c)
			}
		}
		for _, c := range source {
			if c.Scope != ScopeSignature {
				profile = append(profile, carryChangeKey(c))
			}
		}
		sort.Strings(embedded)
		sort.Strings(profile)
		if len(embedded) != len(profile) {
			return false
		}
		for i := range embedded {
			if embedded[i] != profile[i] {
				return false
			}
		}
	} else {
		own = derived
	}
	for _, c := range own {
		if !carried(c, rules, before, after, source) {
			return false
		}
	}
	return true
}

// carryChangeKey identifies a change by everything but where its profile
// sits (Within).
func carryChangeKey(c Change) string {
	return fmt.Sprintf("%s|%s|%s|%s|%q|%t|%t|%s|%#v|%s|%#v", c.Kind, c.Scope, c.Payload, c.PayloadType, c.Path,
		c.Hidden, c.Secret, c.BeforeType, c.Before, c.AfterType, c.After)
}

func carried(c Change, rules map[string]carryRule, before, after map[string]any, source []Change) bool {
	if c.Scope != ScopeFile || c.Within != "" {
		return false
	}
	rule, ok := rules[c.Path]
	if !ok {
		return false
	}
	if rule.value == nil {
		for _, s := range source {
			scope := ScopeProfile
			if rule.payloadType != "" {
				scope = ScopePayload
			}
			if s.Scope != scope || s.Within != "" || s.Hidden || rule.payloadType != "" && s.PayloadType != rule.payloadType {
				continue
			}
			for _, k := range rule.keys {
				if s.Path == k || s.Path == "" && scope == ScopePayload {
					return true
				}
			}
		}
		return false
	}
	from := func(top map[string]any) (any, bool) {
		m := top
		if rule.payloadType != "" {
			m = carryPayload(top, rule.payloadType)
			if m == nil {
				return nil, false
			}
		}
		return rule.value(m)
	}
	vb, okB := from(before)
	va, okA := from(after)
	return okB == (c.Kind != Added) && okA == (c.Kind != Removed) &&
		(!okB || carryEqual(vb, c.Before)) && (!okA || carryEqual(va, c.After))
}

// carryPayload is the profile's one payload of payloadType, or nil.
func carryPayload(top map[string]any, payloadType string) map[string]any {
	content, _ := top["PayloadContent"].([]any)
	var found map[string]any
	for _, c := range content {
		if pl, ok := c.(map[string]any); ok && pl["PayloadType"] == payloadType {
			if found != nil {
				return nil
			}
			found = pl
		}
	}
	return found
}

// carryEqual compares a profile's string or boolean with the JSON value
// derived from it.
func carryEqual(profile, derived any) bool {
	switch p := profile.(type) {
	case string:
		d, ok := derived.(string)
		return ok && d == p
	case bool:
		d, ok := derived.(bool)
		return ok && d == p
	}
	return false
}
