package intune

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/internal/suggest"
	"github.com/mdmforge/mdmforge/profiles"
)

// tenantObject is an object as a list returned it, decoded with numbers
// kept as written.
type tenantObject map[string]any

func (o tenantObject) id() string        { s, _ := o["id"].(string); return s }
func (o tenantObject) odataType() string { s, _ := o["@odata.type"].(string); return s }
func (o tenantObject) name() string      { s, _ := o["displayName"].(string); return s }

// collectionList is one collection as listed in one version.
type collectionList struct {
	collection, version string
	objects             []tenantObject
}

// listQuery is the query that lists a collection with the navigation
// properties mdmforge compares: the assignments of every object come with
// the list, so that planning reads a fixed number of pages, not a request
// per object.
func listQuery(collection string) url.Values {
	q := url.Values{}
	switch collection {
	case collCompliance:
		q.Set("$expand", "assignments,scheduledActionsForRule($expand=scheduledActionConfigurations)")
	case collManagedApps:
		q.Set("$expand", "apps,assignments")
	case collConfigurations, collAppConfigs:
		q.Set("$expand", "assignments")
	}
	return q
}

func decodeObjects(raw []json.RawMessage) ([]tenantObject, error) {
	out := make([]tenantObject, 0, len(raw))
	for _, r := range raw {
		v, err := decodeJSON(r)
		if err != nil {
			return nil, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("an element of the list is not a JSON object")
		}
		out = append(out, m)
	}
	return out, nil
}

// list lists a whole collection, every page.
func (e *engine) list(ctx context.Context, collection, version string, q url.Values) ([]tenantObject, error) {
	raw, err := e.g.List(ctx, graph.Request{Method: http.MethodGet, Version: version, Path: collection, Query: q,
		Object: collection})
	if err != nil {
		return nil, e.explain(err, collection, false)
	}
	objs, err := decodeObjects(raw)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", collection, err)
	}
	return objs, nil
}

// permissions are the application permissions each collection needs, to
// read and to write, for the hint of a 401 or 403.
var permissions = map[string][2]string{
	collConfigurations: {"DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All"},
	collCompliance:     {"DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All"},
	collAppConfigs:     {"DeviceManagementApps.Read.All", "DeviceManagementApps.ReadWrite.All"},
	collManagedApps:    {"DeviceManagementApps.Read.All", "DeviceManagementApps.ReadWrite.All"},
	collMobileApps:     {"DeviceManagementApps.Read.All", "DeviceManagementApps.Read.All"},
	collConditional:    {"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"},
	"groups":           {"Group.Read.All", "Group.Read.All"},
}

// explain adds to a Graph error the permission a 401 or 403 lacks. A
// 401 is more often about the token itself (expired, for another tenant
// or audience), which the CLI explains beside this.
func (e *engine) explain(err error, collection string, write bool) error {
	var ge *graph.Error
	if !errors.As(err, &ge) || (ge.Status != http.StatusUnauthorized && ge.Status != http.StatusForbidden) {
		return err
	}
	perm, ok := permissions[collection]
	if !ok {
		return err
	}
	need := perm[0]
	if write {
		need = perm[1]
	}
	hint := "the app registration needs the Microsoft Graph application permission " + need +
		", with admin consent; docs/deploy.md lists what plan and apply need"
	if ge.Status == http.StatusUnauthorized {
		hint = "if the token is right, " + hint
	}
	return &deploy.HintError{Err: err, Hints: []string{hint}}
}

const collMobileApps = "deviceAppManagement/mobileApps"

// Outlook's ids as the tenant's app objects carry them.
const (
	outlookIOSBundleID      = "com.microsoft.Office.Outlook"
	outlookAndroidPackageID = "com.microsoft.office.outlook"
)

// outlookApps lists the tenant's apps once and returns the ids of
// Outlook for iOS (store and VPP) and for Android (managed Google Play).
func (e *engine) outlookApps(ctx context.Context, android bool) (ios, droid []string, err error) {
	filter, version := "isof('microsoft.graph.iosStoreApp') or isof('microsoft.graph.iosVppApp')", "v1.0"
	if android {
		// Managed Google Play apps are typed in beta only.
		filter, version = filter+" or isof('microsoft.graph.androidManagedStoreApp')", "beta"
	}
	apps, err := e.list(ctx, collMobileApps, version, url.Values{"$filter": {filter}})
	if err != nil {
		return nil, nil, err
	}
	for _, a := range apps {
		switch a.odataType() {
		case "#microsoft.graph.iosStoreApp", "#microsoft.graph.iosVppApp":
			if b, _ := a["bundleId"].(string); strings.EqualFold(b, outlookIOSBundleID) {
				ios = append(ios, a.id())
			}
		case "#microsoft.graph.androidManagedStoreApp":
			pkg, _ := a["packageId"].(string)
			if strings.EqualFold(strings.TrimPrefix(pkg, "app:"), outlookAndroidPackageID) {
				droid = append(droid, a.id())
			}
		}
	}
	sort.Strings(ios)
	sort.Strings(droid)
	return ios, droid, nil
}

// group is a resolved group.
type group struct{ id, name string }

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// odataString quotes a string for an OData $filter.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// resolveGroup finds the one group a policy names, by object id or exact
// display name; a problem (no such group, or several) is returned as a
// message listing the candidates.
func (e *engine) resolveGroup(ctx context.Context, ref string) (group, string, error) {
	sel := url.Values{"$select": {"id,displayName"}}
	if guidPattern.MatchString(ref) {
		var g struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		}
		err := e.g.Do(ctx, graph.Request{Method: http.MethodGet, Version: "v1.0", Path: "groups/" + ref, Query: sel,
			Object: "group " + ref}, &g)
		var ge *graph.Error
		if errors.As(err, &ge) && ge.Status == http.StatusNotFound {
			return group{}, fmt.Sprintf("no group has the object id %s", ref), nil
		}
		if err != nil {
			return group{}, "", e.explain(err, "groups", false)
		}
		return group{id: g.ID, name: g.DisplayName}, "", nil
	}
	q := url.Values{"$filter": {"displayName eq " + odataString(ref)}, "$select": {"id,displayName"}}
	found, err := e.list(ctx, "groups", "v1.0", q)
	if err != nil {
		return group{}, "", err
	}
	var exact []group
	for _, g := range found {
		if g.name() == ref {
			exact = append(exact, group{id: g.id(), name: g.name()})
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], "", nil
	case len(exact) > 1:
		ids := make([]string, len(exact))
		for i, g := range exact {
			ids[i] = g.id
		}
		sort.Strings(ids)
		return group{}, fmt.Sprintf("%d groups are named %q (%s): name the group by its object id instead", len(exact), ref, strings.Join(ids, ", ")), nil
	}
	// Graph's eq ignores case: a group whose name differs only in case is
	// the first candidate; else groups whose names start alike.
	var names []string
	for _, g := range found {
		names = append(names, g.name())
	}
	if len(names) == 0 {
		prefix := []rune(ref)
		if len(prefix) > 3 {
			prefix = prefix[:3]
		}
		// One page of candidates is enough for a suggestion: Do, not List.
		q := url.Values{"$filter": {"startswith(displayName," + odataString(string(prefix)) + ")"}, "$select": {"id,displayName"}}
		var page struct {
			Value []struct {
				DisplayName string `json:"displayName"`
			} `json:"value"`
		}
		err := e.g.Do(ctx, graph.Request{Method: http.MethodGet, Version: "v1.0", Path: "groups", Query: q, Object: "groups"}, &page)
		// A Graph that refuses the filter leaves the message without
		// suggestions; the error is about the policy's name, not this.
		if err != nil && graph.StatusOf(err) != http.StatusBadRequest {
			return group{}, "", e.explain(err, "groups", false)
		}
		for _, g := range page.Value {
			names = append(names, g.DisplayName)
		}
	}
	msg := fmt.Sprintf("no group is named %q", ref)
	if c := closestNames(ref, names, 5); len(c) > 0 {
		msg += "; groups with similar names: " + strings.Join(c, ", ")
	}
	return group{}, msg, nil
}

// closestNames returns up to n names nearest to word, quoted.
func closestNames(word string, names []string, n int) []string {
	sort.SliceStable(names, func(i, j int) bool {
		di := suggest.Distance(suggest.Fold(word), suggest.Fold(names[i]))
		dj := suggest.Distance(suggest.Fold(word), suggest.Fold(names[j]))
		if di != dj {
			return di < dj
		}
		return names[i] < names[j]
	})
	var out []string
	seen := map[string]bool{}
	for _, s := range names {
		if len(out) == n {
			break
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, fmt.Sprintf("%q", s))
		}
	}
	return out
}

// resolveGroups resolves every distinct group the policies name, once
// each, and returns the problems of all of them together.
func (e *engine) resolveGroups(ctx context.Context, policies []*profiles.Policy) (map[string]group, profiles.Diagnostics, error) {
	groups := map[string]group{}
	problem := map[string]string{}
	var probs profiles.Diagnostics
	for _, p := range policies {
		include, exclude, ok := assignmentsOf(p)
		if !ok {
			continue
		}
		for _, side := range []struct {
			path string
			refs []string
		}{{"assignments.include", include}, {"assignments.exclude", exclude}} {
			for i, ref := range side.refs {
				if _, done := groups[ref]; !done {
					if _, failed := problem[ref]; !failed {
						g, msg, err := e.resolveGroup(ctx, ref)
						if err != nil {
							return nil, nil, err
						}
						if msg != "" {
							problem[ref] = msg
						} else {
							groups[ref] = g
						}
					}
				}
				if msg, failed := problem[ref]; failed {
					path := fmt.Sprintf("%s[%d]", side.path, i)
					probs = append(probs, profiles.Diagnostic{Path: path, Pos: p.Pos(path), Message: msg})
				}
			}
		}
	}
	return groups, probs, nil
}
