package profiles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

// A policy reaches the schema checks here: which payloads it compiles into
// and where in the policy each of their keys was written, so that a
// finding about an Apple key points at the setting that set it.

// Where the keys of the built-in blocks come from in a policy.
var (
	topFields = map[string]string{
		"PayloadDisplayName":       "profile.display_name",
		"PayloadOrganization":      "profile.organization",
		"PayloadDescription":       "profile.description",
		"PayloadRemovalDisallowed": "profile.removal.disallowed",
		"RemovalDate":              "profile.removal.date",
		"DurationUntilRemoval":     "profile.removal.after",
	}
	exchangeFields = map[string]string{
		"PayloadDisplayName":         "exchange.account_name",
		"EmailAddress":               "exchange.email",
		"Host":                       "exchange.host",
		"UserName":                   "exchange.username",
		"Password":                   "exchange.password",
		"OAuth":                      "exchange.auth",
		"OAuthSignInURL":             "exchange.oauth.sign_in_url",
		"OAuthTokenRequestURL":       "exchange.oauth.token_request_url",
		"SSL":                        "exchange.ssl",
		"MailNumberOfPastDaysToSync": "exchange.mail_days",
		"PreventMove":                "exchange.prevent_move",
		"PreventAppSheet":            "exchange.prevent_app_sheet",
		"PayloadCertificateUUID":     "exchange.certificate",
	}
)

// fieldSite locates the keys of a built-in block through a table, falling
// back to the block itself.
func (p *Policy) fieldSite(block string, fields func(key string) string) site {
	return site{typePath: block, typePos: p.at(block), locate: func(rel string) (string, Pos) {
		key, _, _ := strings.Cut(rel, ".")
		path := block
		if f := fields(key); f != "" {
			path = f
		}
		return path, p.at(path)
	}}
}

func exchangeField(key string) string {
	switch {
	case strings.HasSuffix(key, "UserOverridable") && strings.HasPrefix(key, "Enable"):
		return "exchange.users_can_change_sync"
	case strings.HasPrefix(key, "Enable"):
		return "exchange.sync"
	}
	return exchangeFields[key]
}

// schema checks every payload the policy compiles into, and its top level,
// against Apple's schema.
func (v *validation) schema() {
	p := v.p
	info := p.Profile
	if info.Platform != "" && !slices.Contains(platforms, info.Platform) {
		return // reported on its own; nothing can be checked for it
	}
	c := newSchemaCheck(Devices{Platform: info.Platform, MinIOS: info.MinIOS, Manual: info.Install == "manual", Supervised: info.Supervised}, &v.ds)
	if top, err := p.topDict(); err == nil {
		top["PayloadContent"] = []any{} // the payloads are checked one by one below
		ps, _ := schema.Lookup("Configuration")
		_, keyPos, _ := p.topKeys()
		s := p.fieldSite("profile", func(k string) string { return topFields[k] })
		fields := s.locate
		s.locate = func(rel string) (string, Pos) {
			for r := rel; r != ""; r = parentPath(r) {
				if at, ok := keyPos[r]; ok {
					return "profile.keys." + rel, at
				}
			}
			return fields(rel)
		}
		c.payloadType = "Configuration"
		c.dict(top, s, "", ps.Key, ps.Keys, keyNames(ps.Keys), true, ps.Platforms[c.platform], false)
	}
	if e := p.Exchange; e != nil {
		s := p.fieldSite("exchange", exchangeField)
		// The lock's iOS 13 requirement has its own, clearer rule.
		s.quiet = map[string]bool{}
		for _, t := range dataTypes {
			key := "Enable" + strings.ToUpper(t[:1]) + t[1:]
			s.quiet[key], s.quiet[key+"UserOverridable"] = true, true
		}
		c.payload(p.exchangePayload(e), s)
	}
	if r := p.Restrictions; r != nil {
		c.payload(p.restrictionsPayload(r), p.fieldSite("restrictions", func(k string) string { return "restrictions." + k }))
	}
	for i := range p.Payloads {
		keys, pos, errs := p.genericPayload(i)
		if len(errs) > 0 || p.Payloads[i].Type == "" {
			continue // reported by the payloads rules
		}
		base := fmt.Sprintf("payloads[%d]", i)
		c.payload(keys, site{typePath: base + ".type", typePos: p.at(base + ".type"), locate: func(rel string) (string, Pos) {
			for r := rel; r != ""; r = parentPath(r) {
				if at, ok := pos[r]; ok {
					return base + ".keys." + rel, at
				}
			}
			return base + ".keys", p.at(base + ".keys")
		}})
	}
}

// parentPath drops the last key or index of a relative key path.
func parentPath(rel string) string {
	i := strings.LastIndexAny(rel, ".[")
	if i < 0 {
		return ""
	}
	return rel[:i]
}
