package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/mdmforge/mdmforge/internal/propertylist"
)

type jsonReport struct {
	Before    string      `json:"before"`
	After     string      `json:"after"`
	Different bool        `json:"different"`
	Summary   jsonSummary `json:"summary"`
	Files     []jsonFile  `json:"files"`
}

type jsonSummary struct {
	Files             int `json:"files"`
	Changes           int `json:"changes"`
	Consequences      int `json:"consequences"`
	HiddenUUIDChanges int `json:"hidden_uuid_changes"`
}

type jsonFile struct {
	Path              string            `json:"path"`
	Status            string            `json:"status"`
	Format            string            `json:"format"`
	Source            string            `json:"source"`
	Changes           []jsonChange      `json:"changes"`
	Consequences      []jsonConsequence `json:"consequences"`
	HiddenUUIDChanges int               `json:"hidden_uuid_changes"`
	// Carries names the profile whose change this file repeats, changes and
	// consequences then being in that profile's entry.
	Carries string `json:"carries,omitempty"`
}

type jsonChange struct {
	Kind        string          `json:"kind"`
	Scope       string          `json:"scope"`
	Within      string          `json:"within,omitempty"`
	Payload     string          `json:"payload,omitempty"`
	PayloadType string          `json:"payload_type,omitempty"`
	Path        string          `json:"path"`
	Before      json.RawMessage `json:"before,omitempty"`
	After       json.RawMessage `json:"after,omitempty"`
	BeforeType  string          `json:"before_type,omitempty"`
	AfterType   string          `json:"after_type,omitempty"`
	// Redacted says a secret was left out: the values when the change is
	// to a secret, or the secrets inside them, shown as "<secret>".
	Redacted bool `json:"redacted,omitempty"`
}

type jsonConsequence struct {
	Kind        string `json:"kind"`
	Scope       string `json:"scope"`
	Within      string `json:"within,omitempty"`
	Payload     string `json:"payload,omitempty"`
	PayloadType string `json:"payload_type,omitempty"`
	Message     string `json:"message"`
}

func (r *Report) document() jsonReport {
	changes, consequences, hidden := r.counts()
	doc := jsonReport{Before: r.Before, After: r.After, Different: r.Different(),
		Summary: jsonSummary{len(r.Files), changes, consequences, hidden}, Files: []jsonFile{}}
	for _, f := range r.Files {
		jf := jsonFile{Path: f.Path, Status: string(f.Status), Format: f.Format, Source: f.Source,
			Changes: []jsonChange{}, Consequences: []jsonConsequence{}, HiddenUUIDChanges: f.Hidden, Carries: f.Carries}
		for _, c := range f.Changes {
			jc := jsonChange{Kind: string(c.Kind), Scope: string(c.Scope), Within: c.Within, Payload: c.Payload,
				PayloadType: c.PayloadType, Path: c.Path, BeforeType: c.BeforeType, AfterType: c.AfterType,
				Redacted: c.Secret || hasRedacted(c.Before) || hasRedacted(c.After)}
			if c.Kind != Added && !c.Secret {
				jc.Before = rawJSON(c.Before)
			}
			if c.Kind != Removed && !c.Secret {
				jc.After = rawJSON(c.After)
			}
			jf.Changes = append(jf.Changes, jc)
		}
		for _, q := range f.Consequences {
			jf.Consequences = append(jf.Consequences, jsonConsequence{Kind: string(q.Kind), Scope: string(q.Scope),
				Within: q.Within, Payload: q.Payload, PayloadType: q.PayloadType, Message: q.Message})
		}
		doc.Files = append(doc.Files, jf)
	}
	return doc
}

// rawJSON encodes a value for the document: data as base64, dates in RFC
// 3339, reals that JSON cannot hold as text.
func rawJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonSafe(v)); err != nil {
		return json.RawMessage(strconv.Quote(fmt.Sprint(v)))
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func jsonSafe(v any) any {
	return propertylist.MapLeaves(v, func(v any) any {
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return realString(x)
			}
		case float32:
			return float64(x)
		case time.Time:
			return x.UTC().Format(time.RFC3339)
		}
		return v
	})
}

// writeJSON writes v indented, with a trailing newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
