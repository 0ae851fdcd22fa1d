package diff

import (
	"fmt"
	"sort"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/profiles/intune"
)

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
			return intune.EmailServices(m), true
		}},
		"durationOfEmailToSync": {payloadType: easPayloadType, value: func(m map[string]any) (any, bool) {
			days, ok := m["MailNumberOfPastDaysToSync"].(int64)
			if !ok {
				return nil, false
			}
			return intune.EmailSyncDuration(days)
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
// JSON, hidden ones included; before and after are the profile's two
// trees and source its changes from Trees. custom.json's embedded
// profile must change exactly as the profile does, and each other value
// must be one the file takes from the profile, changed as the profile
// says. A difference the profile does not explain, such as a hand edit,
// makes it false, so a review still shows the file in full.
func Carries(file string, derived []Change, before, after map[string]any, source []Change) bool {
	rules, ok := carryRules[file]
	if !ok || len(derived) == 0 || before == nil || after == nil {
		return false
	}
	before, _ = propertylist.Normalize(before).(map[string]any)
	after, _ = propertylist.Normalize(after).(map[string]any)
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
