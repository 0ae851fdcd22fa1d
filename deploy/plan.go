// Package deploy is what every MDM engine of mdmforge shares: the plan of
// what an apply will change in a tenant, its rendering for people and
// programs, the plan file that "plan --out" saves and "apply --plan"
// applies, and the result of an apply.
//
// A plan holds no secrets: property values are redacted as profiles/diff
// redacts them, and secrets inside a profile payload are shown only as
// changed. A plan file is therefore safe to keep as a CI artifact or to
// post in a pull request. Its Fingerprint covers the desired and observed
// state behind each step, so an engine can refuse to apply a saved plan
// when the tenant or the policies changed since it was made.
//
// The engines live in subpackages (deploy/intune); this package knows no
// MDM.
package deploy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// FormatVersion is the plan file format Write writes and ReadPlan reads.
const FormatVersion = 1

// Action is what a step does to one object of the tenant.
type Action string

const (
	// Create makes a new object (and assigns it).
	Create Action = "create"
	// Update changes an existing object's properties (and its assignments,
	// when they differ too). An adopted object is an update with Adopted.
	Update Action = "update"
	// Assign changes only the object's assignments.
	Assign Action = "assign"
	// Delete removes an object mdmforge made that no policy builds any
	// more (apply --prune).
	Delete Action = "delete"
	// NoChange leaves the object as it is.
	NoChange Action = "no-change"
)

// Plan is what an apply would do: one Step per object, in the order the
// writes are made.
type Plan struct {
	// Format is the plan file format, FormatVersion.
	Format int `json:"format"`
	// Target names the MDM, e.g. "intune".
	Target string `json:"target"`
	// Fingerprint is the SHA-256 of the canonical steps and of the desired
	// and observed state they were planned from (see Seal).
	Fingerprint string `json:"fingerprint"`
	Steps       []Step `json:"steps"`
	// Notes are what the plan does not act on, for people: objects
	// mdmforge made that no policy builds (without --prune), objects left
	// out because the tenant lacks an app.
	Notes []string `json:"notes,omitempty"`
}

// Step is what happens to one object.
type Step struct {
	Action Action `json:"action"`
	// Policy is the policy file the object is built from; empty for a
	// deleted object.
	Policy string `json:"policy"`
	// Kind is the engine's name for the sort of object, e.g. custom-profile
	// or compliance.
	Kind string `json:"kind"`
	// Name is the object's display name (after the step).
	Name string `json:"name"`
	// ID is the tenant's id of an existing object.
	ID string `json:"id,omitempty"`
	// Adopted marks an object mdmforge takes over (by its exact name) and
	// marks as its own.
	Adopted bool `json:"adopted,omitempty"`
	// Changes are the property-level differences, secrets redacted; a
	// created object has none.
	Changes []Change `json:"changes,omitempty"`
	// Profile is the difference of an embedded configuration profile (a
	// custom profile's payload) as profiles/diff renders it in JSON.
	Profile json.RawMessage `json:"profile,omitempty"`
	// Consequences say what devices or users go through because of the
	// step, one sentence each.
	Consequences []string `json:"consequences,omitempty"`
	// Assignments are the object's assignments before and after, when the
	// step changes them or creates the object with some.
	Assignments *AssignmentChange `json:"assignments,omitempty"`
}

// ChangeKind says whether a property is added, removed or changed.
type ChangeKind string

// The kinds of Change.
const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Change is one property's difference. Before is absent for Added, After
// for Removed; a Secret change carries neither value.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Path names the property: displayName, customSettings["key"],
	// settings["key"].appConfigKeyValue.
	Path   string          `json:"path"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	Secret bool            `json:"secret,omitempty"`
}

// AssignmentChange is the set of assignments before and after a step,
// each sorted.
type AssignmentChange struct {
	Before []Assignment `json:"before"`
	After  []Assignment `json:"after"`
}

// Assignment is one target of an object's assignments: a group included
// or excluded, or a target that is not a group (Kind other than include
// or exclude, e.g. "all-licensed-users"), which the tenant may hold and
// an apply replaces.
type Assignment struct {
	// Kind is include, exclude, or another target's name.
	Kind  string `json:"kind"`
	Group string `json:"group,omitempty"` // display name, when known
	ID    string `json:"id,omitempty"`    // group object id
}

// String is how plans show the assignment: "include Sales-iOS (0f3c…)".
func (a Assignment) String() string {
	switch {
	case a.Group != "" && a.ID != "":
		return a.Kind + " " + a.Group + " (" + a.ID + ")"
	case a.ID != "":
		return a.Kind + " " + a.ID
	}
	return a.Kind
}

// Added returns the assignments After has and Before has not.
func (c *AssignmentChange) Added() []Assignment { return minus(c.After, c.Before) }

// Removed returns the assignments Before has and After has not.
func (c *AssignmentChange) Removed() []Assignment { return minus(c.Before, c.After) }

func minus(a, b []Assignment) []Assignment {
	var out []Assignment
	for _, x := range a {
		found := false
		for _, y := range b {
			if x.Kind == y.Kind && x.ID == y.ID {
				found = true
				break
			}
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

// Result counts what an apply did. Writes counts every write request
// made (POST, PATCH, DELETE and actions such as assign), retries
// included.
type Result struct {
	Created, Updated, Assigned, Deleted, Unchanged int
	Writes                                         int
}

// Changed reports whether applying the plan would write anything.
func (p *Plan) Changed() bool {
	for _, s := range p.Steps {
		if s.Action != NoChange {
			return true
		}
	}
	return false
}

// Counts returns how many steps take each action.
func (p *Plan) Counts() map[Action]int {
	n := map[Action]int{}
	for _, s := range p.Steps {
		n[s.Action]++
	}
	return n
}

// Seal computes and sets the plan's Fingerprint from its target, its
// steps and state: the engine's canonical form of the desired and
// observed objects behind the steps, so that a change in the tenant that
// the redacted steps do not show still changes the fingerprint.
func (p *Plan) Seal(state ...[]byte) {
	p.Fingerprint = p.fingerprint(state)
}

func (p *Plan) fingerprint(state [][]byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "mdmforge plan %d %s\n", p.Format, p.Target)
	for _, s := range p.Steps {
		b, _ := json.Marshal(s) // a Step always marshals
		fmt.Fprintf(h, "step %d\n", len(b))
		h.Write(b)
	}
	for _, s := range state {
		fmt.Fprintf(h, "state %d\n", len(s))
		h.Write(s)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Difference names the first step in which two plans differ, for the
// error that refuses a saved plan: "update compliance "X – Compliance"
// is now no-change". It is empty when the steps are the same (the plans
// may still differ in state the steps do not show).
func Difference(saved, now *Plan) string {
	for i := 0; i < len(saved.Steps) || i < len(now.Steps); i++ {
		switch {
		case i >= len(now.Steps):
			return "the plan's step " + saved.Steps[i].title() + " is no longer planned"
		case i >= len(saved.Steps):
			return "a new step " + now.Steps[i].title()
		}
		a, _ := json.Marshal(saved.Steps[i])
		b, _ := json.Marshal(now.Steps[i])
		if bytes.Equal(a, b) {
			continue
		}
		sa, sb := saved.Steps[i], now.Steps[i]
		if sa.Action != sb.Action || sa.Kind != sb.Kind || sa.Policy != sb.Policy {
			return sa.title() + " is now " + sb.title()
		}
		if d := changeDifference(sa.Changes, sb.Changes); d != "" {
			return sa.title() + ": " + d
		}
		if !bytes.Equal(sa.Profile, sb.Profile) {
			return sa.title() + ": the payload's changes differ"
		}
		if x, y := assignmentLines(sa.Assignments), assignmentLines(sb.Assignments); x != y {
			return sa.title() + ": the assignments were " + x + " and are now " + y
		}
		return sa.title() + " would now make other changes"
	}
	return ""
}

func (s Step) title() string {
	t := string(s.Action) + " " + s.Kind + " " + quote(s.Name)
	if s.Policy != "" {
		t += " (" + s.Policy + ")"
	}
	return t
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// Write writes the plan file: the plan as indented JSON, deterministic.
func (p *Plan) Write(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// MaxPlanFile bounds what ReadPlan reads: plans of thousands of objects
// are far smaller.
const MaxPlanFile = 64 << 20

// ReadPlan reads a plan file Write wrote. It refuses another format, an
// unknown field, trailing data and a plan without a fingerprint.
func ReadPlan(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPlanFile+1))
	if err != nil {
		return nil, fmt.Errorf("plan file: %w", err)
	}
	if len(data) > MaxPlanFile {
		return nil, fmt.Errorf("plan file: larger than %d bytes", MaxPlanFile)
	}
	var probe struct {
		Format *int `json:"format"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&probe); err != nil {
		return nil, fmt.Errorf("plan file: not a plan: %w", err)
	}
	if probe.Format == nil {
		return nil, errors.New("plan file: not a plan: it has no format")
	}
	if *probe.Format != FormatVersion {
		return nil, fmt.Errorf("plan file: format %d, this mdmforge reads format %d", *probe.Format, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("plan file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("plan file: data after the plan")
	}
	if p.Target == "" || !strings.HasPrefix(p.Fingerprint, "sha256:") {
		return nil, errors.New("plan file: it has no target or no fingerprint")
	}
	for i, s := range p.Steps {
		switch s.Action {
		case Create, Update, Assign, Delete, NoChange:
		default:
			return nil, fmt.Errorf("plan file: step %d: no action %q", i+1, s.Action)
		}
	}
	return &p, nil
}

// changeDifference names the first change two steps do not share.
func changeDifference(saved, now []Change) string {
	for i := 0; i < len(saved) || i < len(now); i++ {
		switch {
		case i >= len(now):
			return "the plan's change " + saved[i].line() + " is no longer needed"
		case i >= len(saved):
			return "it now also changes " + now[i].line()
		}
		a, _ := json.Marshal(saved[i])
		b, _ := json.Marshal(now[i])
		if !bytes.Equal(a, b) {
			if saved[i].Path == now[i].Path {
				return saved[i].Path + " now changes as " + now[i].line()
			}
			return "the plan's change of " + saved[i].Path + " is now one of " + now[i].line()
		}
	}
	return ""
}

func assignmentLines(a *AssignmentChange) string {
	if a == nil {
		return "unchanged"
	}
	return strings.Join(a.lines(), ", ")
}
