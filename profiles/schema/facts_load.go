package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/mdmforge/mdmforge/profiles/schema/internal/record"
)

//go:embed manifests.jsonl
var manifestsData []byte

// factsDB is Apple's schema combined with ProfileManifests' facts. A
// domain is read from the embedded file, and combined with Apple's
// payload, the first time it is asked for: a profile names a few of the
// 270 domains, and reading them all would triple the cost of loading the
// schema (BenchmarkLoadFacts).
type factsDB struct {
	source Source
	apple  *database
	spans  map[string]span     // the lines of each domain
	types  []string            // Apple's and ProfileManifests', sorted
	newest map[Platform]string // the newest version Apple's copy knows, per platform

	mu       sync.Mutex
	own      map[string]*Payload // ProfileManifests' alone, before combining
	payloads map[string]*Payload // combined with Apple's
}

// span is one domain's lines in manifests.jsonl.
type span struct {
	data []byte
	line int // of the domain line, for messages
}

var (
	factsOnce sync.Once
	facts     *factsDB
)

func getFacts() *factsDB {
	factsOnce.Do(func() {
		src, spans, err := indexFacts(manifestsData)
		if err != nil {
			panic("schema: bad embedded ProfileManifests data: " + err.Error())
		}
		facts = newFactsDB(get(), src, spans)
	})
	return facts
}

func newFactsDB(apple *database, src Source, spans map[string]span) *factsDB {
	f := &factsDB{source: src, apple: apple, spans: spans, newest: newest(apple),
		own: map[string]*Payload{}, payloads: map[string]*Payload{}}
	seen := map[string]bool{}
	for _, t := range apple.types {
		seen[t] = true
		f.types = append(f.types, t)
	}
	for name := range spans {
		if !seen[name] {
			f.types = append(f.types, name)
		}
	}
	sort.Strings(f.types)
	return f
}

// ownPayload returns ProfileManifests' payload of a domain, reading it on
// first use.
func (f *factsDB) ownPayload(name string) (*Payload, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ownLocked(name)
}

func (f *factsDB) ownLocked(name string) (*Payload, bool) {
	if p, ok := f.own[name]; ok {
		return p, true
	}
	sp, ok := f.spans[name]
	if !ok {
		return nil, false
	}
	p, err := parseDomain(sp)
	if err != nil {
		panic("schema: bad embedded ProfileManifests data: " + err.Error())
	}
	f.own[name] = p
	return p, true
}

// payload returns the combined payload of a type ProfileManifests knows.
func (f *factsDB) payload(name string) (*Payload, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.payloads[name]; ok {
		return p, true
	}
	p, ok := f.ownLocked(name)
	if !ok {
		return nil, false
	}
	if a, ok := f.apple.payloads[name]; ok {
		p = f.mergePayload(a, p, f.apple.commonIndex)
	}
	f.payloads[name] = p
	return p, true
}

// indexFacts reads the header of manifests.jsonl and finds each domain's
// lines.
func indexFacts(b []byte) (Source, map[string]span, error) {
	var src Source
	spans := map[string]span{}
	var cur string
	var start, startLine int
	closeSpan := func(end int) {
		if cur != "" {
			spans[cur] = span{data: b[start:end], line: startLine}
		}
	}
	off := 0
	for line := 1; off < len(b); line++ {
		lnStart := off
		ln := b[off:]
		if i := bytes.IndexByte(ln, '\n'); i >= 0 {
			ln, off = ln[:i], off+i+1
		} else {
			off = len(b)
		}
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		if line == 1 {
			var h record.FactsHeader
			if err := json.Unmarshal(ln, &h); err != nil {
				return src, nil, fmt.Errorf("line 1: %v", err)
			}
			if h.Format != record.FactsFormat {
				return src, nil, fmt.Errorf("format %q, want %q", h.Format, record.FactsFormat)
			}
			src = Source{Origin: OriginProfileManifests, Repository: h.Source, Commit: h.Commit, Date: h.Date, Facts: h.Facts}
			continue
		}
		if !bytes.HasPrefix(ln, []byte(`{"domain":`)) {
			if cur == "" {
				return src, nil, fmt.Errorf("line %d: unexpected key line", line)
			}
			continue
		}
		var r record.Domain
		if err := json.Unmarshal(ln, &r); err != nil {
			return src, nil, fmt.Errorf("line %d: %v", line, err)
		}
		if _, dup := spans[r.Domain]; dup || r.Domain == cur {
			return src, nil, fmt.Errorf("line %d: domain %q again", line, r.Domain)
		}
		closeSpan(lnStart)
		cur, start, startLine = r.Domain, lnStart, line
	}
	closeSpan(len(b))
	if src.Commit == "" {
		return src, nil, fmt.Errorf("no header")
	}
	return src, spans, nil
}

// parseFacts reads every domain of manifests.jsonl into payloads of
// ProfileManifests' alone.
func parseFacts(b []byte) (map[string]*Payload, Source, error) {
	src, spans, err := indexFacts(b)
	if err != nil {
		return nil, src, err
	}
	out := make(map[string]*Payload, len(spans))
	for name, sp := range spans {
		if out[name], err = parseDomain(sp); err != nil {
			return nil, src, err
		}
	}
	return out, src, nil
}

// parseDomain reads one domain's lines.
func parseDomain(sp span) (*Payload, error) {
	var cur *Payload
	var stack []*Key
	b := sp.data
	for line := sp.line; len(b) > 0; line++ {
		var ln []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			ln, b = b[:i], b[i+1:]
		} else {
			ln, b = b, nil
		}
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		indent := len(ln) - len(bytes.TrimLeft(ln, " "))
		ln = ln[indent:]
		if cur == nil {
			var r record.Domain
			if err := json.Unmarshal(ln, &r); err != nil {
				return nil, fmt.Errorf("line %d: %v", line, err)
			}
			cur = &Payload{Type: r.Domain, Origin: OriginProfileManifests, Kind: Kind(r.Kind),
				Platforms: factSupport(r.OS), index: map[string]*Key{}, common: r.Domain != configurationType}
			continue
		}
		depth := indent / 2
		if indent%2 != 0 || depth > len(stack) {
			return nil, fmt.Errorf("line %d: unexpected key line", line)
		}
		var r record.FactsKey
		if err := json.Unmarshal(ln, &r); err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		stack = stack[:depth]
		parentPlat := cur.Platforms
		if depth > 0 {
			parentPlat = stack[depth-1].Platforms
		}
		k := &Key{Name: r.Key, Type: Type(r.Type), Required: r.Required, Format: r.Format,
			Origin: OriginProfileManifests, Range: rng(r.Range), Platforms: parentPlat}
		if r.OS != nil {
			k.Platforms = factSupport(r.OS)
		}
		var err error
		if r.Allowed != nil {
			k.Allowed = make([]any, len(r.Allowed))
			for i, a := range r.Allowed {
				if k.Allowed[i], err = value(a, k.Type); err != nil {
					return nil, fmt.Errorf("line %d: key %q: %v", line, r.Key, err)
				}
			}
		}
		if depth == 0 {
			cur.Keys = append(cur.Keys, k)
			cur.index[k.Name] = k
			if k.IsWildcard() {
				cur.wildcard = k
			}
		} else {
			parent := stack[depth-1]
			switch parent.Type {
			case Array:
				parent.Item = k
			case Dictionary:
				parent.Keys = append(parent.Keys, k)
				if k.IsWildcard() {
					// ProfileManifests' placeholder: entries of any name.
					parent.wildcard, parent.open = k, true
				}
			default:
				return nil, fmt.Errorf("line %d: %s key %q has children", line, parent.Type, parent.Name)
			}
		}
		stack = append(stack, k)
	}
	for _, k := range cur.Keys {
		indexKey(k)
	}
	return cur, nil
}

// factSupport converts ProfileManifests' platforms. It says nothing of
// install channels or of how many payloads a profile may hold, so those
// are the permissive values: nothing is warned about on its word alone.
func factSupport(os map[string]*record.FactOS) map[Platform]*Support {
	out := make(map[Platform]*Support, len(os))
	for name, o := range os {
		out[Platform(name)] = &Support{
			Introduced:    o.Min,
			Deprecated:    o.Deprecated,
			Supervised:    o.Supervised,
			Multiple:      true,
			ManualInstall: true,
			Origin:        OriginProfileManifests,
		}
	}
	return out
}

// combineAll reads and combines every domain, as a process would that
// asked for all of them: for tests and BenchmarkLoadFacts.
func combineAll(f *factsDB) {
	for name := range f.spans {
		f.payload(name)
	}
}

// mergePayload returns Apple's payload with the keys and platforms
// ProfileManifests adds. Apple's keys keep their place and their facts.
func (f *factsDB) mergePayload(a, p *Payload, common map[string]*Key) *Payload {
	m := *a
	m.Platforms = f.addPlatforms(a.Platforms, p.Platforms)
	m.Keys = make([]*Key, 0, len(a.Keys)+len(p.Keys))
	m.index = make(map[string]*Key, len(a.Keys)+len(p.Keys))
	for _, k := range a.Keys {
		if pk, ok := p.index[k.Name]; ok {
			k = f.mergeKey(k, pk)
		}
		m.Keys = append(m.Keys, k)
		m.index[k.Name] = k
	}
	for _, pk := range p.Keys {
		_, apples := m.index[pk.Name]
		_, isCommon := common[pk.Name]
		if apples || (a.common && isCommon) || (pk.IsWildcard() && a.wildcard != nil) {
			continue
		}
		m.Keys = append(m.Keys, pk)
		m.index[pk.Name] = pk
		if pk.IsWildcard() {
			m.wildcard = pk
		}
	}
	return &m
}

// mergeKey returns Apple's key a with what ProfileManifests' b adds: the
// platforms Apple's copy is too old to know, and subkeys Apple does not
// list. It returns a itself when b adds nothing, so that Apple's graph is
// shared; only b's keys are walked, which keeps the walk finite where
// Apple's keys are recursive.
func (f *factsDB) mergeKey(a, b *Key) *Key {
	if a.Type == Any || a.Type != b.Type {
		return a
	}
	plats := f.addPlatforms(a.Platforms, b.Platforms)
	changed := len(plats) != len(a.Platforms)
	item := a.Item
	if a.Item != nil && b.Item != nil {
		item = f.mergeKey(a.Item, b.Item)
		changed = changed || item != a.Item
	}
	keys := a.Keys
	if a.Type == Dictionary && len(b.Keys) > 0 && a.wildcard == nil {
		keys = make([]*Key, 0, len(a.Keys)+len(b.Keys))
		names := make(map[string]bool, len(a.Keys))
		for _, c := range a.Keys {
			names[c.Name] = true
			if bc, ok := exactChild(b, c.Name); ok {
				if mc := f.mergeKey(c, bc); mc != c {
					c, changed = mc, true
				}
			}
			keys = append(keys, c)
		}
		for _, bc := range b.Keys {
			// A placeholder does not open a dictionary whose keys Apple lists.
			if !names[bc.Name] && (!bc.IsWildcard() || len(a.Keys) == 0) {
				keys = append(keys, bc)
				changed = true
			}
		}
	}
	if !changed {
		return a
	}
	m := *a
	m.Platforms, m.Item, m.Keys = plats, item, keys
	// A dictionary Apple leaves undescribed stays open whatever
	// ProfileManifests lists in it.
	m.open = a.Open() || (b.open && len(a.Keys) == 0)
	m.index, m.wildcard = nil, nil
	if len(keys) > indexThreshold {
		m.index = make(map[string]*Key, len(keys))
	}
	for _, c := range keys {
		if m.index != nil {
			m.index[c.Name] = c
		}
		if c.IsWildcard() {
			m.wildcard = c
		}
	}
	return &m
}

func exactChild(k *Key, name string) (*Key, bool) {
	c, ok := k.Lookup(name)
	return c, ok && c.Name == name
}

// addPlatforms returns a with the platforms b has and a lacks where b's
// first version is newer than anything Apple's copy knows on that
// platform: there Apple's copy is silent for being older, not saying "n/a".
func (f *factsDB) addPlatforms(a, b map[Platform]*Support) map[Platform]*Support {
	var out map[Platform]*Support
	for _, pl := range AllPlatforms() {
		s := b[pl]
		if s == nil || a[pl] != nil || s.Introduced == "" || CompareVersions(s.Introduced, f.newest[pl]) <= 0 {
			continue
		}
		if out == nil {
			out = make(map[Platform]*Support, len(a)+1)
			for k, v := range a {
				out[k] = v
			}
		}
		out[pl] = s
	}
	if out == nil {
		return a
	}
	return out
}

// newest returns, per platform, the newest version Apple's copy mentions
// (introduced, deprecated or removed), or names in its release
// (Release_iOS-18-1_macOS-15-1): how far Apple's knowledge reaches.
func newest(d *database) map[Platform]string {
	out := map[Platform]string{}
	note := func(pl Platform, v string) {
		if v != "" && CompareVersions(v, out[pl]) > 0 {
			out[pl] = v
		}
	}
	seen := map[*Key]bool{}
	var walk func(k *Key)
	walk = func(k *Key) {
		if k == nil || seen[k] {
			return
		}
		seen[k] = true
		for pl, s := range k.Platforms {
			note(pl, s.Introduced)
			note(pl, s.Deprecated)
			note(pl, s.Removed)
		}
		walk(k.Item)
		for _, c := range k.Keys {
			walk(c)
		}
	}
	for _, p := range d.payloads {
		for pl, s := range p.Platforms {
			note(pl, s.Introduced)
		}
		for _, k := range p.Keys {
			walk(k)
		}
	}
	for _, part := range strings.Split(d.source.Release, "_") {
		name, ver, ok := strings.Cut(part, "-")
		if ok {
			for _, pl := range AllPlatforms() {
				if string(pl) == name {
					note(pl, strings.ReplaceAll(ver, "-", "."))
				}
			}
		}
	}
	return out
}

// AppleNewest returns the newest version of platform that Apple's embedded
// copy knows: a ProfileManifests fact about a later version fills a gap
// in Apple's copy rather than contradicting it.
func AppleNewest(platform Platform) string { return getFacts().newest[platform] }

// Sources returns the origins of the embedded facts: Apple's schema, then
// ProfileManifests'.
func Sources() []Source {
	a := DataSource()
	return []Source{a, getFacts().source}
}

// ProfileManifests returns what ProfileManifests alone says about a payload
// type or domain, before Apple's facts take precedence. Checks use Facts;
// this is for evidence where the two disagree. PayloadScope, for one, is
// macOS-only in ProfileManifests, while Apple's copy states only macOS and
// so, by its inheritance rule, also gives it the profile's iOS.
func ProfileManifests(payloadType string) (*Payload, bool) {
	return getFacts().ownPayload(payloadType)
}
