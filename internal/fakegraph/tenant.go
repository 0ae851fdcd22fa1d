package fakegraph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultToken is the bearer token a Tenant without one requires.
const DefaultToken = "fakegraph-token"

// Tenant is what a test starts a Server with, as a JSON seed file holds
// it (the testscript command "fakegraph start SEEDFILE" reads one):
//
//	{
//	  "groups": ["Sales", "Sales"],
//	  "apps": [{"type": "iosStoreApp", "displayName": "Microsoft Outlook", "id": "com.microsoft.Office.Outlook"}],
//	  "objects": [{"version": "beta", "collection": "deviceManagement/deviceConfigurations",
//	               "object": {"@odata.type": "#microsoft.graph.iosCustomConfiguration", "displayName": "Contacts",
//	                          "assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "group": "Sales"}}]}}],
//	  "faults": {"seed": 1, "rate": 0.2, "kinds": ["throttle", "drop-after-commit"], "delay": "50ms"}
//	}
//
// An assignment target of a seeded object may name its group by
// "group" (the first group of that name) instead of "groupId".
type Tenant struct {
	// Token is the bearer token required; "" means DefaultToken.
	Token    string       `json:"token,omitempty"`
	PageSize int          `json:"pageSize,omitempty"`
	Groups   []string     `json:"groups,omitempty"`
	Apps     []TenantApp  `json:"apps,omitempty"`
	Objects  []SeedObject `json:"objects,omitempty"`
	Faults   *FaultSpec   `json:"faults,omitempty"`
	// WriteLimit and WriteWindow ("20s") are Options' write limit.
	WriteLimit  int    `json:"writeLimit,omitempty"`
	WriteWindow string `json:"writeWindow,omitempty"`
}

// TenantApp is a mobile app of the tenant, as AddApp takes it.
type TenantApp struct {
	Type        string `json:"type"`
	DisplayName string `json:"displayName"`
	// ID is the bundleId (iOS) or packageId (Android).
	ID string `json:"id"`
}

// SeedObject is a pre-existing object, as Seed takes it.
type SeedObject struct {
	Version    string         `json:"version"`
	Collection string         `json:"collection"`
	Object     map[string]any `json:"object"`
}

// FaultSpec is Faults as JSON writes them: kinds by name, the delay as a
// Go duration ("50ms").
type FaultSpec struct {
	Seed  int64    `json:"seed"`
	Rate  float64  `json:"rate"`
	Kinds []string `json:"kinds"`
	Delay string   `json:"delay,omitempty"`
}

// ParseTenant decodes a seed file strictly (unknown fields are errors)
// and checks it whole, returning every problem at once.
func ParseTenant(b []byte) (*Tenant, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var t Tenant
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("seed file: %w", err)
	}
	if _, err := t.options(); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t *Tenant) options() (Options, error) {
	o := Options{Token: t.Token, PageSize: t.PageSize}
	if o.Token == "" {
		o.Token = DefaultToken
	}
	var errs []error
	if t.PageSize < 0 {
		errs = append(errs, fmt.Errorf("pageSize %d is negative", t.PageSize))
	}
	if t.WriteLimit != 0 || t.WriteWindow != "" {
		o.WriteLimit = t.WriteLimit
		d, err := time.ParseDuration(t.WriteWindow)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("writeWindow: %w", err))
		case t.WriteLimit <= 0 || d <= 0:
			errs = append(errs, fmt.Errorf("writeLimit %d per %q: both must be above 0", t.WriteLimit, t.WriteWindow))
		}
		o.WriteWindow = d
	}
	if f := t.Faults; f != nil {
		o.Faults = Faults{Seed: f.Seed, Rate: f.Rate}
		if f.Rate < 0 || f.Rate > 1 {
			errs = append(errs, fmt.Errorf("faults.rate %v is not between 0 and 1", f.Rate))
		}
		for _, k := range f.Kinds {
			kind, err := ParseFault(k)
			if err != nil {
				errs = append(errs, fmt.Errorf("faults.kinds: %w", err))
			}
			o.Faults.Kinds = append(o.Faults.Kinds, kind)
		}
		if f.Delay != "" {
			d, err := time.ParseDuration(f.Delay)
			if err != nil {
				errs = append(errs, fmt.Errorf("faults.delay: %w", err))
			}
			o.Faults.Delay = d
		}
	}
	for i, a := range t.Apps {
		switch strings.TrimPrefix(a.Type, typePrefix) {
		case "iosStoreApp", "iosVppApp", "androidManagedStoreApp":
		default:
			errs = append(errs, fmt.Errorf("apps[%d]: type %q is not iosStoreApp, iosVppApp or androidManagedStoreApp", i, a.Type))
		}
	}
	known := map[string]bool{}
	for _, d := range collectionDefs {
		if !d.readOnly {
			known[d.path] = true
		}
	}
	for i, obj := range t.Objects {
		if obj.Version != "v1.0" && obj.Version != "beta" {
			errs = append(errs, fmt.Errorf("objects[%d]: version %q is not v1.0 or beta", i, obj.Version))
		}
		if !known[strings.Trim(obj.Collection, "/")] {
			errs = append(errs, fmt.Errorf("objects[%d]: collection %q is not one the fake serves", i, obj.Collection))
		}
		if obj.Object == nil {
			errs = append(errs, fmt.Errorf("objects[%d]: no object", i))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Options{}, fmt.Errorf("seed file: %w", err)
	}
	return o, nil
}

// Start starts a Server holding the tenant.
func (t *Tenant) Start() (*Server, error) {
	o, err := t.options()
	if err != nil {
		return nil, err
	}
	s := New(o)
	groups := map[string]string{}
	for _, g := range t.Groups {
		id := s.AddGroup(g)
		if _, ok := groups[g]; !ok {
			groups[g] = id
		}
	}
	for _, a := range t.Apps {
		s.AddApp(a.Type, a.DisplayName, a.ID)
	}
	var errs []error
	for i, obj := range t.Objects {
		if err := resolveGroups(obj.Object, groups); err != nil {
			errs = append(errs, fmt.Errorf("objects[%d]: %w", i, err))
			continue
		}
		if err := s.seed(obj.Version, obj.Collection, obj.Object); err != nil {
			errs = append(errs, fmt.Errorf("objects[%d]: %w", i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		s.Close()
		return nil, fmt.Errorf("seed file: %w", err)
	}
	return s, nil
}

// resolveGroups replaces "group": NAME in assignment targets by groupId.
func resolveGroups(obj map[string]any, groups map[string]string) error {
	list, _ := obj["assignments"].([]any)
	for i, a := range list {
		m, _ := a.(map[string]any)
		target, _ := m["target"].(map[string]any)
		name, ok := target["group"].(string)
		if !ok {
			continue
		}
		id, ok := groups[name]
		if !ok {
			return fmt.Errorf("assignments[%d]: no group %q among the seed file's groups", i, name)
		}
		delete(target, "group")
		target["groupId"] = id
	}
	return nil
}

// seed is Seed returning an error where Seed panics.
func (s *Server) seed(version, collection string, obj map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	s.Seed(version, collection, obj)
	return nil
}
