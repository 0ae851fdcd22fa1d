package intune

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/profiles"
)

// Target is the name plans give Intune.
const Target = "intune"

// Options control a plan or an apply.
type Options struct {
	// Adopt takes over an unmarked object of the same type and exact
	// display name as one a policy builds, instead of refusing.
	Adopt bool
	// Prune deletes every object of the tenant that carries an mdmforge
	// marker and that no policy of the run builds (a policy file removed,
	// an identifier changed, an outlook block dropped); without it they
	// are plan notes. The policies of a run are thus the whole of what
	// mdmforge manages in the tenant.
	Prune bool
	// Progress, when set, is told of each write as it is made.
	Progress io.Writer
}

// engine is one run: the client, the options, and what it counted.
type engine struct {
	g *graph.Client
	o Options
	// names are the display names of groups found in assignments that
	// no policy names, looked up once each.
	names map[string]string
}

// op is one step with what applying it takes.
type op struct {
	step    int // index in the plan's steps
	d       *desired
	current tenantObject // nil for a create
	// patch is the update's PATCH body, nil when no property changes.
	patch map[string]any
	// actions and apps say that the compliance actions or the managed
	// apps are written through their actions.
	actions, apps bool
	// assign is the whole assignment set to POST to /assign, nil when the
	// assignments stay.
	assign []any
	del    bool
}

// planned is a plan with the operations behind its steps.
type planned struct {
	plan *deploy.Plan
	ops  []*op
}

// Plan compares the objects the policies build with the tenant's and
// returns what Apply would do. It only reads. Problems found in the
// policies or the tenant (groups, Outlook, objects in the way) are
// returned together as a *deploy.ProblemsError.
func Plan(ctx context.Context, g *graph.Client, policies []*profiles.Policy, o Options) (*deploy.Plan, error) {
	e := &engine{g: g, o: o}
	pl, err := e.plan(ctx, policies)
	if err != nil {
		return nil, err
	}
	return pl.plan, nil
}

// Apply plans again and makes the tenant as planned. With saved nil it
// applies the plan it makes; otherwise it refuses unless the new plan's
// fingerprint equals saved's (the tenant and the policies are as they
// were when saved was made), then applies exactly those steps. The
// Result counts what was done, also when an error stopped the apply
// midway; applying again then finishes the work.
func Apply(ctx context.Context, g *graph.Client, policies []*profiles.Policy, saved *deploy.Plan, o Options) (*deploy.Result, error) {
	e := &engine{g: g, o: o}
	pl, err := e.plan(ctx, policies)
	if err != nil {
		return &deploy.Result{}, err
	}
	if saved != nil {
		if saved.Target != Target {
			return &deploy.Result{}, fmt.Errorf("the plan is for %s, not %s", saved.Target, Target)
		}
		if saved.Fingerprint != pl.plan.Fingerprint {
			what := deploy.Difference(saved, pl.plan)
			if what == "" {
				what = "an object's state that the plan does not show changed"
			}
			return &deploy.Result{}, &deploy.HintError{
				Err:   fmt.Errorf("the tenant or the policies changed since the plan was made: %s", what),
				Hints: []string{"run plan again, review it, and apply the new plan"}}
		}
	}
	return e.apply(ctx, pl)
}

// plan reads the tenant once and works out every step.
func (e *engine) plan(ctx context.Context, policies []*profiles.Policy) (*planned, error) {
	want, probs, err := desiredObjects(policies)
	if err != nil {
		return nil, err
	}
	groups, gprobs, err := e.resolveGroups(ctx, policies)
	if err != nil {
		return nil, err
	}
	probs = append(probs, gprobs...)
	pl := &planned{plan: &deploy.Plan{Format: deploy.FormatVersion, Target: Target, Steps: []deploy.Step{}}}

	// A policy without groups to include is valid (its objects can be
	// assigned in the admin center), but a first run that creates objects
	// reaching no device surprises people: say so.
	for _, p := range policies {
		if p.Assignments == nil || len(p.Assignments.Include) == 0 {
			pl.plan.Notes = append(pl.plan.Notes, fmt.Sprintf("%s: the policy has no assignments.include, so its objects are created but reach no device until assigned; "+
				"add assignments: {include: [GROUP]} with Entra ID groups (docs/deploy.md says how to find them)", p.File))
		}
	}

	// Outlook's app ids, listed once for every Managed Devices
	// configuration.
	needIOS, needAndroid := false, false
	for _, d := range want {
		needIOS = needIOS || d.kind == "outlook-devices"
		needAndroid = needAndroid || d.kind == "outlook-android"
	}
	// The markers of objects left out for want of an app: the policy
	// still builds them, so they are not pruned.
	leftOut := map[string]bool{}
	if needIOS || needAndroid {
		ios, droid, err := e.outlookApps(ctx, needAndroid)
		if err != nil {
			return nil, err
		}
		kept := want[:0]
		for _, d := range want {
			switch {
			case d.kind == "outlook-devices" && len(ios) == 0:
				probs = append(probs, profiles.Diagnostic{Path: "outlook", Pos: d.policy.Pos("outlook"),
					Message: "Outlook for iOS is not in the tenant, and its Managed Devices app configuration must name it: " +
						"add it in the Intune admin center under Apps > iOS/iPadOS > Add > iOS store app, search the App Store for \"Microsoft Outlook\", and assign it; then plan again"})
			case d.kind == "outlook-devices":
				d.body["targetedMobileApps"] = stringsToAny(ios)
			case d.kind == "outlook-android" && len(droid) == 0:
				pl.plan.Notes = append(pl.plan.Notes, fmt.Sprintf("%s: %q is left out: Outlook for Android (%s) is not in the tenant; approve it in managed Google Play and sync Intune to deploy it",
					d.file, d.name, outlookAndroidPackageID))
				leftOut[d.marker] = true
				continue
			case d.kind == "outlook-android":
				d.body["targetedMobileApps"] = stringsToAny(droid)
			}
			kept = append(kept, d)
		}
		want = kept
	}

	// Each collection once, in beta when an object of it needs beta.
	version := map[string]string{collConfigurations: "v1.0", collCompliance: "v1.0", collAppConfigs: "v1.0", collManagedApps: "v1.0"}
	for _, d := range want {
		if version[d.collection] != "beta" {
			version[d.collection] = d.version
		}
	}
	// Conditional Access policies are read only for policies that speak
	// of them (reading needs Policy.Read.All): conditional_access: off
	// then finds the one made before, for a note or --prune.
	for _, p := range policies {
		if p.Intune != nil && p.Intune.ConditionalAccess != "" && version[collConditional] == "" {
			version[collConditional] = "v1.0"
		}
	}
	lists := map[string][]tenantObject{}
	for _, c := range sortedKeys(version) {
		objs, err := e.list(ctx, c, version[c], listQuery(c))
		if err != nil {
			return nil, err
		}
		lists[c] = objs
	}

	// Match each object by marker and type; adopt or refuse same-named
	// unmarked ones.
	matched := map[string]bool{} // tenant ids taken
	current := make([]tenantObject, len(want))
	adopted := make([]bool, len(want))
	inTheWay := false
	for i, d := range want {
		var marked, named []tenantObject
		for _, obj := range lists[d.collection] {
			if !d.sameType(obj) {
				continue
			}
			if m, ok := markerOf(d.collection, obj); ok {
				if m == d.marker {
					marked = append(marked, obj)
				}
			} else if obj.name() == d.plainName {
				named = append(named, obj)
			}
		}
		switch {
		case len(marked) == 1:
			current[i] = marked[0]
		case len(marked) > 1:
			probs = append(probs, d.problem(fmt.Sprintf("%d objects of the tenant carry the marker %s (%s): delete all but one, then plan again", len(marked), d.marker, ids(marked))))
		case len(named) == 0:
		case !e.o.Adopt:
			inTheWay = true
			probs = append(probs, d.problem(fmt.Sprintf("the tenant has an object named %q (%s, id %s) that mdmforge did not make: creating another beside it would duplicate it",
				d.name, strings.TrimPrefix(d.odataType, "#microsoft.graph."), ids(named))))
		case len(named) > 1:
			probs = append(probs, d.problem(fmt.Sprintf("%d unmarked objects are named %q (%s): --adopt takes over one object only; delete or rename the others, then plan again", len(named), d.name, ids(named))))
		default:
			current[i], adopted[i] = named[0], true
		}
		if current[i] != nil {
			matched[current[i].id()] = true
		}
	}
	if len(probs) > 0 {
		pe := &deploy.ProblemsError{Diagnostics: probs}
		if inTheWay {
			pe.Hints = append(pe.Hints, "--adopt takes over an unmarked object of the exact display name and marks it as mdmforge's")
		}
		return nil, pe
	}

	var state [][]byte
	for i, d := range want {
		wantSet := d.assignments(groups)
		if d.collection == collConditional {
			d.fillConditionalAccess(groups)
		}
		o := &op{step: len(pl.plan.Steps), d: d, current: current[i]}
		s := deploy.Step{Policy: d.file, Kind: d.kind, Name: d.name, Adopted: adopted[i]}
		var haveSet []deploy.Assignment
		if o.current == nil {
			s.Action = deploy.Create
			if wantSet != nil {
				o.assign = assignBody(wantSet)
				if len(wantSet) > 0 {
					s.Assignments = &deploy.AssignmentChange{Before: []deploy.Assignment{}, After: wantSet}
				}
			}
		} else {
			s.ID = o.current.id()
			bd, err := compareBody(d, o.current)
			if err != nil {
				return nil, fmt.Errorf("%s: %s %q: %w", d.file, d.kind, d.name, err)
			}
			if d.actions != nil {
				have, _ := o.current["scheduledActionsForRule"].([]any)
				if c := compareActions(have, d.actions); len(c) > 0 {
					o.actions = true
					bd.add(c)
				}
			}
			if d.apps != nil {
				have, _ := o.current["apps"].([]any)
				hk, wk := appKeys(have), appKeys(d.apps)
				if !slices.Equal(hk, wk) {
					o.apps = true
					b, _ := marshal(strings.Join(hk, ", "))
					a, _ := marshal(strings.Join(wk, ", "))
					bd.changes = append(bd.changes, deploy.Change{Kind: deploy.Changed, Path: "apps", Before: b, After: a})
				}
			}
			if !bd.empty() && !(len(bd.keys) == 1 && o.actions && bd.keys["scheduledActionsForRule"]) {
				o.patch = map[string]any{"@odata.type": d.odataType}
				for k := range bd.keys {
					// Navigation properties (the compliance actions)
					// are written through their actions, never PATCHed.
					if v, ok := d.body[k]; ok {
						o.patch[k] = v
					}
				}
				if bd.keys["payload"] {
					// Graph takes the profile whole: the bytes with their
					// names, never a name alone (IntuneCD#264).
					for _, k := range []string{"payload", "payloadName", "payloadFileName"} {
						if v, ok := d.body[k]; ok {
							o.patch[k] = v
						}
					}
				}
			}
			s.Changes, s.Profile, s.Consequences = bd.changes, bd.profile, bd.consequences
			if wantSet != nil {
				haveSet, err = e.assignmentsNow(ctx, d, o.current, groups)
				if err != nil {
					return nil, err
				}
				if !sameAssignments(haveSet, wantSet) {
					o.assign = assignBody(wantSet)
					s.Assignments = &deploy.AssignmentChange{Before: haveSet, After: wantSet}
				}
			}
			switch {
			case o.patch != nil || o.actions || o.apps || adopted[i]:
				s.Action = deploy.Update
			case o.assign != nil:
				s.Action = deploy.Assign
			default:
				s.Action = deploy.NoChange
			}
		}
		if d.collection == collConditional && s.Action != deploy.NoChange {
			s.Consequences = append(s.Consequences, d.whoIsBlocked(groups))
		}
		pl.plan.Steps = append(pl.plan.Steps, s)
		pl.ops = append(pl.ops, o)
		state = append(state, stateOf(d, o, haveSet))
	}

	// Every object mdmforge made that no policy of the run builds: the
	// policies given are the whole of what mdmforge manages in the tenant,
	// so a policy file removed from the run leaves its objects to prune.
	idents := map[string]string{}
	for _, p := range policies {
		idents[p.Profile.Identifier] = p.File
	}
	for _, c := range sortedKeys(lists) {
		for _, obj := range lists[c] {
			m, ok := markerOf(c, obj)
			if !ok || matched[obj.id()] || leftOut[m] {
				continue
			}
			ident, kind := splitMarker(m)
			file := idents[ident]
			why := file + " no longer builds it"
			if file == "" {
				why = "no policy of this run has the profile identifier " + ident
			}
			if !e.o.Prune {
				pl.plan.Notes = append(pl.plan.Notes, fmt.Sprintf("%s %q (id %s) carries the marker %s, but %s: apply --prune deletes it",
					kind, obj.name(), obj.id(), m, why))
				continue
			}
			// Through beta: a v1.0 list shows a beta-only object (an email
			// profile) as its base type.
			d := &desired{file: file, kind: kind, ident: ident, marker: m, odataType: obj.odataType(), name: obj.name(),
				collection: c, version: "beta"}
			pl.ops = append(pl.ops, &op{step: len(pl.plan.Steps), d: d, current: obj, del: true})
			why = "carries the marker " + m + ", but " + why
			consequences := []string{why}
			switch kind {
			case "custom-profile", "email-profile", "restrictions":
				consequences = append(consequences, "devices it is assigned to remove the profile, and with it what it installed")
			}
			pl.plan.Steps = append(pl.plan.Steps, deploy.Step{Action: deploy.Delete, Policy: file, Kind: kind, Name: obj.name(), ID: obj.id(),
				Consequences: consequences})
			state = append(state, []byte("delete "+c+"/"+obj.id()))
		}
	}
	pl.plan.Seal(state...)
	return pl, nil
}

// sameType reports whether an object of the tenant has the desired one's
// type; Graph gives none for objects of a collection's only type.
func (d *desired) sameType(obj tenantObject) bool {
	t := obj.odataType()
	return t == d.odataType || t == "" && d.collection == collConditional
}

// object names the object in Graph errors: "Work Contacts – Compliance" (compliance).
func (d *desired) object() string { return fmt.Sprintf("%q (%s)", d.name, d.kind) }

func (d *desired) problem(msg string) profiles.Diagnostic {
	return profiles.Diagnostic{Path: "profile.identifier", Pos: d.policy.Pos("profile.identifier"),
		Message: d.kind + " " + fmt.Sprintf("%q", d.name) + ": " + msg}
}

func ids(objs []tenantObject) string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.id()
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// stateOf is the canonical desired and observed state behind a step, for
// the plan's fingerprint.
func stateOf(d *desired, o *op, have []deploy.Assignment) []byte {
	var cur any
	if o.current != nil {
		cur = project(map[string]any(o.current), d.body)
	}
	b, _ := json.Marshal(map[string]any{
		"marker": d.marker, "want": d.body, "actions": d.actions, "apps": d.apps,
		"id": idOf(o.current), "have": cur, "haveActions": fieldOf(o.current, "scheduledActionsForRule"),
		"haveApps": fieldOf(o.current, "apps"), "assignments": have, "assign": o.assign,
	})
	return b
}

func idOf(o tenantObject) string {
	if o == nil {
		return ""
	}
	return o.id()
}

func fieldOf(o tenantObject, key string) any {
	if o == nil {
		return nil
	}
	return o[key]
}

// assignmentTargets are the Graph target types and how plans name them.
var assignmentKinds = map[string]string{
	"#microsoft.graph.groupAssignmentTarget":            "include",
	"#microsoft.graph.exclusionGroupAssignmentTarget":   "exclude",
	"#microsoft.graph.allLicensedUsersAssignmentTarget": "all-licensed-users",
	"#microsoft.graph.allDevicesAssignmentTarget":       "all-devices",
}

// assignments returns the wanted assignment set of an object, sorted, or
// nil when its policy does not manage assignments (or the object is not
// assigned through /assign).
func (d *desired) assignments(groups map[string]group) []deploy.Assignment {
	if d.collection == collConditional || d.policy == nil {
		return nil
	}
	include, exclude, ok := assignmentsOf(d.policy)
	if !ok {
		return nil
	}
	out := []deploy.Assignment{}
	seen := map[string]bool{}
	for _, side := range []struct {
		kind string
		refs []string
	}{{"include", include}, {"exclude", exclude}} {
		for _, ref := range side.refs {
			g := groups[ref]
			if seen[side.kind+g.id] {
				continue
			}
			seen[side.kind+g.id] = true
			out = append(out, deploy.Assignment{Kind: side.kind, Group: g.name, ID: g.id})
		}
	}
	sortAssignments(out)
	return out
}

func sortAssignments(a []deploy.Assignment) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].Kind != a[j].Kind {
			return a[i].Kind < a[j].Kind
		}
		if a[i].Group != a[j].Group {
			return a[i].Group < a[j].Group
		}
		return a[i].ID < a[j].ID
	})
}

func sameAssignments(a, b []deploy.Assignment) bool {
	return len(a) == len(b) && len((&deploy.AssignmentChange{Before: a, After: b}).Added()) == 0 &&
		len((&deploy.AssignmentChange{Before: b, After: a}).Added()) == 0
}

// assignBody is the full set /assign takes.
func assignBody(set []deploy.Assignment) []any {
	out := []any{}
	for _, a := range set {
		t := "#microsoft.graph.groupAssignmentTarget"
		if a.Kind == "exclude" {
			t = "#microsoft.graph.exclusionGroupAssignmentTarget"
		}
		out = append(out, map[string]any{"target": map[string]any{"@odata.type": t, "groupId": a.ID}})
	}
	return out
}

// assignmentsNow returns an object's assignments: those its list
// expanded, or, when the list left them out, those …/{id}/assignments
// reads.
func (e *engine) assignmentsNow(ctx context.Context, d *desired, current tenantObject, groups map[string]group) ([]deploy.Assignment, error) {
	var objs []tenantObject
	if list, ok := current["assignments"].([]any); ok {
		for _, a := range list {
			if m, ok := a.(map[string]any); ok {
				objs = append(objs, m)
			}
		}
	} else {
		raw, err := e.g.List(ctx, graph.Request{Method: http.MethodGet, Version: d.version, Path: d.collection + "/" + current.id() + "/assignments",
			Object: d.object()})
		if err != nil {
			return nil, e.explain(err, d.collection, false)
		}
		if objs, err = decodeObjects(raw); err != nil {
			return nil, err
		}
	}
	names := map[string]string{}
	for _, g := range groups {
		names[g.id] = g.name
	}
	out := []deploy.Assignment{}
	for _, a := range objs {
		t, _ := a["target"].(map[string]any)
		typ, _ := t["@odata.type"].(string)
		gid, _ := t["groupId"].(string)
		kind, ok := assignmentKinds[typ]
		if !ok {
			kind = strings.TrimPrefix(typ, "#microsoft.graph.")
		}
		name, ok := names[gid]
		if !ok && gid != "" {
			var err error
			if name, err = e.groupName(ctx, gid); err != nil {
				return nil, err
			}
		}
		out = append(out, deploy.Assignment{Kind: kind, Group: name, ID: gid})
	}
	sortAssignments(out)
	return out, nil
}

// groupName looks up the name of a group the tenant's assignments name,
// once per run; a group deleted since has none.
func (e *engine) groupName(ctx context.Context, id string) (string, error) {
	if name, ok := e.names[id]; ok {
		return name, nil
	}
	var g struct {
		DisplayName string `json:"displayName"`
	}
	err := e.g.Do(ctx, graph.Request{Method: http.MethodGet, Version: "v1.0", Path: "groups/" + id,
		Query: url.Values{"$select": {"id,displayName"}}, Object: "group " + id}, &g)
	if err != nil && graph.StatusOf(err) != http.StatusNotFound {
		return "", e.explain(err, "groups", false)
	}
	if e.names == nil {
		e.names = map[string]string{}
	}
	e.names[id] = g.DisplayName
	return g.DisplayName, nil
}

// fillConditionalAccess puts the policy's groups in a Conditional Access
// body's users condition.
func (d *desired) fillConditionalAccess(groups map[string]group) {
	include, exclude, ok := assignmentsOf(d.policy)
	if !ok {
		return
	}
	cond, _ := d.body["conditions"].(map[string]any)
	if cond == nil {
		cond = map[string]any{}
		d.body["conditions"] = cond
	}
	users, _ := cond["users"].(map[string]any)
	if users == nil {
		users = map[string]any{}
		cond["users"] = users
	}
	idsOf := func(refs []string) []any {
		var s []string
		for _, r := range refs {
			if g, ok := groups[r]; ok && !slices.Contains(s, g.id) {
				s = append(s, g.id)
			}
		}
		sort.Strings(s)
		return stringsToAny(s)
	}
	users["includeGroups"] = idsOf(include)
	users["excludeGroups"] = idsOf(exclude)
}

// whoIsBlocked says whom a Conditional Access policy blocks, and whether
// it only reports.
func (d *desired) whoIsBlocked(groups map[string]group) string {
	include, exclude, _ := assignmentsOf(d.policy)
	who := "no users (the policy names no groups in assignments.include)"
	if len(include) > 0 {
		var names []string
		for _, r := range include {
			names = append(names, groups[r].name)
		}
		who = "users in " + strings.Join(names, ", ")
		if len(exclude) > 0 {
			var ex []string
			for _, r := range exclude {
				ex = append(ex, groups[r].name)
			}
			who += " (except " + strings.Join(ex, ", ") + ")"
		}
	}
	msg := "blocks " + who + " on iOS devices not marked compliant, for Office 365 Exchange Online"
	if st, _ := d.body["state"].(string); st != "enabled" {
		msg = "report-only: logs, without blocking, sign-ins it would block: " + strings.TrimPrefix(msg, "blocks ")
	}
	return msg
}
