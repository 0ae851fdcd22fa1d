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

// TestCompareActionsAsIntuneKeepsThem: the block action mdmforge sends
// (ruleName, notificationTemplateId "", an empty CC list) equals what
// Intune returns for it (ruleName null, the zero GUID, maybe no CC list),
// and a hand-made action without those fields; a grace period, a real
// template or a second action differ.
func TestCompareActionsAsIntuneKeepsThem(t *testing.T) {
	decode := func(s string) []any {
		v, err := decodeJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return v.([]any)
	}
	sent := decode(`[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0,"notificationTemplateId":"","notificationMessageCCList":[]}]}]`)
	for _, have := range []string{
		`[{"id":"r1","ruleName":null,"scheduledActionConfigurations":[{"id":"a1","actionType":"block","gracePeriodHours":0,"notificationTemplateId":"00000000-0000-0000-0000-000000000000","notificationMessageCCList":[]}]}]`,
		`[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0,"notificationTemplateId":null,"notificationMessageCCList":null}]}]`,
		`[{"scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0}]}]`,
	} {
		if c := compareActions(decode(have), sent); len(c) > 0 {
			t.Errorf("%s differs: %+v", have, c)
		}
	}
	for _, have := range []string{
		`[{"scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":24}]}]`,
		`[{"scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0,"notificationTemplateId":"6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b"}]}]`,
		`[{"scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0},{"actionType":"notification","gracePeriodHours":0}]}]`,
		`[]`,
	} {
		if c := compareActions(decode(have), sent); len(c) == 0 {
			t.Errorf("%s does not differ", have)
		}
	}
}
