package schema

import (
	"strings"
	"testing"
)

func TestParseFactsRefusesBadData(t *testing.T) {
	const hdr = `{"format":"mdmforge-profilemanifests-facts/1","source":"s","commit":"c","date":"d","facts":"f"}` + "\n"
	for name, tc := range map[string]struct{ data, want string }{
		"format":          {`{"format":"other/1"}` + "\n", "format"},
		"key first":       {hdr + `{"key":"K","type":"string"}` + "\n", "unexpected key line"},
		"odd indent":      {hdr + `{"domain":"d","kind":"application","os":{}}` + "\n" + ` {"key":"K","type":"string"}` + "\n", "unexpected key line"},
		"too deep":        {hdr + `{"domain":"d","kind":"application","os":{}}` + "\n" + `    {"key":"K","type":"string"}` + "\n", "unexpected key line"},
		"scalar children": {hdr + `{"domain":"d","kind":"application","os":{}}` + "\n" + `{"key":"K","type":"string"}` + "\n" + `  {"key":"C","type":"string"}` + "\n", "has children"},
		"bad allowed":     {hdr + `{"domain":"d","kind":"application","os":{}}` + "\n" + `{"key":"K","type":"integer","allowed":[1x]}` + "\n", "line 3"},
		"no header":       {"", "no header"},
	} {
		_, _, err := parseFacts([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
}

func TestParseFacts(t *testing.T) {
	data := `{"format":"mdmforge-profilemanifests-facts/1","source":"s","commit":"c","date":"d","facts":"f"}
{"domain":"org.example","kind":"application","os":{"macOS":{"min":"12.0"}}}
{"key":"List","type":"array"}
  {"key":"Item","type":"dictionary"}
    {"key":"Name","type":"string","required":true,"os":{"macOS":{"min":"14.0","supervised":true}}}
{"key":"Map","type":"dictionary"}
  {"key":"ANY","type":"integer","allowed":[1,2]}
`
	pm, src, err := parseFacts([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if src.Origin != OriginProfileManifests || src.Commit != "c" {
		t.Errorf("source %+v", src)
	}
	p := pm["org.example"]
	if p == nil || p.Kind != KindApplication || p.Platforms[MacOS].Introduced != "12.0" || !p.common {
		t.Fatalf("payload %+v", p)
	}
	list, _ := p.Key("List")
	name, ok := list.Lookup("Name")
	if !ok || !name.Required || name.Platforms[MacOS].Introduced != "14.0" || !name.Platforms[MacOS].Supervised {
		t.Errorf("List[].Name %+v", name)
	}
	if list.Item.Platforms[MacOS].Introduced != "12.0" {
		t.Error("an element does not inherit its array's platforms")
	}
	m, _ := p.Key("Map")
	e, ok := m.Lookup("anything")
	if !ok || !e.IsWildcard() || !m.Open() || len(e.Allowed) != 2 {
		t.Errorf("Map: open %v, entry %+v", m.Open(), e)
	}
}

// TestFactsConcurrent asks for the same domains from several goroutines,
// as roster's builds on every core do; run with -race.
func TestFactsConcurrent(t *testing.T) {
	src, spans, err := indexFacts(manifestsData)
	if err != nil {
		t.Fatal(err)
	}
	f := newFactsDB(get(), src, spans)
	names := []string{"com.google.Chrome", "com.apple.applicationaccess", "Configuration", "com.microsoft.Edge"}
	got := make([][]*Payload, 4)
	done := make(chan int)
	for g := range got {
		go func() {
			for _, n := range names {
				p, _ := f.payload(n)
				got[g] = append(got[g], p)
			}
			done <- g
		}()
	}
	for range got {
		<-done
	}
	for g := range got {
		for i := range names {
			if got[g][i] == nil || got[g][i] != got[0][i] {
				t.Errorf("goroutine %d, %s: %p, want %p", g, names[i], got[g][i], got[0][i])
			}
		}
	}
}
