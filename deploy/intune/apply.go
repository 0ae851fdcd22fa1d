package intune

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/deploy/internal/rest"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/graph"
)

// sleep waits before reading a write back; tests replace it.
var sleep = rest.Sleep

// readBackWaits are the seconds waited before each read of a write back:
// a replica may answer before the write reached it.
var readBackWaits = []int{0, 1, 2, 4}

// errNotConfirmed is a write Graph accepted whose effect a read does not
// show.
var errNotConfirmed = errors.New("not confirmed by reading it back")

// maxCreates bounds the POSTs of one create whose answers are lost.
const maxCreates = 3

func (e *engine) apply(ctx context.Context, pl *planned) (*deploy.Result, error) {
	r := &deploy.Result{}
	before := e.g.Stats().Writes
	defer func() { r.Writes = e.g.Stats().Writes - before }()
	for _, o := range pl.ops {
		s := &pl.plan.Steps[o.step]
		var err error
		switch s.Action {
		case deploy.NoChange:
			r.Unchanged++
			continue
		case deploy.Create:
			err = e.create(ctx, o, s)
			if err == nil {
				r.Created++
			}
		case deploy.Update:
			err = e.update(ctx, o, s)
			if err == nil {
				r.Updated++
			}
		case deploy.Assign:
			err = e.assign(ctx, o, s.ID)
			if err == nil {
				r.Assigned++
			}
		case deploy.Delete:
			err = e.delete(ctx, o)
			if err == nil {
				r.Deleted++
			}
		}
		if err != nil {
			return r, fmt.Errorf("%s %s %q: %w", s.Action, s.Kind, s.Name, err)
		}
		e.progress("%s %s %q (id %s)", pastTense[s.Action], s.Kind, s.Name, s.ID)
	}
	return r, nil
}

var pastTense = map[deploy.Action]string{deploy.Create: "created", deploy.Update: "updated", deploy.Assign: "assigned", deploy.Delete: "deleted"}

func (e *engine) progress(format string, args ...any) {
	if e.o.Progress != nil {
		fmt.Fprintf(e.o.Progress, format+"\n", args...)
	}
}

// write sends one write request.
func (e *engine) write(ctx context.Context, d *desired, r graph.Request, out any) error {
	r.Object = d.object()
	if err := e.g.Do(ctx, r, out); err != nil {
		return e.explain(err, d.collection, true)
	}
	return nil
}

func (e *engine) create(ctx context.Context, o *op, s *deploy.Step) error {
	d := o.d
	body := copyMap(d.body)
	if d.actions != nil {
		// Graph creates a compliance policy only with its block action
		// inline.
		body["scheduledActionsForRule"] = d.actions
	}
	id, err := e.post(ctx, d, body)
	if err != nil {
		return err
	}
	s.ID = id
	if d.apps != nil {
		if err := e.targetApps(ctx, d, id); err != nil {
			return err
		}
	}
	if err := e.readBack(ctx, d, id); err != nil {
		return err
	}
	if len(o.assign) > 0 {
		return e.assign(ctx, o, id)
	}
	return nil
}

// post creates an object. When the answer is lost (Graph may have
// created it), the object is looked up by name and marker before the
// POST is sent again, so that a retry never makes a second one.
func (e *engine) post(ctx context.Context, d *desired, body map[string]any) (string, error) {
	var last error
	for range maxCreates {
		var created tenantObject
		err := e.write(ctx, d, graph.Request{Method: http.MethodPost, Version: d.version, Path: d.collection, Body: body}, &created)
		if err == nil {
			if created.id() == "" {
				return "", fmt.Errorf("POST %s/%s: Graph answered the create without the new object's id", d.version, d.collection)
			}
			return created.id(), nil
		}
		if !graph.OutcomeUnknown(err) {
			return "", err
		}
		last = err
		id, lerr := e.findCreated(ctx, d)
		if lerr != nil {
			return "", fmt.Errorf("%w; looking it up: %w", err, lerr)
		}
		if id != "" {
			return id, nil
		}
	}
	return "", last
}

// findCreated looks for the object a create whose answer was lost may
// have made, by display name and marker. It looks again after the
// read-back waits, as a replica may not show the object yet: a lookup
// that missed it would make the next POST a duplicate. It returns "" when
// the object is not there.
func (e *engine) findCreated(ctx context.Context, d *desired) (string, error) {
	var id string
	err := e.confirm(ctx, func() (string, error) {
		found, err := e.list(ctx, d.collection, d.version, url.Values{"$filter": {"displayName eq " + odataString(d.name)}})
		if err != nil {
			return "", err
		}
		for _, obj := range found {
			if m, ok := markerOf(d.collection, obj); ok && m == d.marker && d.sameType(obj) {
				id = obj.id()
				return "", nil
			}
		}
		return "not found", nil
	})
	if errors.Is(err, errNotConfirmed) {
		return "", nil
	}
	return id, err
}

func (e *engine) update(ctx context.Context, o *op, s *deploy.Step) error {
	d := o.d
	if o.patch != nil && len(o.patch) > 1 {
		if err := e.write(ctx, d, graph.Request{Method: http.MethodPatch, Version: d.version, Path: d.collection + "/" + s.ID,
			Body: o.patch, Idempotent: true}, nil); err != nil {
			return err
		}
	}
	if o.actions {
		if err := e.write(ctx, d, graph.Request{Method: http.MethodPost, Version: d.version, Path: d.collection + "/" + s.ID + "/scheduleActionsForRules",
			Body: map[string]any{"deviceComplianceScheduledActionForRules": d.actions}, Idempotent: true}, nil); err != nil {
			return err
		}
	}
	if o.apps {
		if err := e.targetApps(ctx, d, s.ID); err != nil {
			return err
		}
	}
	if o.patch != nil || o.actions || o.apps {
		if err := e.readBack(ctx, d, s.ID); err != nil {
			return err
		}
	}
	if o.assign != nil {
		return e.assign(ctx, o, s.ID)
	}
	return nil
}

func (e *engine) targetApps(ctx context.Context, d *desired, id string) error {
	return e.write(ctx, d, graph.Request{Method: http.MethodPost, Version: d.version, Path: d.collection + "/" + id + "/targetApps",
		Body: map[string]any{"apps": d.apps}, Idempotent: true}, nil)
}

// assign replaces the object's whole assignment set, which is what
// Graph's /assign does in any case, and reads the set back.
func (e *engine) assign(ctx context.Context, o *op, id string) error {
	d := o.d
	if err := e.write(ctx, d, graph.Request{Method: http.MethodPost, Version: d.version, Path: d.collection + "/" + id + "/assign",
		Body: map[string]any{"assignments": o.assign}, Idempotent: true}, nil); err != nil {
		return err
	}
	want := targetKeys(o.assign)
	return e.confirm(ctx, func() (string, error) {
		raw, err := e.g.List(ctx, graph.Request{Method: http.MethodGet, Version: d.version, Path: d.collection + "/" + id + "/assignments",
			Object: d.object()})
		if err != nil {
			return "", e.explain(err, d.collection, false)
		}
		objs, err := decodeObjects(raw)
		if err != nil {
			return "", fmt.Errorf("reading its assignments back: %w", err)
		}
		list := make([]any, len(objs))
		for i, a := range objs {
			list[i] = map[string]any(a)
		}
		if have := targetKeys(list); !slices.Equal(have, want) {
			return fmt.Sprintf("its assignments are still %s, not %s", keysOrNone(have), keysOrNone(want)), nil
		}
		return "", nil
	})
}

// targetKeys are an assignment set's targets, "TYPE:GROUPID", sorted.
func targetKeys(assignments []any) []string {
	out := make([]string, 0, len(assignments))
	for _, a := range assignments {
		m, _ := a.(map[string]any)
		t, _ := m["target"].(map[string]any)
		typ, _ := t["@odata.type"].(string)
		gid, _ := t["groupId"].(string)
		out = append(out, strings.TrimPrefix(typ, "#microsoft.graph.")+":"+strings.ToLower(gid))
	}
	sort.Strings(out)
	return out
}

func keysOrNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

func (e *engine) delete(ctx context.Context, o *op) error {
	err := e.write(ctx, o.d, graph.Request{Method: http.MethodDelete, Version: o.d.version, Path: o.d.collection + "/" + o.current.id(),
		Idempotent: true}, nil)
	var ge *graph.Error
	if errors.As(err, &ge) && ge.Status == http.StatusNotFound {
		return nil // a retried delete whose first answer was lost
	}
	return err
}

// readBack reads a written object until it shows what was written.
func (e *engine) readBack(ctx context.Context, d *desired, id string) error {
	return e.confirm(ctx, func() (string, error) {
		var raw json.RawMessage
		err := e.g.Do(ctx, graph.Request{Method: http.MethodGet, Version: d.version, Path: d.collection + "/" + id, Query: listQuery(d.collection),
			Object: d.object()}, &raw)
		if graph.StatusOf(err) == http.StatusNotFound {
			return "Graph does not find it yet", nil
		}
		if err != nil {
			return "", e.explain(err, d.collection, false)
		}
		objs, err := decodeObjects([]json.RawMessage{raw})
		if err != nil {
			return "", fmt.Errorf("reading it back: %w", err)
		}
		return d.differs(objs[0]), nil
	})
}

// confirm reads a write back until read says it shows ("" rather than
// how it differs), waiting a little between reads: Graph may answer a read
// from a replica the write has not reached yet. The reads are bounded
// (readBackWaits).
func (e *engine) confirm(ctx context.Context, read func() (string, error)) error {
	var last string
	for _, wait := range readBackWaits {
		if wait > 0 {
			if err := sleep(ctx, time.Duration(wait)*time.Second); err != nil {
				return err
			}
		}
		var err error
		if last, err = read(); err != nil || last == "" {
			return err
		}
	}
	return fmt.Errorf("%w: %s", errNotConfirmed, last)
}

// differs says how an object read back differs from what was written, or
// "" when it does not.
func (d *desired) differs(got tenantObject) string {
	bd, err := compareBody(d, got)
	if err != nil {
		return err.Error()
	}
	if !bd.empty() {
		return "it still differs in " + firstKey(bd.keys)
	}
	if d.actions != nil {
		have, _ := got["scheduledActionsForRule"].([]any)
		if len(compareActions(have, d.actions)) > 0 {
			return "its scheduledActionsForRule still differ"
		}
	}
	if d.apps != nil {
		have, _ := got["apps"].([]any)
		if !slices.Equal(appKeys(have), appKeys(d.apps)) {
			return "its apps still differ"
		}
	}
	return ""
}

func firstKey(m map[string]bool) string {
	k := sortedKeys(m)
	if len(k) == 0 {
		return ""
	}
	return k[0]
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
