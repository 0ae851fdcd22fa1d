package profiles

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/profiles/schema"
)

// A profile made by another tool rarely says which platform it is for, and
// checking a Mac's profile against iOS turns every macOS payload into an
// error. The schema knows where each payload type and key exists, so the
// platform follows from what the profile holds; the rules are in
// docs/profiles.md ("How the platform is inferred").

// ParsePlatform returns the platform a name stands for, ignoring case:
// the five of Apple's schema, and "iPadOS", which Apple's schema counts as
// iOS.
func ParsePlatform(name string) (string, bool) {
	if strings.EqualFold(name, "iPadOS") {
		return string(schema.IOS), true
	}
	for _, p := range schema.AllPlatforms() {
		if strings.EqualFold(name, string(p)) {
			return string(p), true
		}
	}
	return "", false
}

// targetDeviceTypes maps the values of the profile's TargetDeviceType to
// platforms, as Apple's TopLevel.yaml describes them (0 is any device; 3,
// HomePod, is no platform of the schema). The schema keeps no prose, so
// the table is written out here.
var targetDeviceTypes = map[int64]schema.Platform{
	1: schema.IOS, 2: schema.WatchOS, 4: schema.TVOS, 5: schema.MacOS, 6: schema.VisionOS,
}

// InferPlatform chooses the platform a decoded profile (the top-level
// dictionary, as DecodeProfile returns it) is for, and says why in words
// fit for a note: "payload com.apple.TCC.configuration-profile-policy is
// macOS-only".
//
// A TargetDeviceType that names a platform decides. Otherwise a platform
// is possible when every payload type supports it in schema.Facts (a type
// in no source counts as a macOS preference domain, as only macOS takes
// one as a PayloadType, unless the other types rule macOS out). Among
// those, the platforms that support every top-level and payload key the
// sources know are preferred, when there are any (a key ProfileManifests
// alone places on fewer platforms, such as PayloadScope, counts too); and
// then iOS, macOS, tvOS, visionOS, watchOS in that order. When no platform
// supports every payload type, platform is "" and why names the conflict.
func InferPlatform(profile map[string]any) (platform, why string) {
	platform, why, _ = inferPlatform(profile)
	return platform, why
}

// PlatformGuessed reports whether InferPlatform chose the profile's
// platform only by the order iOS, macOS, tvOS, visionOS, watchOS: several
// platforms fit its payloads and keys equally well, so the choice is a
// guess the author should confirm (lint --platform, import --platform).
func PlatformGuessed(profile map[string]any) bool {
	platform, _, fits := inferPlatform(profile)
	return platform != "" && len(fits) > 1
}

// guessText is what lint and import add to a guessed platform's reason,
// naming the platforms that fit unless the reason already does.
func guessText(why string, fits []schema.Platform, flag string) string {
	if strings.Contains(why, platformList(fits)) {
		return "this is a guess: pass " + flag + " to say which"
	}
	return fmt.Sprintf("%s fit as well, so this is a guess: pass %s to say which", platformList(fits[1:]), flag)
}

// inferPlatform is InferPlatform, also returning the platforms that fit
// equally well, of which platform is the first.
func inferPlatform(profile map[string]any) (platform, why string, fits []schema.Platform) {
	if n, ok := number(propertylist.Normalize(profile["TargetDeviceType"])); ok {
		if p, ok := targetDeviceTypes[int64(n)]; ok && n == float64(int64(n)) {
			return string(p), fmt.Sprintf("TargetDeviceType %d names %s", int64(n), p), []schema.Platform{p}
		}
	}
	all := schema.AllPlatforms()
	possible := map[schema.Platform]bool{}
	for _, p := range all {
		possible[p] = true
	}
	excluded := map[schema.Platform]string{} // the first reason a platform is impossible
	exclude := func(p schema.Platform, reason string) {
		if possible[p] {
			possible[p] = false
			excluded[p] = reason
		}
	}
	// Soft evidence: keys the schema places on fewer platforms.
	unsupported := map[schema.Platform]string{}
	keyEvidence := func(where string, k *schema.Key) {
		for _, p := range all {
			if k.Platforms[p] == nil {
				if _, seen := unsupported[p]; !seen {
					unsupported[p] = fmt.Sprintf("key %s %s", where, onlyOn(k.Platforms, p))
				}
			}
		}
	}
	content, _ := profile["PayloadContent"].([]any)
	top, _ := schema.Facts("Configuration")
	pmTop, _ := schema.ProfileManifests("Configuration")
	for _, name := range slices.Sorted(maps.Keys(profile)) {
		if k, ok := top.Key(name); ok && !k.IsWildcard() {
			keyEvidence(name, k)
		}
		// Evidence, not a check: where ProfileManifests places a key on
		// fewer platforms than the profile (PayloadScope, which Apple's
		// copy gives iOS by its inheritance rule), that narrows the choice
		// too. ProfileManifests does not describe visionOS or watchOS, so
		// its narrower key counts against them as well.
		if pmTop != nil {
			if k, ok := pmTop.Key(name); ok && k.Name == name && narrower(k.Platforms, pmTop.Platforms) {
				keyEvidence(name, k)
			}
		}
	}
	var types []string
	unknown := "" // the first payload type no source knows
	for _, item := range content {
		m, _ := item.(map[string]any)
		pt, _ := m["PayloadType"].(string)
		if pt == "" {
			continue
		}
		types = append(types, pt)
		ps, ok := schema.Facts(pt)
		if !ok {
			if unknown == "" {
				unknown = pt
			}
			continue
		}
		for _, p := range all {
			if ps.Platforms[p] == nil {
				exclude(p, fmt.Sprintf("payload %s %s", pt, onlyOn(ps.Platforms, p)))
			}
		}
		pm, _ := schema.ProfileManifests(pt)
		for _, name := range slices.Sorted(maps.Keys(m)) {
			if strings.HasPrefix(name, "Payload") {
				continue
			}
			if k, ok := ps.Key(name); ok && !k.IsWildcard() {
				keyEvidence(pt+"."+name, k)
			}
			if pm != nil {
				if k, ok := pm.Key(name); ok && k.Name == name && narrower(k.Platforms, pm.Platforms) {
					keyEvidence(pt+"."+name, k)
				}
			}
		}
	}
	// A type no source knows is a custom preference domain, which only
	// macOS takes as a PayloadType, unless the known types rule macOS out:
	// then it is more likely a mistake, which the checks report.
	if unknown != "" && possible[schema.MacOS] {
		for _, p := range all {
			if p != schema.MacOS {
				exclude(p, fmt.Sprintf("payload %s is in no schema mdmforge has, and only macOS takes a preference domain as a payload type", unknown))
			}
		}
	}
	var candidates []schema.Platform
	for _, p := range all {
		if possible[p] {
			candidates = append(candidates, p)
		}
	}
	if len(candidates) == 0 {
		reasons := make([]string, 0, len(all))
		seen := map[string]bool{}
		for _, p := range all {
			if r := excluded[p]; !seen[r] {
				seen[r] = true
				reasons = append(reasons, r)
			}
		}
		return "", "no platform supports every payload: " + strings.Join(reasons, "; "), nil
	}
	preferred := candidates
	if fit := filter(candidates, func(p schema.Platform) bool { _, bad := unsupported[p]; return !bad }); len(fit) > 0 {
		preferred = fit
	}
	chosen := preferred[0]
	// Say what ruled out the platforms ahead of the chosen one.
	for _, p := range all {
		if p == chosen {
			break
		}
		if r, ok := excluded[p]; ok {
			return string(chosen), r, preferred
		}
		if r, ok := unsupported[p]; ok {
			return string(chosen), r, preferred
		}
	}
	switch {
	case len(types) == 0:
		return string(chosen), fmt.Sprintf("the profile has no payloads; %s is the default", chosen), preferred
	case len(preferred) == 1:
		return string(chosen), fmt.Sprintf("every payload and key is available on %s only", chosen), preferred
	}
	return string(chosen), fmt.Sprintf("every payload is available on %s, which comes first of %s", chosen, platformList(preferred)), preferred
}

// narrower reports whether a key is on fewer of its payload's platforms
// than the payload.
func narrower(key, payload map[schema.Platform]*schema.Support) bool {
	for p := range payload {
		if key[p] == nil {
			return true
		}
	}
	return false
}

// onlyOn describes the platforms of a payload or key, for a reason why p
// is ruled out: "is macOS-only", "is not available on iOS (macOS, tvOS)".
func onlyOn(sup map[schema.Platform]*schema.Support, p schema.Platform) string {
	var on []schema.Platform
	for _, q := range schema.AllPlatforms() {
		if sup[q] != nil {
			on = append(on, q)
		}
	}
	switch len(on) {
	case 0:
		return "is on no platform"
	case 1:
		return fmt.Sprintf("is %s-only", on[0])
	}
	return fmt.Sprintf("is not available on %s (only %s)", p, platformList(on))
}

func platformList(ps []schema.Platform) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

func filter(ps []schema.Platform, keep func(schema.Platform) bool) []schema.Platform {
	var out []schema.Platform
	for _, p := range ps {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}
