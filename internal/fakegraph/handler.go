package fakegraph

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody is the largest request body the fake reads; Graph refuses
// larger ones with 413.
const maxBody = 4 << 20

// graphError is an error answer in Graph's shape.
type graphError struct {
	status        int
	code, message string
}

func (e *graphError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errorf(status int, code, format string, args ...any) *graphError {
	return &graphError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *graphError {
	return errorf(http.StatusBadRequest, "BadRequest", format, args...)
}

func notFoundSegment(seg string) *graphError {
	return errorf(http.StatusNotFound, "BadRequest", "Resource not found for the segment '%s'.", seg)
}

// exchange is one request being answered.
type exchange struct {
	s         *Server
	r         *http.Request
	w         *httptest.ResponseRecorder
	version   string
	requestID string
	body      []byte
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	write := r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut || r.Method == http.MethodDelete
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))

	s.mu.Lock()
	s.requestIDs++
	x := &exchange{s: s, r: r, w: httptest.NewRecorder(), requestID: guid(1, s.requestIDs), body: body}
	fault := s.drawFault()
	entry := Request{Method: r.Method, Path: logPath(r.URL), Write: write, Fault: string(fault)}
	var err *graphError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(readErr, &mbe):
		err = errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than %d bytes.", maxBody)
	case readErr != nil:
		err = badRequest("The request body could not be read.")
	}
	if err == nil {
		err = s.authorize(r)
	}
	if err != nil && fault != DropAfterCommit && fault != Slow {
		fault = "" // refused before the fault would have struck
		entry.Fault = ""
	}
	if err == nil {
		switch fault {
		case Throttle:
			x.w.Header().Set("Retry-After", "1")
			err = errorf(http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
		case ThrottleBare:
			err = errorf(http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
		case Internal:
			err = errorf(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred.")
		case Unavailable:
			err = errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable.")
		}
	}
	if err == nil && write {
		if wait, limited := s.overWriteLimit(time.Now()); limited {
			x.w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			err = errorf(http.StatusTooManyRequests, "TooManyRequests", "Too many write requests: the limit is %d per %s.", s.opts.WriteLimit, s.opts.WriteWindow)
			entry.Fault = "write-limit"
		}
	}
	if err == nil {
		err = x.route()
	}
	if err != nil {
		x.fail(err)
	}
	entry.Status = x.w.Code
	s.log = append(s.log, entry)
	s.mu.Unlock()

	switch fault {
	case DropAfterCommit:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer too
	case Slow:
		select {
		case <-time.After(s.opts.Faults.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range x.w.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(x.w.Code)
	w.Write(x.w.Body.Bytes())
}

// overWriteLimit counts a write into the window and reports whether it
// is over the limit, and how long until the oldest write leaves; the
// caller holds s.mu.
func (s *Server) overWriteLimit(now time.Time) (time.Duration, bool) {
	if s.opts.WriteLimit <= 0 {
		return 0, false
	}
	keep := s.writeTimes[:0]
	for _, t := range s.writeTimes {
		if now.Sub(t) < s.opts.WriteWindow {
			keep = append(keep, t)
		}
	}
	s.writeTimes = keep
	if len(keep) >= s.opts.WriteLimit {
		return s.opts.WriteWindow - now.Sub(keep[0]), true
	}
	s.writeTimes = append(s.writeTimes, now)
	return 0, false
}

// drawFault draws the next request's fault; the caller holds s.mu.
func (s *Server) drawFault() Fault {
	f := s.opts.Faults
	if f.Rate <= 0 || len(f.Kinds) == 0 {
		return ""
	}
	if s.rng.Float64() >= f.Rate {
		return ""
	}
	return f.Kinds[s.rng.Intn(len(f.Kinds))]
}

func logPath(u *url.URL) string {
	p := u.Path
	if u.RawQuery != "" {
		q, err := url.QueryUnescape(u.RawQuery)
		if err != nil {
			q = u.RawQuery
		}
		p += "?" + q
	}
	return p
}

func (s *Server) authorize(r *http.Request) *graphError {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	switch {
	case h == "" || !ok || token == "":
		return errorf(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
	case s.opts.Token != "" && token != s.opts.Token:
		return errorf(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
	}
	deny := s.deny
	if deny == 0 && r.Method != http.MethodGet {
		deny = s.denyWrites
	}
	switch deny {
	case 0:
		return nil
	case http.StatusUnauthorized:
		return errorf(http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
	default:
		perm := "DeviceManagementConfiguration.ReadWrite.All, DeviceManagementConfiguration.Read.All"
		if c, _ := s.lookupCollection(strings.TrimPrefix(r.URL.Path, "/")); c != nil {
			perm = c.def.perm
			if read := strings.Replace(perm, ".ReadWrite.", ".Read.", 1); read != perm && r.Method == http.MethodGet {
				perm += ", " + read
			}
		}
		return errorf(deny, "Forbidden", "Application is not authorized to perform this operation. Application must have one of the following scopes: %s", perm)
	}
}

// lookupCollection finds the collection of a path "VERSION/…" and the
// segments after it.
func (s *Server) lookupCollection(p string) (*collection, []string) {
	_, rest, _ := strings.Cut(p, "/")
	for _, d := range collectionDefs {
		if rest == d.path {
			return s.collections[d.path], nil
		}
		if tail, ok := strings.CutPrefix(rest, d.path+"/"); ok {
			return s.collections[d.path], strings.Split(tail, "/")
		}
	}
	return nil, nil
}

func (x *exchange) fail(e *graphError) {
	h := x.w.Header()
	h.Set("Content-Type", "application/json")
	if e.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
	}
	x.setIDs()
	x.w.WriteHeader(e.status)
	body := map[string]any{"error": map[string]any{
		"code":    e.code,
		"message": e.message,
		"innerError": map[string]any{
			"date":              x.s.clock.Format("2006-01-02T15:04:05"),
			"request-id":        x.requestID,
			"client-request-id": x.clientRequestID(),
		},
	}}
	json.NewEncoder(x.w.Body).Encode(body)
}

func (x *exchange) clientRequestID() string {
	if id := x.r.Header.Get("client-request-id"); id != "" {
		return id
	}
	return x.requestID
}

func (x *exchange) setIDs() {
	x.w.Header().Set("request-id", x.requestID)
	x.w.Header().Set("client-request-id", x.clientRequestID())
}

func (x *exchange) reply(status int, v any) {
	x.setIDs()
	if v == nil {
		x.w.WriteHeader(status)
		return
	}
	x.w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	x.w.WriteHeader(status)
	json.NewEncoder(x.w.Body).Encode(v)
}

func (x *exchange) context(fragment string) string {
	return x.s.URL + "/" + x.version + "/$metadata#" + fragment
}

// route answers the request; the caller holds s.mu.
func (x *exchange) route() *graphError {
	p := strings.TrimPrefix(x.r.URL.Path, "/")
	version, rest, _ := strings.Cut(p, "/")
	if version != "v1.0" && version != "beta" {
		return errorf(http.StatusBadRequest, "BadRequest", "Invalid version: %s", version)
	}
	x.version = version
	c, tail := x.s.lookupCollection(p)
	if c == nil {
		return notFoundSegment(unknownSegment(rest))
	}
	if c.def.betaOnly && version != "beta" {
		return notFoundSegment(lastSegment(c.def.path))
	}
	if err := x.checkQuery(); err != nil {
		return err
	}
	if len(tail) == 0 {
		switch x.r.Method {
		case http.MethodGet:
			return x.list(c)
		case http.MethodPost:
			if c.def.readOnly {
				return x.methodNotAllowed()
			}
			return x.create(c)
		}
		return x.methodNotAllowed()
	}
	_, o := c.find(tail[0])
	if o == nil {
		if c.def.path == pathGroups {
			return errorf(http.StatusNotFound, "Request_ResourceNotFound", "Resource '%s' does not exist or one of its queried reference-property objects are not present.", tail[0])
		}
		return errorf(http.StatusNotFound, "ResourceNotFound", "No %s with id '%s' was found.", c.def.base, tail[0])
	}
	if len(tail) == 1 {
		switch x.r.Method {
		case http.MethodGet:
			return x.get(c, o)
		case http.MethodPatch:
			if c.def.readOnly {
				return x.methodNotAllowed()
			}
			return x.patch(c, o)
		case http.MethodDelete:
			if c.def.readOnly {
				return x.methodNotAllowed()
			}
			return x.delete(c, o)
		}
		return x.methodNotAllowed()
	}
	if len(tail) > 2 {
		return notFoundSegment(tail[2])
	}
	action := tail[1]
	switch {
	case action == "assign" && c.def.assignment != "":
		return x.postOnly(func() *graphError { return x.assign(c, o) })
	case action == "assignments" && c.def.assignment != "":
		if x.r.Method != http.MethodGet {
			return x.methodNotAllowed()
		}
		return x.page(c, x.s.renderAssignments(c, o, x.version), c.def.path+"('"+o.id+"')/assignments")
	case action == "scheduleActionsForRules" && c.def.path == pathCompliancePolicies:
		return x.postOnly(func() *graphError { return x.scheduleActions(o) })
	case action == "scheduledActionsForRule" && c.def.path == pathCompliancePolicies:
		if x.r.Method != http.MethodGet {
			return x.methodNotAllowed()
		}
		rendered := x.s.render(c, o, x.version, expansion{"scheduledActionsForRule": x.innerExpand("scheduledActionsForRule")}, nil)
		return x.page(c, rendered["scheduledActionsForRule"].([]any), c.def.path+"('"+o.id+"')/scheduledActionsForRule")
	case action == "targetApps" && c.def.path == pathManagedAppConfigs:
		return x.postOnly(func() *graphError { return x.targetApps(o) })
	case action == "apps" && c.def.path == pathManagedAppConfigs:
		if x.r.Method != http.MethodGet {
			return x.methodNotAllowed()
		}
		return x.page(c, x.s.renderApps(o, x.version), c.def.path+"('"+o.id+"')/apps")
	}
	return notFoundSegment(action)
}

// unknownSegment returns the first segment of rest that no collection's
// path continues with, as Graph's "Resource not found for the segment"
// names it.
func unknownSegment(rest string) string {
	segs := strings.Split(rest, "/")
	matched := 0
	for _, d := range collectionDefs {
		path := strings.Split(d.path, "/")
		n := 0
		for n < len(path) && n < len(segs) && path[n] == segs[n] {
			n++
		}
		matched = max(matched, n)
	}
	if matched >= len(segs) {
		return segs[len(segs)-1]
	}
	return segs[matched]
}

func (x *exchange) innerExpand(nav string) expansion {
	exp, _ := parseExpand(x.r.URL.Query().Get("$expand"))
	return exp[nav]
}

func (x *exchange) postOnly(f func() *graphError) *graphError {
	if x.r.Method != http.MethodPost {
		return x.methodNotAllowed()
	}
	return f()
}

func (x *exchange) methodNotAllowed() *graphError {
	return errorf(http.StatusMethodNotAllowed, "BadRequest", "No HTTP resource was found that matches the request URI '%s' for method %s.", x.r.URL.Path, x.r.Method)
}

// checkQuery refuses query options the fake does not model, so that a
// client relying on one finds out here rather than against Graph.
func (x *exchange) checkQuery() *graphError {
	for k := range x.r.URL.Query() {
		switch k {
		case "$filter", "$skiptoken", "$expand", "$select":
			if x.r.Method != http.MethodGet {
				return badRequest("The query option '%s' is not allowed on %s.", k, x.r.Method)
			}
		default:
			return badRequest("The query parameter '%s' is not supported.", k)
		}
	}
	return nil
}

// decode reads the body as one JSON object, numbers kept as written.
func (x *exchange) decode() (map[string]any, *graphError) {
	if ct := x.r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, errorf(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Type %q is not supported: send application/json.", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(x.body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, badRequest("Empty Payload. JSON content expected.")
	}
	if dec.More() {
		return nil, badRequest("The request body holds more than one JSON value.")
	}
	return m, nil
}

// check checks a body (or one part of it) against the metadata as typ
// in the request's version; every problem is reported in one message.
func (x *exchange) check(v any, typ string) *graphError {
	b, _ := json.Marshal(v)
	probs := x.s.meta.Check(b, x.version, typ)
	probs = append(probs, x.s.checkValues(v, typ, x.version, "")...)
	if len(probs) == 0 {
		return nil
	}
	for _, p := range probs {
		if p.Property == "" && p.Path == "" && strings.Contains(p.Message, "abstract") {
			return badRequest("Cannot create an abstract class.")
		}
	}
	msgs := make([]string, len(probs))
	for i, p := range probs {
		msgs[i] = p.String()
	}
	return badRequest("Invalid request body: %s", strings.Join(msgs, "; "))
}

// list answers GET on a collection: $filter, $select, $expand, paging.
func (x *exchange) list(c *collection) *graphError {
	q := x.r.URL.Query()
	match, err := x.s.parseFilter(q.Get("$filter"), x.version, c.def.caseFold)
	if err != nil {
		return err
	}
	exp, err := x.expansion(c)
	if err != nil {
		return err
	}
	sel := parseSelect(q.Get("$select"))
	var items []any
	for _, o := range c.objs {
		typ := x.s.visibleType(o.typ, x.version)
		if typ == "" || !match(o, x.s) {
			continue
		}
		items = append(items, x.s.render(c, o, x.version, exp, sel))
	}
	return x.page(c, items, c.def.path)
}

// page answers one page of items, with an absolute nextLink to the rest.
func (x *exchange) page(c *collection, items []any, context string) *graphError {
	q := x.r.URL.Query()
	skip := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		n, err := decodeSkipToken(tok)
		if err != nil || n > len(items) {
			return badRequest("The $skiptoken '%s' is not valid.", tok)
		}
		skip = n
	}
	end := min(skip+x.s.opts.PageSize, len(items))
	out := map[string]any{"@odata.context": x.context(context), "value": append([]any{}, items[skip:end]...)}
	if end < len(items) {
		q.Set("$skiptoken", encodeSkipToken(end))
		next := url.URL{Path: x.r.URL.Path, RawQuery: q.Encode()}
		out["@odata.nextLink"] = x.s.URL + next.String()
	}
	x.reply(http.StatusOK, out)
	return nil
}

// skip tokens look opaque, as Graph's do, so a client cannot build one.
func encodeSkipToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("fakegraph-skip:" + strconv.Itoa(n)))
}

func decodeSkipToken(tok string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, err
	}
	s, ok := strings.CutPrefix(string(b), "fakegraph-skip:")
	if !ok {
		return 0, errors.New("not a skip token")
	}
	return strconv.Atoi(s)
}

func (x *exchange) expansion(c *collection) (expansion, *graphError) {
	raw := x.r.URL.Query().Get("$expand")
	exp, err := parseExpand(raw)
	if err != nil {
		return nil, badRequest("Parsing OData Select and Expand failed: %v", err)
	}
	for nav, inner := range exp {
		if !c.def.expand[nav] {
			return nil, badRequest("Could not find a property named '%s' on type 'microsoft.graph.%s'.", nav, c.def.base)
		}
		for in := range inner {
			if nav != "scheduledActionsForRule" || in != "scheduledActionConfigurations" {
				return nil, badRequest("Could not find a property named '%s' on the items of '%s'.", in, nav)
			}
		}
	}
	return exp, nil
}

// parseExpand reads "a,b($expand=c)".
func parseExpand(s string) (expansion, error) {
	exp := expansion{}
	s = strings.TrimSpace(s)
	for s != "" {
		i := strings.IndexAny(s, ",(")
		if i < 0 {
			i = len(s)
		}
		name := strings.TrimSpace(s[:i])
		if name == "" {
			return nil, errors.New("empty property name")
		}
		s = s[i:]
		inner := expansion{}
		if strings.HasPrefix(s, "(") {
			depth, j := 0, 0
			for j = 0; j < len(s); j++ {
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if depth != 0 {
				return nil, errors.New("unbalanced parentheses")
			}
			opt := s[1:j]
			s = s[j+1:]
			v, ok := strings.CutPrefix(opt, "$expand=")
			if !ok {
				return nil, fmt.Errorf("unsupported nested option %q", opt)
			}
			var err error
			if inner, err = parseExpand(v); err != nil {
				return nil, err
			}
		}
		exp[name] = inner
		s = strings.TrimPrefix(strings.TrimSpace(s), ",")
		s = strings.TrimSpace(s)
	}
	return exp, nil
}

func parseSelect(s string) map[string]bool {
	if s == "" {
		return nil
	}
	sel := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		sel[strings.TrimSpace(f)] = true
	}
	return sel
}

func (x *exchange) get(c *collection, o *object) *graphError {
	if x.s.visibleType(o.typ, x.version) == "" {
		return errorf(http.StatusNotFound, "ResourceNotFound", "No %s with id '%s' was found.", c.def.base, o.id)
	}
	exp, err := x.expansion(c)
	if err != nil {
		return err
	}
	out := x.s.render(c, o, x.version, exp, parseSelect(x.r.URL.Query().Get("$select")))
	out["@odata.context"] = x.context(c.def.path + "/$entity")
	x.reply(http.StatusOK, out)
	return nil
}

func (x *exchange) create(c *collection) *graphError {
	body, err := x.decode()
	if err != nil {
		return err
	}
	if _, ok := body["@odata.type"]; !ok && x.s.meta.Types[c.def.base].Abstract {
		return badRequest("Cannot create an abstract class.")
	}
	if err := x.check(body, c.def.base); err != nil {
		return err
	}
	typ := c.def.base
	if t, ok := body["@odata.type"].(string); ok {
		typ = strings.TrimPrefix(t, typePrefix)
	}
	props := map[string]any{}
	var rules, apps []any
	for k, v := range body {
		switch {
		case strings.Contains(k, "@"):
			continue
		case x.isNavigation(typ, k):
			if !c.def.inline[k] {
				return badRequest("The navigation property '%s' cannot be set when creating a %s.", k, typ)
			}
			list, ok := v.([]any)
			if !ok {
				return badRequest("The navigation property '%s' must be a collection.", k)
			}
			if k == "scheduledActionsForRule" {
				rules = list
			} else {
				apps = list
			}
			continue
		case serverSet[k]:
			continue // Graph ignores what it sets itself on create
		}
		props[k] = v
	}
	if c.def.path == pathCompliancePolicies {
		if err := checkOneBlock(rules); err != nil {
			return err
		}
	}
	if err := x.checkTargetedApps(props); err != nil {
		return err
	}
	o := x.s.newObject(typ, x.version, props)
	x.s.stamp(o, true)
	o.rules = x.s.storeRules(o.id, rules)
	o.apps = storeApps(apps)
	c.objs = append(c.objs, o)
	out := x.s.render(c, o, x.version, nil, nil)
	out["@odata.context"] = x.context(c.def.path + "/$entity")
	x.reply(http.StatusCreated, out)
	return nil
}

func (x *exchange) isNavigation(typ, name string) bool {
	t := x.s.meta.Types[typ]
	if t == nil || t.Versions[x.version] == nil {
		return false
	}
	_, ok := t.Versions[x.version].Navigation[name]
	return ok
}

// checkOneBlock enforces Intune's rule for a compliance policy's
// scheduled actions: exactly one block action among them.
func checkOneBlock(rules []any) *graphError {
	blocks := 0
	for _, r := range rules {
		m, _ := r.(map[string]any)
		cfgs, _ := m["scheduledActionConfigurations"].([]any)
		for _, a := range cfgs {
			if am, _ := a.(map[string]any); am["actionType"] == "block" {
				blocks++
			}
		}
	}
	if blocks != 1 {
		return badRequest("Compliance policy must have one and only one block scheduled action (found %d).", blocks)
	}
	return nil
}

// checkTargetedApps refuses a Managed Devices configuration whose
// targetedMobileApps are not apps of the tenant.
func (x *exchange) checkTargetedApps(props map[string]any) *graphError {
	v, ok := props["targetedMobileApps"]
	if !ok {
		return nil
	}
	list, _ := v.([]any)
	var missing []string
	for _, id := range list {
		sid, _ := id.(string)
		if _, a := x.s.collections[pathMobileApps].find(sid); a == nil {
			missing = append(missing, fmt.Sprint(id))
		}
	}
	if len(missing) > 0 {
		return badRequest("targetedMobileApps: no mobile app with id %s in the tenant.", strings.Join(missing, ", "))
	}
	return nil
}

func (x *exchange) patch(c *collection, o *object) *graphError {
	body, err := x.decode()
	if err != nil {
		return err
	}
	t, ok := body["@odata.type"].(string)
	switch {
	case !ok && x.s.meta.Types[c.def.base].Abstract:
		return badRequest("Cannot create an abstract class.")
	case ok && strings.TrimPrefix(t, typePrefix) != o.typ:
		return badRequest("The @odata.type %s does not match the object's type %s%s.", t, typePrefix, o.typ)
	}
	if err := x.check(body, c.def.base); err != nil {
		return err
	}
	changed := 0
	var refused []string
	for _, k := range sortedKeys(body) {
		switch {
		case strings.Contains(k, "@"):
			continue
		case serverSet[k]:
			refused = append(refused, k+" is set by the service")
		case x.isNavigation(o.typ, k):
			refused = append(refused, k+" is a navigation property"+navHint(k))
		}
		changed++
	}
	if len(refused) > 0 {
		return badRequest("Invalid patch: %s.", strings.Join(refused, "; "))
	}
	if changed == 0 {
		return badRequest("Invalid patch, at least 1 property must be changed")
	}
	if err := x.checkTargetedApps(body); err != nil {
		return err
	}
	for k, v := range body {
		if !strings.Contains(k, "@") {
			o.props[k] = v
		}
	}
	x.s.stamp(o, false)
	x.reply(http.StatusNoContent, nil)
	return nil
}

func navHint(k string) string {
	switch k {
	case "apps":
		return " (use /targetApps)"
	case "scheduledActionsForRule":
		return " (use /scheduleActionsForRules)"
	case "assignments":
		return " (use /assign)"
	}
	return ""
}

func (x *exchange) delete(c *collection, o *object) *graphError {
	i, _ := c.find(o.id)
	c.objs = append(c.objs[:i], c.objs[i+1:]...)
	x.s.tick()
	x.reply(http.StatusNoContent, nil)
	return nil
}

// actionBody decodes an action's body and refuses parameters the action
// does not take.
func (x *exchange) actionBody(params ...string) (map[string]any, *graphError) {
	body, err := x.decode()
	if err != nil {
		return nil, err
	}
	allowed := set(params...)
	for _, k := range sortedKeys(body) {
		if !allowed[k] {
			return nil, badRequest("The parameter '%s' in the request payload is not a valid parameter for the operation '%s'.", k, lastSegment(x.r.URL.Path))
		}
	}
	return body, nil
}

func lastSegment(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// elements checks a collection parameter's items as typ.
func (x *exchange) elements(body map[string]any, param, typ string) ([]any, *graphError) {
	v, ok := body[param]
	if !ok {
		return nil, badRequest("The parameter '%s' is missing.", param)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, badRequest("The parameter '%s' must be a collection.", param)
	}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, badRequest("%s[%d] is not an object.", param, i)
		}
		if err := x.check(m, typ); err != nil {
			err.message = fmt.Sprintf("%s[%d]: %s", param, i, err.message)
			return nil, err
		}
	}
	return list, nil
}

// assign replaces the object's whole assignment set, as Graph does.
func (x *exchange) assign(c *collection, o *object) *graphError {
	body, err := x.actionBody("assignments")
	if err != nil {
		return err
	}
	list, err := x.elements(body, "assignments", c.def.assignment)
	if err != nil {
		return err
	}
	var set []map[string]any
	for i, e := range list {
		target, ok := e.(map[string]any)["target"].(map[string]any)
		if !ok {
			return badRequest("assignments[%d]: the target is missing.", i)
		}
		if _, ok := target["@odata.type"]; !ok {
			return badRequest("assignments[%d].target: Cannot create an abstract class.", i)
		}
		if _, has := target["groupId"]; has {
			id, _ := target["groupId"].(string)
			if _, g := x.s.collections[pathGroups].find(id); g == nil {
				return badRequest("assignments[%d].target: no group with id '%s'.", i, id)
			}
		}
		set = appendAssignment(set, o.id, target)
	}
	o.assignments = set
	x.s.tick()
	if c.def.assignNoContent {
		x.reply(http.StatusNoContent, nil)
		return nil
	}
	x.reply(http.StatusOK, map[string]any{
		"@odata.context": x.context("Collection(microsoft.graph." + c.def.assignment + ")"),
		"value":          x.s.renderAssignments(c, o, x.version),
	})
	return nil
}

func (x *exchange) scheduleActions(o *object) *graphError {
	body, err := x.actionBody("deviceComplianceScheduledActionForRules")
	if err != nil {
		return err
	}
	list, err := x.elements(body, "deviceComplianceScheduledActionForRules", "deviceComplianceScheduledActionForRule")
	if err != nil {
		return err
	}
	if err := checkOneBlock(list); err != nil {
		return err
	}
	o.rules = x.s.storeRules(o.id, list)
	x.s.stamp(o, false)
	x.reply(http.StatusNoContent, nil)
	return nil
}

var appGroupTypes = set("selectedPublicApps", "allCoreMicrosoftApps", "allMicrosoftApps", "allApps")

func (x *exchange) targetApps(o *object) *graphError {
	body, err := x.actionBody("apps", "appGroupType")
	if err != nil {
		return err
	}
	list, err := x.elements(body, "apps", "managedMobileApp")
	if err != nil {
		return err
	}
	if g, ok := body["appGroupType"]; ok {
		gs, _ := g.(string)
		if !appGroupTypes[gs] {
			return badRequest("appGroupType: '%v' is not a valid targetedManagedAppGroupType.", g)
		}
		o.appGroupType = gs
	}
	o.apps = storeApps(list)
	x.s.stamp(o, false)
	x.reply(http.StatusNoContent, nil)
	return nil
}
