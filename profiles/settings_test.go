package profiles

import (
	"strings"
	"testing"
)

// TestPolicySettings: every setting the decoder reads is described, from
// the same Policy type and JSON Schema descriptions, so none is missing and
// none is invented.
func TestPolicySettings(t *testing.T) {
	settings := PolicySettings()
	seen := map[string]bool{}
	for _, s := range settings {
		if seen[s.Path] {
			t.Errorf("%s listed twice", s.Path)
		}
		seen[s.Path] = true
		if s.Description == "" || s.Type == "" {
			t.Errorf("%s: no description or type: %+v", s.Path, s)
		}
	}
	// settingPaths is what the decoder's suggestions know; the lists agree.
	for _, paths := range settingPaths() {
		for _, p := range paths {
			if !seen[p] && !seen[p+"[]"] {
				t.Errorf("the decoder knows %s, PolicySettings does not", p)
			}
		}
	}
	for path, want := range map[string]PolicySetting{
		"exchange.sync":                         {Type: "list of text", Default: "all five", CompilesTo: "EnableMail … EnableNotes in com.apple.eas.account"},
		"exchange.auth":                         {Type: "text", Required: true},
		"exchange.mail_days":                    {Type: "whole number", CompilesTo: "MailNumberOfPastDaysToSync in com.apple.eas.account"},
		"profile.display_name":                  {Type: "text", Default: "name", CompilesTo: "PayloadDisplayName at the profile's top level"},
		"payloads[0].name":                      {Type: "text", Required: true},
		"outlook.save_contacts":                 {Type: "true or false", CompilesTo: "com.microsoft.outlook.Contacts.LocalSyncEnabled"},
		"restrictions.requireManagedPasteboard": {Type: "true or false", Default: "false", CompilesTo: "requireManagedPasteboard in com.apple.applicationaccess"},
	} {
		s, ok := LookupSetting(path)
		if !ok || s.Type != want.Type || s.Required != want.Required || (want.Default != "" && s.Default != want.Default) || (want.CompilesTo != "" && s.CompilesTo != want.CompilesTo) {
			t.Errorf("LookupSetting(%q) = %+v, %v; want %+v", path, s, ok, want)
		}
	}
	if s, _ := LookupSetting("exchange.sync"); strings.Join(s.Allowed, " ") != "mail contacts calendars reminders notes" {
		t.Errorf("exchange.sync allows %v", s.Allowed)
	}
	if _, ok := LookupSetting("exchange.synk"); ok {
		t.Error("exchange.synk is no setting")
	}
}
