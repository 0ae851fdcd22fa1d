package intune

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/diff"
)

// project keeps of an object of the tenant only what mdmforge sends: Graph
// returns every property with its default, and server-set ones (id,
// createdDateTime, version, …), none of which mdmforge compares. Objects
// inside are projected on the shape of the body's, element by element.
func project(observed, want any) any {
	switch w := want.(type) {
	case map[string]any:
		o, ok := observed.(map[string]any)
		if !ok {
			return observed
		}
		out := make(map[string]any, len(w))
		for k, wv := range w {
			if ov, ok := o[k]; ok {
				out[k] = project(ov, wv)
			}
		}
		return out
	case []any:
		o, ok := observed.([]any)
		if !ok || len(w) == 0 {
			return observed
		}
		out := make([]any, len(o))
		for i, ov := range o {
			out[i] = project(ov, w[min(i, len(w)-1)])
		}
		return out
	}
	return observed
}

// topKey is the top-level property a diff path is in.
func topKey(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// bodyDiff is the difference between an object of the tenant and its
// body, for a plan.
type bodyDiff struct {
	changes      []deploy.Change
	consequences []string
	keys         map[string]bool // top-level properties that differ
	profile      json.RawMessage // the payload's diff, profiles/diff JSON
}

func (b *bodyDiff) empty() bool { return len(b.keys) == 0 }

// compareBody compares what the tenant has (projected) with what mdmforge
// sends. The custom profile's payload is decoded and compared as a
// configuration profile.
func compareBody(d *desired, current tenantObject) (*bodyDiff, error) {
	have, _ := project(map[string]any(current), d.body).(map[string]any)
	// The type was matched; Graph leaves it out of objects of a
	// collection's only type (Conditional Access policies).
	have, want := without(have, "@odata.type"), without(d.body, "@odata.type")
	sortSets(have)
	out := &bodyDiff{keys: map[string]bool{}}
	if _, ok := want["payload"]; ok {
		if err := out.comparePayload(d, have["payload"], want["payload"]); err != nil {
			return nil, err
		}
		have, want = without(have, "payload"), without(want, "payload")
	}
	changes := diff.JSON(have, want, diff.Options{UUIDs: true})
	out.add(changes)
	return out, nil
}

// sortSets sorts, in what the tenant has, the lists of ids that are sets
// (mdmforge sends them sorted; Graph keeps no order): the targeted apps
// and a Conditional Access policy's groups.
func sortSets(have map[string]any) {
	sortStrings := func(m map[string]any, key string) {
		list, ok := m[key].([]any)
		if !ok {
			return
		}
		s := make([]string, 0, len(list))
		for _, v := range list {
			str, ok := v.(string)
			if !ok {
				return
			}
			s = append(s, str)
		}
		sort.Strings(s)
		out := make([]any, len(s))
		for i, v := range s {
			out[i] = v
		}
		m[key] = out
	}
	sortStrings(have, "targetedMobileApps")
	if cond, ok := have["conditions"].(map[string]any); ok {
		if users, ok := cond["users"].(map[string]any); ok {
			sortStrings(users, "includeGroups")
			sortStrings(users, "excludeGroups")
		}
	}
}

func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func (b *bodyDiff) add(changes []diff.Change) {
	for _, c := range changes {
		if c.Hidden {
			continue
		}
		b.keys[topKey(c.Path)] = true
		b.changes = append(b.changes, planChange(c))
	}
	for _, q := range diff.Consequences(changes) {
		b.addConsequence(q.Message)
	}
}

func (b *bodyDiff) addConsequence(msg string) {
	for _, m := range b.consequences {
		if m == msg {
			return
		}
	}
	b.consequences = append(b.consequences, msg)
}

// planChange turns a diff change into a plan's, secrets redacted.
func planChange(c diff.Change) deploy.Change {
	out := deploy.Change{Kind: deploy.ChangeKind(c.Kind), Path: c.Path, Secret: c.Secret}
	if c.Secret {
		return out
	}
	enc := func(v any) json.RawMessage {
		v, _ = profiles.RedactSecrets(c.PayloadType, v)
		b, err := marshal(v)
		if err != nil {
			b, _ = marshal(fmt.Sprint(v))
		}
		return b
	}
	if c.Kind != diff.Added {
		out.Before = enc(c.Before)
	}
	if c.Kind != diff.Removed {
		out.After = enc(c.After)
	}
	return out
}

// comparePayload compares the profiles in two payloads, with their
// consequences; a payload that is not a profile is compared by bytes.
func (b *bodyDiff) comparePayload(d *desired, have, want any) error {
	hs, _ := have.(string)
	ws, _ := want.(string)
	if hs == ws {
		return nil
	}
	hb, errH := base64.StdEncoding.DecodeString(hs)
	wb, errW := base64.StdEncoding.DecodeString(ws)
	if errW != nil {
		return fmt.Errorf("payload is not base64: %w", errW)
	}
	var report *diff.Report
	if errH == nil && hs != "" {
		r, err := diff.Compare(diff.FileSide("tenant/"+d.profileName, hb), diff.FileSide(d.profileName, wb), diff.Options{UUIDs: true})
		if err == nil {
			report = r
		}
	}
	if report == nil {
		// What the tenant holds is no profile mdmforge can read: say so by
		// digest, never by content.
		b.keys["payload"] = true
		b.changes = append(b.changes, deploy.Change{Kind: deploy.Changed, Path: "payload",
			Before: digestJSON(hb), After: digestJSON(wb)})
		return nil
	}
	if !report.Different() {
		return nil
	}
	b.keys["payload"] = true
	var buf bytes.Buffer
	if err := report.Render(&buf, diff.FormatJSON); err != nil {
		return err
	}
	b.profile = json.RawMessage(bytes.TrimSpace(buf.Bytes()))
	for _, f := range report.Files {
		for _, q := range f.Consequences {
			b.addConsequence(q.Message)
		}
	}
	return nil
}

// marshal encodes JSON as mdmforge writes it: HTML characters as they are.
func marshal(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func digestJSON(data []byte) json.RawMessage {
	s, _ := marshal(fmt.Sprintf("<%d bytes, sha256 %x>", len(data), sha256.Sum256(data)))
	return s
}

// compareActions compares a compliance policy's scheduled actions, as
// Intune keeps them, under their property name.
func compareActions(have, want []any) []diff.Change {
	h := map[string]any{"scheduledActionsForRule": normalActions(have)}
	w := map[string]any{"scheduledActionsForRule": normalActions(want)}
	return diff.JSON(h, w, diff.Options{UUIDs: true})
}

// noTemplate is the notificationTemplateId Intune returns for an action
// without a notification template, whatever the create sent ("" or
// nothing): Graph's own example bodies send "", tenant exports read back
// the zero GUID.
const noTemplate = "00000000-0000-0000-0000-000000000000"

// normalActions is what a compliance policy's actions mean, for comparing
// what mdmforge sends with what Intune returns: one rule of action items,
// sorted, with "no template" and "no CC" spelled one way each. The rule's
// name is left out: Intune reads it back as null whatever was sent.
func normalActions(rules []any) []any {
	items := []any{}
	for _, r := range rules {
		m, _ := r.(map[string]any)
		cfgs, _ := m["scheduledActionConfigurations"].([]any)
		for _, c := range cfgs {
			a, _ := c.(map[string]any)
			tmpl, _ := a["notificationTemplateId"].(string)
			if tmpl == noTemplate {
				tmpl = ""
			}
			cc := []string{}
			list, _ := a["notificationMessageCCList"].([]any)
			for _, v := range list {
				if s, ok := v.(string); ok {
					cc = append(cc, s)
				}
			}
			sort.Strings(cc)
			items = append(items, map[string]any{
				"actionType":                a["actionType"],
				"gracePeriodHours":          json.Number(fmt.Sprint(a["gracePeriodHours"])),
				"notificationTemplateId":    tmpl,
				"notificationMessageCCList": stringsToAny(cc),
			})
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		bi, _ := json.Marshal(items[i])
		bj, _ := json.Marshal(items[j])
		return string(bi) < string(bj)
	})
	return []any{map[string]any{"scheduledActionConfigurations": items}}
}

// appKey names a managed app by its identifier's type and id.
func appKey(v any) string {
	m, _ := v.(map[string]any)
	id, _ := m["mobileAppIdentifier"].(map[string]any)
	t, _ := id["@odata.type"].(string)
	b, _ := id["bundleId"].(string)
	p, _ := id["packageId"].(string)
	return strings.TrimPrefix(t, "#microsoft.graph.") + ":" + strings.ToLower(b+p)
}

// appKeys are the sorted keys of a list of managed apps.
func appKeys(apps []any) []string {
	out := make([]string, 0, len(apps))
	for _, a := range apps {
		out = append(out, appKey(a))
	}
	sort.Strings(out)
	return out
}
