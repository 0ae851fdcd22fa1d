package nanomdm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/google/uuid"
	"howett.net/plist"

	"github.com/mdmforge/mdmforge/deploy"
)

// Target is the name plans give NanoMDM.
const Target = "nanomdm"

// Kind is the kind of every step: a profile on one enrollment.
const Kind = "profile"

// Options control a plan or an apply.
type Options struct {
	// StatePath is the state file; DefaultStatePath when empty.
	StatePath string
	// Prune queues RemoveProfile for what the state file records that no
	// policy delivers any more; without it the plan notes it.
	Prune bool
	// Notes are added to the plan's (FromPolicies returns some).
	Notes []string
	// Progress, when set, is told of each command as it is queued.
	Progress io.Writer
}

func (o Options) statePath() string {
	if o.StatePath == "" {
		return DefaultStatePath
	}
	return o.StatePath
}

// maxIDsPerCommand bounds the enrollments of one enqueue request, and so
// its URL: 100 UDIDs make about 4 KB.
const maxIDsPerCommand = 100

// delivery is one step with what applying it takes.
type delivery struct {
	step int
	prof *Profile // nil for a removal
	id   string
	prev Entry // the state file's entry; zero for a create
	// remove is the state entry a RemoveProfile is for.
	remove bool
}

type planned struct {
	plan  *deploy.Plan
	state *State
	ops   []delivery
}

// Plan compares the profiles with the state file and returns what Apply
// would queue. It checks the server's URL and API key, and queues
// nothing.
func Plan(ctx context.Context, c *Client, profs []Profile, o Options) (*deploy.Plan, error) {
	pl, err := plan(ctx, c, profs, o)
	if err != nil {
		return nil, err
	}
	return pl.plan, nil
}

func plan(ctx context.Context, c *Client, profs []Profile, o Options) (*planned, error) {
	st, err := ReadState(o.statePath())
	if err != nil {
		return nil, err
	}
	if st.Server != "" && st.Server != c.cfg.server() {
		return nil, &deploy.HintError{Err: fmt.Errorf("the state file %s records what was queued to %s, not %s", o.statePath(), st.Server, c.cfg.server()),
			Hints: []string{"keep one state file per NanoMDM server: name another with --state"}}
	}
	if err := c.Check(ctx); err != nil {
		return nil, err
	}
	idx := st.index()
	pl := &planned{plan: &deploy.Plan{Format: deploy.FormatVersion, Target: Target, Steps: []deploy.Step{}}, state: st}
	pl.plan.Notes = append(pl.plan.Notes, o.Notes...)
	var seal [][]byte
	wanted := map[stateKey]string{} // → policy file
	for i := range profs {
		p := &profs[i]
		hash := sha(p.Data)
		for _, id := range p.EnrollmentIDs {
			k := stateKey{id, p.Identifier}
			if prev, dup := wanted[k]; dup {
				return nil, fmt.Errorf("%s: enrollment %s would get two profiles of the identifier %s (also from %s)", p.Policy, id, p.Identifier, prev)
			}
			wanted[k] = p.Policy
			s := deploy.Step{Policy: p.Policy, Kind: Kind, Name: stepName(p.Name, p.User, id)}
			prev, had := idx[k]
			switch {
			case !had:
				s.Action = deploy.Create
			case prev.ProfileSHA256 != hash || prev.Signed != (p.Signed != nil):
				s.Action = deploy.Update
				if prev.ProfileSHA256 != hash {
					s.Changes = append(s.Changes, change("profile_sha256", prev.ProfileSHA256, hash))
					s.Consequences = append(s.Consequences, "the device reinstalls the profile in place: its settings change as the policy now says")
				}
				if prev.Signed != (p.Signed != nil) {
					s.Changes = append(s.Changes, change("signed", prev.Signed, p.Signed != nil))
				}
			default:
				s.Action = deploy.NoChange
			}
			pl.ops = append(pl.ops, delivery{step: len(pl.plan.Steps), prof: p, id: id, prev: prev})
			pl.plan.Steps = append(pl.plan.Steps, s)
			seal = append(seal, []byte(fmt.Sprintf("install %s %s %s %t %s", id, p.Identifier, hash, p.Signed != nil, prev.CommandUUID)))
		}
	}
	// What the state file records that no profile goes to any more.
	var gone []Entry
	for _, e := range st.Entries {
		if _, ok := wanted[e.key()]; !ok {
			gone = append(gone, e)
		}
	}
	sort.Slice(gone, func(i, j int) bool {
		if gone[i].Identifier != gone[j].Identifier {
			return gone[i].Identifier < gone[j].Identifier
		}
		return gone[i].EnrollmentID < gone[j].EnrollmentID
	})
	for _, e := range gone {
		if !o.Prune {
			pl.plan.Notes = append(pl.plan.Notes, fmt.Sprintf("profile %s (%q, from %s) was queued to enrollment %s, and no policy sends it there any more: apply --prune removes it from the device",
				e.Identifier, e.Name, e.Policy, e.EnrollmentID))
			continue
		}
		pl.ops = append(pl.ops, delivery{step: len(pl.plan.Steps), id: e.EnrollmentID, prev: e, remove: true})
		pl.plan.Steps = append(pl.plan.Steps, deploy.Step{Action: deploy.Delete, Policy: e.Policy, Kind: Kind, Name: stepName(e.Name, e.User, e.EnrollmentID),
			Consequences: []string{"the device removes the profile " + e.Identifier + " and the settings and accounts it installed"}})
		seal = append(seal, []byte(fmt.Sprintf("remove %s %s %s", e.EnrollmentID, e.Identifier, e.CommandUUID)))
	}
	pl.plan.Seal(seal...)
	return pl, nil
}

// stepName names a step by the profile and the enrollment, which every
// format shows (a plan's ID is a tenant object's, and NanoMDM has none):
// "Work Contacts for alice@example.com on 00008030-…".
func stepName(name, user, id string) string {
	if user != "" {
		name += " for " + user
	}
	return name + " on " + id
}

func change(path string, before, after any) deploy.Change {
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	return deploy.Change{Kind: deploy.Changed, Path: path, Before: b, After: a}
}

// Apply plans again and queues what the plan says, then records it in the
// state file. With saved nil it applies the plan it makes; otherwise it
// refuses unless the new plan's fingerprint equals saved's. The Result
// counts the enrollments of each action, also when an error stopped the
// apply midway; what was queued before the error is recorded, so applying
// again finishes the work.
func Apply(ctx context.Context, c *Client, profs []Profile, saved *deploy.Plan, o Options) (*deploy.Result, error) {
	r := &deploy.Result{}
	unlock, err := lockState(o.statePath())
	if err != nil {
		return r, err
	}
	defer unlock()
	pl, err := plan(ctx, c, profs, o)
	if err != nil {
		return r, err
	}
	if saved != nil {
		if saved.Target != Target {
			return r, fmt.Errorf("the plan is for %s, not %s", saved.Target, Target)
		}
		if saved.Fingerprint != pl.plan.Fingerprint {
			what := deploy.Difference(saved, pl.plan)
			if what == "" {
				what = "what the state file records changed"
			}
			return r, &deploy.HintError{Err: fmt.Errorf("the policies or the state file changed since the plan was made: %s", what),
				Hints: []string{"run plan again, review it, and apply the new plan"}}
		}
	}
	before := c.writes
	defer func() { r.Writes = c.writes - before }()

	idx := pl.state.index()
	changed := false
	aerr := pl.apply(ctx, c, o, r, func(e Entry, remove bool) {
		changed = true
		if remove {
			delete(idx, e.key())
		} else {
			idx[e.key()] = e
		}
	})
	if !changed {
		return r, aerr
	}
	next := &State{Server: c.cfg.server(), Entries: make([]Entry, 0, len(idx))}
	for _, e := range idx {
		next.Entries = append(next.Entries, e)
	}
	if err := WriteState(o.statePath(), next); err != nil {
		err = fmt.Errorf("commands were queued, but the state file could not be written, so the next apply queues them again: %w", err)
		return r, errors.Join(aerr, err)
	}
	return r, aerr
}

// batch is one enqueue: one command to several enrollments.
type batch struct {
	ops    []delivery
	remove bool
}

func (pl *planned) apply(ctx context.Context, c *Client, o Options, r *deploy.Result, record func(Entry, bool)) error {
	// Installs of one profile, and removals of one identifier, go in one
	// command to all its enrollments, in the order of the plan.
	var order []string
	groups := map[string]*batch{}
	for _, d := range pl.ops {
		s := pl.plan.Steps[d.step]
		if s.Action == deploy.NoChange {
			r.Unchanged++
			continue
		}
		var key string
		if d.remove {
			key = "remove\x00" + d.prev.Identifier
		} else {
			key = fmt.Sprintf("install\x00%p", d.prof)
		}
		b, ok := groups[key]
		if !ok {
			b = &batch{remove: d.remove}
			groups[key] = b
			order = append(order, key)
		}
		b.ops = append(b.ops, d)
	}
	for _, key := range order {
		b := groups[key]
		for start := 0; start < len(b.ops); start += maxIDsPerCommand {
			chunk := b.ops[start:min(start+maxIDsPerCommand, len(b.ops))]
			if err := pl.send(ctx, c, o, r, chunk, b.remove, record); err != nil {
				return err
			}
		}
	}
	return nil
}

// send queues the command for a chunk of deliveries of one profile (or
// removals of one identifier) and records what NanoMDM accepted.
func (pl *planned) send(ctx context.Context, c *Client, o Options, r *deploy.Result, chunk []delivery, remove bool, record func(Entry, bool)) error {
	ident := chunk[0].prev.Identifier
	verb := "RemoveProfile " + ident
	if !remove {
		ident = chunk[0].prof.Identifier
		verb = "InstallProfile " + ident
	}
	refused := map[string]string{}
	if err := pl.sendChunk(ctx, c, o, r, chunk, remove, record, refused); err != nil {
		return err
	}
	if len(refused) > 0 {
		var msgs []string
		for _, id := range sortedKeys(refused) {
			msgs = append(msgs, "enrollment "+id+": "+refused[id])
		}
		return &deploy.HintError{Err: fmt.Errorf("NanoMDM refused %s for %d of %d enrollments:\n  %s", verb, len(refused), len(chunk), strings.Join(msgs, "\n  ")),
			Hints: []string{"check the enrollment ids: NanoMDM knows an enrollment once its device has checked in (Authenticate, then TokenUpdate)"}}
	}
	return nil
}

// sendChunk sends one command. NanoMDM's SQL storages refuse a whole
// request when one id is unknown, so a refused request of several ids is
// sent again id by id (each a command of its own UUID) to find which.
func (pl *planned) sendChunk(ctx context.Context, c *Client, o Options, r *deploy.Result, chunk []delivery, remove bool, record func(Entry, bool), refused map[string]string) error {
	ids := make([]string, len(chunk))
	for i, d := range chunk {
		ids[i] = d.id
	}
	var body []byte
	var cmdUUID, verb, sentHash string
	if remove {
		ident := chunk[0].prev.Identifier
		cmdUUID = commandUUID("RemoveProfile", ident, "", chunk)
		body = command(cmdUUID, "RemoveProfile", ident, nil)
		verb = "RemoveProfile " + ident
	} else {
		p := chunk[0].prof
		sentHash = sha(p.sent())
		cmdUUID = commandUUID("InstallProfile", p.Identifier, sentHash, chunk)
		body = command(cmdUUID, "InstallProfile", "", p.sent())
		verb = "InstallProfile " + p.Identifier
	}
	q, err := c.enqueue(ctx, ids, cmdUUID, body)
	var re *refusedError
	switch {
	case errors.As(err, &re) && len(chunk) > 1:
		for _, d := range chunk {
			if err := pl.sendChunk(ctx, c, o, r, []delivery{d}, remove, record, refused); err != nil {
				return err
			}
		}
		return nil
	case errors.As(err, &re):
		refused[chunk[0].id] = re.msg
		return nil
	case err != nil:
		return err
	}
	for _, d := range chunk {
		if msg, no := q.refused[d.id]; no {
			refused[d.id] = msg
			continue
		}
		if remove {
			record(d.prev, true)
			r.Deleted++
			continue
		}
		p := d.prof
		record(Entry{EnrollmentID: d.id, Identifier: p.Identifier, Policy: p.Policy, Name: p.Name, User: p.User,
			ProfileSHA256: sha(p.Data), SentSHA256: sentHash, Signed: p.Signed != nil, CommandUUID: cmdUUID}, false)
		if pl.plan.Steps[d.step].Action == deploy.Create {
			r.Created++
		} else {
			r.Updated++
		}
	}
	if o.Progress != nil && len(q.ok) > 0 {
		fmt.Fprintf(o.Progress, "queued %s for %s (command %s)\n", verb, idList(q.ok), cmdUUID)
		if q.pushError != "" {
			fmt.Fprintf(o.Progress, "warning: NanoMDM queued it but could not send the push notification (%s); devices get it at their next check-in\n", q.pushError)
		}
	}
	return nil
}

// uuidNamespace roots the CommandUUIDs mdmforge derives.
var uuidNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/mdmforge/mdmforge/nanomdm-command"))

// commandUUID derives a command's UUID from what it does and to whom,
// and from the command each enrollment last got from mdmforge: the same
// request sent again has the same UUID, a new one another.
func commandUUID(requestType, ident, sentHash string, chunk []delivery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n%s\n", requestType, ident, sentHash)
	for _, d := range chunk {
		fmt.Fprintf(&b, "%s=%s\n", d.id, d.prev.CommandUUID)
	}
	return strings.ToUpper(uuid.NewSHA1(uuidNamespace, []byte(b.String())).String())
}

// command is the raw MDM command NanoMDM queues.
func command(cmdUUID, requestType, ident string, payload []byte) []byte {
	type body struct {
		RequestType string `plist:"RequestType"`
		Payload     []byte `plist:"Payload,omitempty"`
		Identifier  string `plist:"Identifier,omitempty"`
	}
	type cmd struct {
		CommandUUID string `plist:"CommandUUID"`
		Command     body   `plist:"Command"`
	}
	out, err := plist.MarshalIndent(cmd{CommandUUID: cmdUUID, Command: body{RequestType: requestType, Payload: payload, Identifier: ident}}, plist.XMLFormat, "\t")
	if err != nil {
		panic(err) // strings and bytes always marshal
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
