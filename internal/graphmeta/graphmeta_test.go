package graphmeta

import "testing"

func TestLoad(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		typ, version, prop, want string
		ok                       bool
	}{
		{"iosCustomConfiguration", "v1.0", "payload", "Edm.Binary", true},
		{"iosCustomConfiguration", "v1.0", "displayName", "Edm.String", true}, // from deviceConfiguration
		{"iosCustomConfiguration", "v1.0", "id", "Edm.String", true},          // from entity
		{"iosCustomConfiguration", "v1.0", "roleScopeTagIds", "", false},      // beta only
		{"iosCustomConfiguration", "beta", "roleScopeTagIds", "", true},
		{"iosCompliancePolicy", "v1.0", "scheduledActionsForRule", "Collection(deviceComplianceScheduledActionForRule)", true},
		{"iosEasEmailProfileConfiguration", "v1.0", "hostName", "", false}, // no such type in v1.0
		{"iosEasEmailProfileConfiguration", "beta", "hostName", "", true},
		{"iosEasEmailProfileConfiguration", "beta", "usernameSource", "", true}, // from easEmailProfileConfigurationBase
		{"noSuchType", "beta", "id", "", false},
	} {
		got, ok := m.Member(tt.typ, tt.version, tt.prop)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Member(%s, %s, %s) = %q, %v; want %q, %v", tt.typ, tt.version, tt.prop, got, ok, tt.want, tt.ok)
		}
	}
	if _, err := Parse([]byte(`{"format":"other/1"}`)); err == nil {
		t.Error("Parse accepted another format")
	}
}

func TestElementType(t *testing.T) {
	for in, want := range map[string]struct {
		elem string
		coll bool
	}{
		"Collection(keyValuePair)": {"keyValuePair", true},
		"keyValuePair":             {"keyValuePair", false},
		"Edm.String":               {"Edm.String", false},
	} {
		if e, c := ElementType(in); e != want.elem || c != want.coll {
			t.Errorf("ElementType(%q) = %q, %v; want %q, %v", in, e, c, want.elem, want.coll)
		}
	}
}
