package intune

import (
	"testing"

	"github.com/mdmforge/mdmforge/profiles"
)

// TestCompareBodyByValue: what Graph adds (defaults, server-set
// properties), key order, number spelling and the order of id sets make
// no difference; a changed value does.
func TestCompareBodyByValue(t *testing.T) {
	body := func() map[string]any {
		v, _ := decodeJSON([]byte(`{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","displayName":"X",
			"description":"d","targetedMobileApps":["a","b"],"settings":[{"appConfigKey":"k1","appConfigKeyType":"booleanType","appConfigKeyValue":"false"},
			{"appConfigKey":"k2","appConfigKeyType":"stringType","appConfigKeyValue":"v"}],"version":1}`))
		return v.(map[string]any)
	}
	d := &desired{policy: &profiles.Policy{}, body: body(), collection: collAppConfigs}
	have, _ := decodeJSON([]byte(`{"id":"1","createdDateTime":"2026-01-01T00:00:00Z","isAssigned":true,"version":1.0,
		"settings":[{"appConfigKey":"k2","appConfigKeyValue":"v","appConfigKeyType":"stringType"},{"appConfigKeyType":"booleanType","appConfigKey":"k1","appConfigKeyValue":"false"}],
		"targetedMobileApps":["b","a"],"description":"d","displayName":"X","roleScopeTagIds":["0"]}`))
	bd, err := compareBody(d, have.(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	if !bd.empty() {
		t.Errorf("equal by value, yet: %+v", bd.changes)
	}
	h := have.(map[string]any)
	h["settings"].([]any)[0].(map[string]any)["appConfigKeyValue"] = "w"
	bd, _ = compareBody(d, h)
	if !bd.keys["settings"] || len(bd.keys) != 1 || len(bd.changes) != 1 || bd.changes[0].Path != "settings.k2.appConfigKeyValue" {
		t.Errorf("changed setting: %+v %v", bd.changes, bd.keys)
	}
}
