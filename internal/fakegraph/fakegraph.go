// Package fakegraph is an in-process fake of Microsoft Graph for the
// Intune objects mdmforge deploys, for tests. It is strict where Graph is
// strict, so that a client that passes against it has kept Graph's
// contract: bodies are checked against Graph's metadata (internal/graphmeta)
// in the version they are sent to, PATCHes must name their concrete type
// and change something, a compliance policy is created with exactly one
// block action, a Managed Apps configuration's apps go through
// /targetApps, and every error has Graph's shape and a request-id.
//
// It models what a client must cope with: $filter on displayName (and
// isof on apps), paging through an absolute @odata.nextLink, /assign
// replacing the whole set, server-set properties (ids, times, version),
// every declared property returned with its default, navigation
// properties only when expanded. Faults (throttling, 5xx, a connection
// dropped after the write was committed, slow answers) are injected by a
// seeded generator in request order, so a run is reproducible.
//
// Everything is deterministic: ids and request-ids come from counters and
// times from a clock that ticks once per write, so State of two runs that
// made the same writes is byte for byte the same.
//
// Where Graph's documentation and behaviour leave a choice, the fake
// takes the stricter reading a client must survive:
//   - /assign answers 200 with the new set on deviceConfigurations and
//     deviceCompliancePolicies, 204 on mobileAppConfigurations and
//     targetedManagedAppConfigurations (the v1.0 CSDL's return types);
//     a duplicate target in the set is dropped, as Intune ignores it.
//   - A targetedManagedAppConfiguration may be created with inline apps
//     (Graph's create documentation lists them; the admin center sends
//     them), but a PATCH of apps is refused: they change through
//     /targetApps only. A compliance policy's scheduledActionsForRule is
//     inline on create only, and changes through /scheduleActionsForRules.
//     No other navigation property (assignments included) is accepted in
//     a body.
//   - $filter takes displayName eq and isof, joined by or, and on groups
//     startswith(displayName,…); anything else is "Invalid filter
//     clause". Intune's collections compare names exactly, groups without
//     case, as Entra ID does.
//   - A PATCH may not name a server-set property (id, createdDateTime,
//     lastModifiedDateTime, version, supportsScopeTags, isAssigned,
//     deployedAppCount); a create may, and they are ignored.
//   - Primitive values must have their declared type (a string for
//     Edm.String, base64 for Edm.Binary, true or false for Edm.Boolean),
//     as Graph's deserializer refuses others.
//   - An object of a type the version lacks (the beta-only email profile
//     listed through v1.0) is shown as its nearest base type there.
//   - Slow commits the write, then waits before answering: the answer is
//     lost, not the write.
//   - Query options other than $filter, $select, $expand and $skiptoken
//     are refused.
//   - A compliance policy's actions read back as tenant exports show
//     them: ruleName null, a notificationTemplateId sent as "" (or not
//     at all) as the zero GUID, a missing notificationMessageCCList as [].
//   - DenyWrites refuses writes only, as an app granted the Read
//     permissions but not the ReadWrite ones is refused; Deny refuses all.
package fakegraph

import (
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mdmforge/mdmforge/internal/graphmeta"
)

// Options configure a Server.
type Options struct {
	// PageSize is the number of items per list page; 0 means 2, so that
	// every test pages. Each page but the last carries an absolute
	// @odata.nextLink with a $skiptoken.
	PageSize int
	// Token is the bearer token requests must carry; "" accepts any
	// non-empty token.
	Token string
	// Faults are the faults to inject.
	Faults Faults
	// WriteLimit, when above 0, is how many writes WriteWindow may hold,
	// as Intune allows 100 per 20 s per app and tenant: a write beyond it
	// answers 429 with the Retry-After that lets the oldest one leave the
	// window, and is logged with the fault "write-limit". The window runs
	// on the real clock.
	WriteLimit  int
	WriteWindow time.Duration
}

// Faults choose which requests fail and how. A request gets a fault with
// probability Rate, drawn from a generator seeded with Seed in the order
// requests arrive; the kind is drawn from Kinds the same way. The same
// seed and the same sequence of requests give the same faults.
type Faults struct {
	Seed int64
	Rate float64
	// Kinds are the faults to choose from; none means no faults.
	Kinds []Fault
	// Delay is how long a Slow answer waits.
	Delay time.Duration
}

// Fault is one kind of injected failure.
type Fault string

const (
	// Throttle answers 429 with Retry-After: 1, before doing anything.
	Throttle Fault = "throttle"
	// ThrottleBare answers 429 without Retry-After, as some Intune
	// endpoints do.
	ThrottleBare Fault = "throttle-bare"
	// Internal answers 500 before doing anything.
	Internal Fault = "internal"
	// Unavailable answers 503 before doing anything.
	Unavailable Fault = "unavailable"
	// DropAfterCommit does the request (a write is committed) and then
	// closes the connection without an answer.
	DropAfterCommit Fault = "drop-after-commit"
	// Slow does the request and answers after Faults.Delay; a client
	// that times out first has lost an answer to a committed write.
	Slow Fault = "slow"
)

// AllFaults are every kind of fault, in a fixed order.
var AllFaults = []Fault{Throttle, ThrottleBare, Internal, Unavailable, DropAfterCommit, Slow}

// ParseFault returns the Fault named s.
func ParseFault(s string) (Fault, error) {
	for _, f := range AllFaults {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown fault %q (want one of %s)", s, faultNames())
}

func faultNames() string {
	names := make([]string, len(AllFaults))
	for i, f := range AllFaults {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Request is one request the server answered, as the log keeps it.
type Request struct {
	Method string
	// Path is the request's path and query, the query unescaped.
	Path string
	// Status is the status answered; for DropAfterCommit, the one the
	// client never saw.
	Status int
	// Write is set for POST, PATCH, PUT and DELETE, accepted or not.
	Write bool
	// Fault is the injected fault, empty for none.
	Fault string
}

// String is the request as the testscript command's log prints it:
// "METHOD PATH STATUS", and " fault=KIND" when a fault was injected.
func (r Request) String() string {
	s := fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status)
	if r.Fault != "" {
		s += " fault=" + r.Fault
	}
	return s
}

// Server is a running fake Graph. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, scheme and host without a version,
	// as MDMFORGE_GRAPH_URL takes it.
	URL string

	hs   *httptest.Server
	meta *graphmeta.Metadata
	opts Options

	mu          sync.Mutex
	rng         *rand.Rand
	ids         int
	requestIDs  int
	clock       time.Time
	collections map[string]*collection
	log         []Request
	deny        int
	denyWrites  int
	writeTimes  []time.Time // accepted into the write window, oldest first
}

// New starts a Server; Close stops it. It panics if the embedded metadata
// cannot be read, which only a broken build can cause.
func New(o Options) *Server {
	if o.PageSize <= 0 {
		o.PageSize = 2
	}
	meta, err := graphmeta.Load()
	if err != nil {
		panic(err)
	}
	s := &Server{
		meta:        meta,
		opts:        o,
		rng:         rand.New(rand.NewSource(o.Faults.Seed)),
		clock:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		collections: map[string]*collection{},
	}
	for _, d := range collectionDefs {
		s.collections[d.path] = &collection{def: d}
	}
	s.addScopeTag("0", "Default", true)
	s.hs = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.hs.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.hs.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// AddGroup adds an Entra ID group and returns its id. Names need not be
// unique, as in Entra ID, so tests can make a name ambiguous.
func (s *Server) AddGroup(displayName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.newObject("group", "v1.0", map[string]any{
		"displayName":     displayName,
		"securityEnabled": true,
		"mailEnabled":     false,
		"mailNickname":    nickname(displayName),
	})
	s.collections[pathGroups].objs = append(s.collections[pathGroups].objs, o)
	return o.id
}

func nickname(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// AddScopeTag adds an Intune scope tag and returns its id: Intune's
// small integers, "1" for the first after the built-in "0".
func (s *Server) AddScopeTag(displayName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprint(len(s.collections[pathScopeTags].objs))
	s.addScopeTag(id, displayName, false)
	return id
}

func (s *Server) addScopeTag(id, name string, builtIn bool) {
	o := &object{id: id, typ: "roleScopeTag", version: "beta",
		props: map[string]any{"id": id, "displayName": name, "isBuiltIn": builtIn}}
	s.collections[pathScopeTags].objs = append(s.collections[pathScopeTags].objs, o)
}

// AddApp adds a mobile app to the tenant and returns its id: odataType is
// "iosStoreApp" or "iosVppApp" (id is the bundleId) or
// "androidManagedStoreApp" (id is the packageId); a leading
// "#microsoft.graph." is accepted. It panics on another type, a mistake
// in the test.
func (s *Server) AddApp(odataType, displayName, bundleOrPackageID string) string {
	typ := strings.TrimPrefix(odataType, typePrefix)
	props := map[string]any{"displayName": displayName, "publishingState": "published"}
	version := "v1.0"
	switch typ {
	case "iosStoreApp", "iosVppApp":
		props["bundleId"] = bundleOrPackageID
	case "androidManagedStoreApp":
		props["packageId"] = bundleOrPackageID
		version = "beta"
	default:
		panic("fakegraph: AddApp: unsupported app type " + odataType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.newObject(typ, version, props)
	s.collections[pathMobileApps].objs = append(s.collections[pathMobileApps].objs, o)
	return o.id
}

// Seed adds a pre-existing object to collection (a path such as
// "deviceManagement/deviceConfigurations") as if it had been created
// through version, without the checks a POST gets, and returns its id.
// obj must have an @odata.type unless the collection has one type. It may
// hold the navigation properties "assignments" (a list of {target}),
// "scheduledActionsForRule" and "apps", stored as /assign,
// /scheduleActionsForRules and /targetApps would store them. It panics on
// an unknown collection or type, a mistake in the test.
func (s *Server) Seed(version, collection string, obj map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.collections[strings.Trim(collection, "/")]
	if c == nil {
		panic("fakegraph: Seed: unknown collection " + collection)
	}
	props := map[string]any{}
	for k, v := range obj {
		props[k] = v
	}
	typ := c.def.base
	if t, ok := props["@odata.type"].(string); ok {
		typ = strings.TrimPrefix(t, typePrefix)
	}
	delete(props, "@odata.type")
	if s.meta.Types[typ] == nil {
		panic("fakegraph: Seed: unknown type " + typ)
	}
	assignments, _ := props["assignments"].([]any)
	rules, _ := props["scheduledActionsForRule"].([]any)
	apps, _ := props["apps"].([]any)
	delete(props, "assignments")
	delete(props, "scheduledActionsForRule")
	delete(props, "apps")
	o := s.newObject(typ, version, props)
	s.stamp(o, true)
	o.rules = s.storeRules(o.id, rules)
	o.apps = storeApps(apps)
	for _, a := range assignments {
		if m, ok := a.(map[string]any); ok {
			if t, ok := m["target"].(map[string]any); ok {
				o.assignments = appendAssignment(o.assignments, o.id, t)
			}
		}
	}
	c.objs = append(c.objs, o)
	return o.id
}

// Update changes an object behind the client's back, as an admin in the
// portal would: props are merged into it (nil removes one) and its
// version and lastModifiedDateTime move on. It reports whether the
// object exists.
func (s *Server) Update(collection, id string, props map[string]any) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.collections[strings.Trim(collection, "/")]
	if c == nil {
		return false
	}
	_, o := c.find(id)
	if o == nil {
		return false
	}
	for k, v := range props {
		if v == nil {
			delete(o.props, k)
		} else {
			o.props[k] = v
		}
	}
	s.stamp(o, false)
	return true
}

// Objects returns collection's objects as a GET of each in the version
// it was created through returns them, in creation order.
func (s *Server) Objects(collection string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.collections[strings.Trim(collection, "/")]
	if c == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(c.objs))
	for _, o := range c.objs {
		out = append(out, s.render(c, o, o.version, nil, nil))
	}
	return out
}

// Requests returns the requests answered since New or ResetLog, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Writes counts the write requests (accepted or not) since New or ResetLog.
func (s *Server) Writes() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Write {
			n++
		}
	}
	return n
}

// ResetLog forgets the requests logged so far.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Deny makes every later request answer status (401 or 403) with Graph's
// error shape, as a token without the permissions gets; 0 stops it.
func (s *Server) Deny(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = status
}

// DenyWrites makes every later write (any method but GET) answer status
// (401 or 403), while reads still succeed: an app registration granted
// the Read permissions but not the ReadWrite ones. 0 stops it.
func (s *Server) DenyWrites(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyWrites = status
}

// newObject makes an object with the next id; the caller holds s.mu.
func (s *Server) newObject(typ, version string, props map[string]any) *object {
	s.ids++
	o := &object{id: guid(0, s.ids), typ: typ, version: version, props: props}
	props["id"] = o.id
	return o
}

// guid makes a GUID-shaped id from a counter; kind keeps ids and
// request-ids apart.
func guid(kind, n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, n)
}

// tick advances the fake clock for a write and returns the new time in
// Graph's format; the caller holds s.mu.
func (s *Server) tick() string {
	s.clock = s.clock.Add(time.Second)
	return s.clock.Format("2006-01-02T15:04:05Z")
}

// stamp sets the server-set properties the type declares in any version:
// times, version, scope tags. created is set for a new object.
func (s *Server) stamp(o *object, created bool) {
	now := s.tick()
	has := func(name string) (string, bool) {
		t := s.meta.Types[o.typ]
		for _, v := range graphmeta.Versions {
			if m := t.Versions[v]; m != nil {
				if pt, ok := m.Properties[name]; ok {
					return pt, true
				}
			}
		}
		return "", false
	}
	if created {
		if _, ok := has("createdDateTime"); ok {
			o.props["createdDateTime"] = now
		}
		if _, ok := has("roleScopeTagIds"); ok {
			if _, set := o.props["roleScopeTagIds"]; !set {
				o.props["roleScopeTagIds"] = []any{"0"}
			}
		}
		if _, ok := has("supportsScopeTags"); ok {
			o.props["supportsScopeTags"] = true
		}
	}
	for _, name := range []string{"lastModifiedDateTime", "modifiedDateTime"} {
		if _, ok := has(name); ok {
			o.props[name] = now
		}
	}
	if pt, ok := has("version"); ok && o.typ != "group" {
		n := 1
		if !created {
			n = versionNumber(o.props["version"]) + 1
		}
		if pt == "Edm.String" {
			o.props["version"] = fmt.Sprint(n)
		} else {
			o.props["version"] = n
		}
	}
}

func versionNumber(v any) int {
	var n int
	switch v := v.(type) {
	case int:
		n = v
	case string:
		fmt.Sscan(v, &n)
	}
	return n
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Token returns the bearer token the server requires, "" when any
// non-empty token is accepted.
func (s *Server) Token() string { return s.opts.Token }
