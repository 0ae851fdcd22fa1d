// Package profilesync is the plan and apply logic the engines for MDMs
// that hold configuration profiles as files (Jamf Pro, Fleet, Kandji)
// share. Each engine lists what its MDM holds as Objects, with the
// profile's PayloadIdentifier as identity; Plan pairs them with the
// profiles the policies build and works out the steps, and Apply carries
// them out through the engine's Writer.
//
// Profiles are compared by value with profiles/diff, PayloadUUIDs hidden,
// so a server that rewrites UUIDs or re-indents the XML causes no
// phantom update. An engine normalises what else its MDM rewrites before
// it hands the Object over.
package profilesync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/internal/rest"
	"github.com/mdmforge/mdmforge/internal/suggest"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/diff"
)

// Kind is the plan's kind for every object these engines write.
const Kind = "profile"

// Desired is the profile one policy builds, as it is uploaded.
type Desired struct {
	Policy     *profiles.Policy
	File       string
	Identifier string
	// Name is the name the MDM shows: the profile's PayloadDisplayName.
	Name    string
	Profile []byte
	// Assign are the resolved assignments, sorted.
	Assign []deploy.Assignment
	// Fields are other properties the MDM keeps beside the profile
	// (Jamf's description), compared by name.
	Fields map[string]string
}

// Object is a profile the MDM holds.
type Object struct {
	ID, Name string
	// Identifier is the profile's PayloadIdentifier as the engine knows
	// it (a marker, a field, or the payload itself).
	Identifier string
	// Managed says mdmforge made the object (a marker) or owns it by its
	// identifier.
	Managed bool
	// Profile is the profile the MDM holds, normalised by the engine.
	Profile []byte
	Assign  []deploy.Assignment
	Fields  map[string]string
}

// Options control a plan.
type Options struct {
	Target string
	// Adopt takes over an unmanaged object with a policy's identifier.
	Adopt bool
	// Prune plans the deletion of managed objects no policy builds.
	Prune bool
	// UniqueNames says the MDM refuses two profiles of one name (Jamf
	// and Fleet answer 409), so a create beside a same-named object is a
	// problem found at plan time.
	UniqueNames bool
	// NameChanges says whether the MDM's name is compared: false for an
	// MDM that takes the name from the payload itself.
	NameChanges bool
	// UpdateConsequence is what devices go through when a profile is
	// updated, said on each update step.
	UpdateConsequence string
}

// Op is one step with what it takes.
type Op struct {
	Step int
	Want *Desired
	Have *Object
	// Content says the profile or its name is written; Assign that the
	// assignments are.
	Content, Assign, Delete bool
}

// Planned is a plan and its operations.
type Planned struct {
	Plan *deploy.Plan
	Ops  []*Op
}

// BuildDesired builds each policy's profile for target, unsigned (or
// signed by sign, when not nil). A policy that builds no profile (only
// Outlook's plist) is a note.
func BuildDesired(policies []*profiles.Policy, target profiles.Target, sign func([]byte) ([]byte, error)) ([]*Desired, []string, error) {
	var out []*Desired
	var notes []string
	seen := map[string]string{}
	var probs profiles.Diagnostics
	for _, p := range policies {
		outs, err := p.Build(profiles.Options{Target: target})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p.File, err)
		}
		var data []byte
		for _, o := range outs {
			if strings.HasSuffix(o.Name, ".mobileconfig") {
				data = o.Data
			}
		}
		if data == nil {
			notes = append(notes, fmt.Sprintf("%s: builds no configuration profile (only Outlook's plist), so nothing of it is deployed to %s", p.File, target))
			continue
		}
		id := p.Profile.Identifier
		if prev, ok := seen[id]; ok {
			probs = append(probs, profiles.Diagnostic{Path: "profile.identifier", Pos: p.Pos("profile.identifier"),
				Message: fmt.Sprintf("%q is also the identifier of %s: each profile needs its own", id, prev)})
			continue
		}
		seen[id] = p.File
		if sign != nil {
			if data, err = sign(data); err != nil {
				return nil, nil, fmt.Errorf("%s: signing: %w", p.File, err)
			}
		}
		name := p.Profile.DisplayName
		if name == "" {
			name = p.Profile.Name
		}
		out = append(out, &Desired{Policy: p, File: p.File, Identifier: id, Name: name, Profile: data})
	}
	if len(probs) > 0 {
		return nil, nil, &deploy.ProblemsError{Diagnostics: probs}
	}
	return out, notes, nil
}

// Groups resolves assignment names against the MDM's groups (Jamf
// groups, Fleet labels) for every policy, all problems together.
// what names them in messages ("mobile device group", "label").
func Groups(want []*Desired, byName map[string][]string, what string) profiles.Diagnostics {
	var probs profiles.Diagnostics
	var names []string
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, d := range want {
		inc, exc := assignmentsOf(d.Policy)
		d.Assign = nil
		for _, side := range []struct {
			path, kind string
			refs       []string
		}{{"assignments.include", "include", inc}, {"assignments.exclude", "exclude", exc}} {
			for i, ref := range side.refs {
				ids := byName[ref]
				path := fmt.Sprintf("%s[%d]", side.path, i)
				switch {
				case len(ids) == 1:
					d.Assign = append(d.Assign, deploy.Assignment{Kind: side.kind, Group: ref, ID: ids[0]})
					continue
				case len(ids) > 1:
					probs = append(probs, profiles.Diagnostic{Path: path, Pos: d.Policy.Pos(path),
						Message: fmt.Sprintf("%d %ss are named %q (ids %s): rename all but one", len(ids), what, ref, strings.Join(ids, ", "))})
					continue
				}
				msg := fmt.Sprintf("no %s is named %q", what, ref)
				if c := candidates(ref, names); c != "" {
					msg += "; " + c
				}
				probs = append(probs, profiles.Diagnostic{Path: path, Pos: d.Policy.Pos(path), Message: msg})
			}
		}
		SortAssignments(d.Assign)
	}
	return probs
}

// candidates names the closest names, or a few of them all.
func candidates(word string, names []string) string {
	if len(names) == 0 {
		return "there are none"
	}
	if c := suggest.Closest(word, names); c != "" {
		return fmt.Sprintf("did you mean %q?", c)
	}
	show := names
	if len(show) > 10 {
		show = show[:10]
	}
	q := make([]string, len(show))
	for i, n := range show {
		q[i] = fmt.Sprintf("%q", n)
	}
	s := "the names are " + strings.Join(q, ", ")
	if len(names) > len(show) {
		s += fmt.Sprintf(" and %d more", len(names)-len(show))
	}
	return s
}

func assignmentsOf(p *profiles.Policy) (include, exclude []string) {
	if p.Assignments == nil {
		return nil, nil
	}
	return p.Assignments.Include, p.Assignments.Exclude
}

// SortAssignments sorts by kind, then id.
func SortAssignments(a []deploy.Assignment) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].Kind != a[j].Kind {
			return a[i].Kind < a[j].Kind
		}
		return a[i].ID < a[j].ID
	})
}

func sameAssignments(a, b []deploy.Assignment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}

// PlanWith is Plan with the problems the engine found before (groups
// that are not there), reported together with Plan's; hint is said once
// when there are any of those.
func PlanWith(want []*Desired, have []*Object, notes []string, o Options, before profiles.Diagnostics, hint string) (*Planned, error) {
	pl, err := Plan(want, have, notes, o)
	if len(before) == 0 {
		return pl, err
	}
	pe := &deploy.ProblemsError{Diagnostics: before, Hints: []string{hint}}
	var more *deploy.ProblemsError
	if errors.As(err, &more) {
		pe.Diagnostics = append(pe.Diagnostics, more.Diagnostics...)
		pe.Hints = append(pe.Hints, more.Hints...)
	} else if err != nil {
		return nil, err
	}
	pe.Diagnostics.Sort()
	return nil, pe
}

// Plan pairs the desired profiles with the objects by identifier and
// works out the steps: creates and updates in policy order, then
// deletions by name. Problems (duplicates in the MDM, an unmanaged object
// in the way, a name taken) are returned together, nothing planned.
func Plan(want []*Desired, have []*Object, notes []string, o Options) (*Planned, error) {
	pl := &Planned{Plan: &deploy.Plan{Format: deploy.FormatVersion, Target: o.Target, Steps: []deploy.Step{}, Notes: notes}}
	byID := map[string][]*Object{}
	for _, obj := range have {
		if obj.Identifier != "" {
			byID[obj.Identifier] = append(byID[obj.Identifier], obj)
		}
	}
	wanted := map[string]bool{}
	taken := map[*Object]bool{}
	var probs profiles.Diagnostics
	var state [][]byte
	for _, d := range want {
		wanted[d.Identifier] = true
		problem := func(msg string) {
			probs = append(probs, profiles.Diagnostic{Path: "profile.identifier", Pos: d.Policy.Pos("profile.identifier"),
				Message: fmt.Sprintf("profile %q: %s", d.Name, msg)})
		}
		objs := byID[d.Identifier]
		var cur *Object
		adopted := false
		switch {
		case len(objs) > 1:
			problem(fmt.Sprintf("%d profiles of %s have the identifier %s (ids %s): delete all but one, then plan again", len(objs), o.Target, d.Identifier, objIDs(objs)))
			continue
		case len(objs) == 1 && !objs[0].Managed && !o.Adopt:
			problem(fmt.Sprintf("%s has a profile with the identifier %s (%q, id %s) that mdmforge did not make: use --adopt to take it over", o.Target, d.Identifier, objs[0].Name, objs[0].ID))
			continue
		case len(objs) == 1:
			cur, adopted = objs[0], !objs[0].Managed
			taken[cur] = true
		}
		if cur == nil && o.UniqueNames {
			for _, obj := range have {
				if obj.Name == d.Name && obj.Identifier != d.Identifier {
					problem(fmt.Sprintf("%s already has a profile named %q (id %s, identifier %s), and names must be unique there: rename one", o.Target, d.Name, obj.ID, orNone(obj.Identifier)))
				}
			}
		}
		step := deploy.Step{Action: deploy.Create, Policy: d.File, Kind: Kind, Name: d.Name}
		op := &Op{Step: len(pl.Plan.Steps), Want: d, Have: cur}
		state = append(state, desiredState(d))
		if cur == nil {
			op.Content, op.Assign = true, len(d.Assign) > 0
			if op.Assign {
				step.Assignments = &deploy.AssignmentChange{Before: []deploy.Assignment{}, After: d.Assign}
			}
		} else {
			state = append(state, objectState(cur))
			step.ID, step.Adopted = cur.ID, adopted
			changes, profile, consequences, err := compare(d, cur, o)
			if err != nil {
				return nil, err
			}
			step.Changes, step.Profile, step.Consequences = changes, profile, consequences
			op.Content = len(changes) > 0 || profile != nil || adopted
			if !sameAssignments(cur.Assign, d.Assign) {
				op.Assign = true
				step.Assignments = &deploy.AssignmentChange{Before: nonNil(cur.Assign), After: nonNil(d.Assign)}
			}
			switch {
			case op.Content:
				step.Action = deploy.Update
				if o.UpdateConsequence != "" {
					step.Consequences = append(step.Consequences, o.UpdateConsequence)
				}
			case op.Assign:
				step.Action = deploy.Assign
			default:
				step.Action = deploy.NoChange
			}
		}
		pl.Plan.Steps = append(pl.Plan.Steps, step)
		pl.Ops = append(pl.Ops, op)
	}
	if len(probs) > 0 {
		return nil, &deploy.ProblemsError{Diagnostics: probs}
	}
	var extra []*Object
	for _, obj := range have {
		if obj.Managed && !taken[obj] && !wanted[obj.Identifier] {
			extra = append(extra, obj)
		}
	}
	sort.Slice(extra, func(i, j int) bool {
		if extra[i].Name != extra[j].Name {
			return extra[i].Name < extra[j].Name
		}
		return extra[i].ID < extra[j].ID
	})
	for _, obj := range extra {
		if !o.Prune {
			pl.Plan.Notes = append(pl.Plan.Notes, fmt.Sprintf("profile %q (id %s, identifier %s) was made by mdmforge and no policy builds it: apply --prune deletes it", obj.Name, obj.ID, orNone(obj.Identifier)))
			continue
		}
		state = append(state, objectState(obj))
		pl.Ops = append(pl.Ops, &Op{Step: len(pl.Plan.Steps), Have: obj, Delete: true})
		pl.Plan.Steps = append(pl.Plan.Steps, deploy.Step{Action: deploy.Delete, Kind: Kind, Name: obj.Name, ID: obj.ID,
			Consequences: []string{"devices that have the profile remove it, and the settings it made"}})
	}
	pl.Plan.Seal(state...)
	return pl, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func nonNil(a []deploy.Assignment) []deploy.Assignment {
	if a == nil {
		return []deploy.Assignment{}
	}
	return a
}

func objIDs(objs []*Object) string {
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	return strings.Join(ids, ", ")
}

func desiredState(d *Desired) []byte {
	b, _ := json.Marshal(struct {
		ID, Name, Profile string
		Assign            []deploy.Assignment
		Fields            map[string]string
	}{d.Identifier, d.Name, fmt.Sprintf("%x", sha256.Sum256(d.Profile)), d.Assign, d.Fields})
	return b
}

func objectState(o *Object) []byte {
	b, _ := json.Marshal(struct {
		ID, Name, Identifier, Profile string
		Managed                       bool
		Assign                        []deploy.Assignment
		Fields                        map[string]string
	}{o.ID, o.Name, o.Identifier, fmt.Sprintf("%x", sha256.Sum256(o.Profile)), o.Managed, o.Assign, o.Fields})
	return b
}

// compare finds what differs between the object and the profile: the
// name, and the payload by value with UUIDs hidden.
func compare(d *Desired, cur *Object, o Options) ([]deploy.Change, json.RawMessage, []string, error) {
	var changes []deploy.Change
	if o.NameChanges && cur.Name != d.Name {
		b, _ := json.Marshal(cur.Name)
		a, _ := json.Marshal(d.Name)
		changes = append(changes, deploy.Change{Kind: deploy.Changed, Path: "name", Before: b, After: a})
	}
	keys := make([]string, 0, len(d.Fields))
	for k := range d.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if cur.Fields[k] != d.Fields[k] {
			b, _ := json.Marshal(cur.Fields[k])
			a, _ := json.Marshal(d.Fields[k])
			changes = append(changes, deploy.Change{Kind: deploy.Changed, Path: k, Before: b, After: a})
		}
	}
	if bytes.Equal(cur.Profile, d.Profile) {
		return changes, nil, nil, nil
	}
	name := d.Policy.Profile.Name + ".mobileconfig"
	r, err := diff.Compare(diff.FileSide(o.Target+"/"+name, cur.Profile), diff.FileSide(name, d.Profile), diff.Options{})
	if err != nil {
		// What the MDM holds is no profile mdmforge can read: replace it,
		// and say so by digest, never by content.
		b, _ := json.Marshal(fmt.Sprintf("<%d bytes, sha256 %x>", len(cur.Profile), sha256.Sum256(cur.Profile)))
		a, _ := json.Marshal(fmt.Sprintf("<%d bytes, sha256 %x>", len(d.Profile), sha256.Sum256(d.Profile)))
		return append(changes, deploy.Change{Kind: deploy.Changed, Path: "payload", Before: b, After: a}), nil, nil, nil
	}
	if !r.Different() {
		return changes, nil, nil, nil
	}
	var buf bytes.Buffer
	if err := r.Render(&buf, diff.FormatJSON); err != nil {
		return nil, nil, nil, err
	}
	var consequences []string
	for _, f := range r.Files {
		for _, q := range f.Consequences {
			consequences = append(consequences, q.Message)
		}
	}
	return changes, json.RawMessage(bytes.TrimSpace(buf.Bytes())), consequences, nil
}

// CheckSaved refuses a saved plan unless it is the plan made now.
func CheckSaved(saved, now *deploy.Plan) error {
	if saved == nil {
		return nil
	}
	if saved.Target != now.Target {
		return fmt.Errorf("the plan is for %s, not %s", saved.Target, now.Target)
	}
	if saved.Fingerprint == now.Fingerprint {
		return nil
	}
	what := deploy.Difference(saved, now)
	if what == "" {
		what = "a profile's state that the plan does not show changed"
	}
	return &deploy.HintError{
		Err:   fmt.Errorf("%s or the policies changed since the plan was made: %s", now.Target, what),
		Hints: []string{"run plan again, review it, and apply the new plan"}}
}

// Writer is what an engine does to its MDM.
type Writer interface {
	// Create uploads the profile with its assignments and returns its id.
	Create(ctx context.Context, d *Desired) (string, error)
	// Update writes the op's changes (content, assignments or both).
	Update(ctx context.Context, op *Op) error
	Delete(ctx context.Context, obj *Object) error
	// Find looks a profile up by identifier after a create whose answer
	// was lost; nil when it is not there.
	Find(ctx context.Context, identifier string) (*Object, error)
}

// Apply carries out the plan's operations in order. A create whose
// answer was lost is looked up before the apply stops, so the next apply
// updates it rather than making a second. The Result counts what was
// done, also when an error stopped the apply.
func Apply(ctx context.Context, pl *Planned, w Writer) (*deploy.Result, error) {
	res := &deploy.Result{}
	for _, op := range pl.Ops {
		step := pl.Plan.Steps[op.Step]
		var err error
		switch step.Action {
		case deploy.NoChange:
			res.Unchanged++
			continue
		case deploy.Create:
			_, err = w.Create(ctx, op.Want)
			if err != nil && unknown(err) {
				if obj, ferr := w.Find(ctx, op.Want.Identifier); ferr == nil && obj != nil {
					err = fmt.Errorf("%w; the profile was created nevertheless (id %s): apply again to finish it", err, obj.ID)
				}
			}
			if err == nil {
				res.Created++
			}
		case deploy.Update, deploy.Assign:
			err = w.Update(ctx, op)
			if err == nil && step.Action == deploy.Update {
				res.Updated++
			} else if err == nil {
				res.Assigned++
			}
		case deploy.Delete:
			err = w.Delete(ctx, op.Have)
			if rest.StatusOf(err) == 404 {
				err = nil // gone already: what the step wanted
			}
			if err == nil {
				res.Deleted++
			}
		}
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func unknown(err error) bool {
	var e *rest.Error
	return errors.As(err, &e) && e.Unknown
}
