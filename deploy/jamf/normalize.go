package jamf

import (
	"github.com/mdmforge/mdmforge/internal/propertylist"
)

// normalize undoes what Jamf Pro does to an uploaded profile, so that
// only a real change shows: it sets the top-level PayloadIdentifier and
// PayloadUUID back to the ones mdmforge sent (Jamf may replace both with
// its own; the description's marker is the identity), and drops the
// PayloadEnabled true and PayloadRemovalDisallowed false Jamf adds where
// mdmforge's profile has none (both are the defaults). Each payload's
// PayloadUUID, which Jamf also replaces on every upload, is set back to
// mdmforge's for the payload of the same PayloadIdentifier: uploading
// again cannot keep a UUID, so a difference in it is no change to plan. What is not a
// readable profile is returned as it is, and compared as bytes.
func normalize(have, want []byte) []byte {
	hv, err := propertylist.ReadXML(have)
	if err != nil {
		return have
	}
	wv, err := propertylist.ReadXML(want)
	if err != nil {
		return have
	}
	h, ok1 := hv.(map[string]any)
	w, ok2 := wv.(map[string]any)
	if !ok1 || !ok2 {
		return have
	}
	for _, k := range []string{"PayloadIdentifier", "PayloadUUID"} {
		if v, ok := w[k]; ok {
			h[k] = v
		}
	}
	dropDefault(h, w, "PayloadRemovalDisallowed", false)
	dropDefault(h, w, "PayloadEnabled", true)
	hc, _ := h["PayloadContent"].([]any)
	wc, _ := w["PayloadContent"].([]any)
	byID := map[string]map[string]any{}
	for _, x := range wc {
		if m, ok := x.(map[string]any); ok {
			if id, ok := m["PayloadIdentifier"].(string); ok {
				byID[id] = m
			}
		}
	}
	for _, x := range hc {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		id, _ := m["PayloadIdentifier"].(string)
		wm := byID[id]
		if wm == nil {
			wm = map[string]any{}
		}
		dropDefault(m, wm, "PayloadEnabled", true)
		// The device holds the UUID Jamf gave: Jamf gives a new one on
		// every upload, so ours is never what the device has either.
		if u, ok := wm["PayloadUUID"]; ok {
			m["PayloadUUID"] = u
		}
	}
	out, err := propertylist.AppendXML(nil, h)
	if err != nil {
		return have
	}
	return out
}

// dropDefault removes key from h when w lacks it and h has the default.
func dropDefault(h, w map[string]any, key string, def bool) {
	if _, ok := w[key]; ok {
		return
	}
	if b, ok := h[key].(bool); ok && b == def {
		delete(h, key)
	}
}
