package intune

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/internal/golden"

	"github.com/mdmforge/mdmforge/profiles"
)

const example = "../../examples/contacts-only-eas.yaml"

// intunePolicy decodes and validates a policy for the Intune bundle tests.
func intunePolicy(t *testing.T, src string) *profiles.Policy {
	t.Helper()
	p, ds := profiles.Decode("t.yaml", []byte(src))
	if p == nil || ds.Errors() > 0 {
		t.Fatalf("policy does not decode:\n%v", ds)
	}
	if ds := profiles.Validate(p); ds.Errors() > 0 {
		t.Fatalf("policy is invalid:\n%v", ds)
	}
	return p
}

func intuneExample(t *testing.T) (*profiles.Policy, []profiles.Output) {
	t.Helper()
	policies, ds := profiles.Load(example)
	if ds.Errors() > 0 || len(policies) != 1 {
		t.Fatalf("example does not load: %v", ds)
	}
	outs, _, err := Bundle(policies[0], profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return policies[0], outs
}

func outputNames(outs []profiles.Output) []string {
	names := make([]string, len(outs))
	for i, o := range outs {
		names[i] = o.Name
	}
	return names
}

func output(t *testing.T, outs []profiles.Output, name string) []byte {
	t.Helper()
	for _, o := range outs {
		if o.Name == name {
			return o.Data
		}
	}
	t.Fatalf("no %s among %v", name, outputNames(outs))
	return nil
}

func decodeJSON(t *testing.T, name string, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s is not a JSON object: %v", name, err)
	}
	return m
}

var intuneODataTypes = map[string]string{
	"email.json":              "#microsoft.graph.iosEasEmailProfileConfiguration",
	"custom.json":             "#microsoft.graph.iosCustomConfiguration",
	"restrictions.json":       "#microsoft.graph.iosGeneralDeviceConfiguration",
	"outlook-devices.json":    "#microsoft.graph.iosMobileAppConfiguration",
	"outlook-apps.json":       "#microsoft.graph.targetedManagedAppConfiguration",
	"outlook-android.json":    "#microsoft.graph.androidManagedStoreAppConfiguration",
	"compliance.json":         "#microsoft.graph.iosCompliancePolicy",
	"conditional-access.json": "#microsoft.graph.conditionalAccessPolicy",
}

// TestIntuneGolden pins every file of the example's Intune bundle. Refresh
// with: go test ./profiles/intune -update
func TestGolden(t *testing.T) {
	_, outs := intuneExample(t)
	want := []string{"email.json", "custom.json", "restrictions.json", "outlook-devices.json", "outlook-apps.json", "outlook-android.json", "compliance.json", "README.md"}
	if got := outputNames(outs); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("bundle files are %v, want %v", got, want)
	}
	dir := filepath.Join("..", "..", "testdata", "golden", "intune")
	for _, o := range outs {
		golden.Check(t, filepath.Join(dir, o.Name), o.Data)
	}
}

func TestBundleShape(t *testing.T) {
	_, outs := intuneExample(t)
	_, again := intuneExample(t)
	for i, o := range outs {
		if !bytes.Equal(o.Data, again[i].Data) {
			t.Errorf("%s differs between two builds", o.Name)
		}
		if !bytes.HasSuffix(o.Data, []byte("\n")) || bytes.HasSuffix(o.Data, []byte("\n\n")) {
			t.Errorf("%s does not end in exactly one newline", o.Name)
		}
		if !strings.HasSuffix(o.Name, ".json") {
			continue
		}
		m := decodeJSON(t, o.Name, o.Data)
		if got, want := m["@odata.type"], intuneODataTypes[o.Name]; got != want {
			t.Errorf("%s: @odata.type is %v, want %s", o.Name, got, want)
		}
		if !bytes.HasPrefix(o.Data, []byte("{\n  \"@odata.type\": ")) {
			t.Errorf("%s does not start with a 2-space indented @odata.type", o.Name)
		}
		if s, _ := m["displayName"].(string); s == "" {
			t.Errorf("%s has no displayName", o.Name)
		}
		if !strings.Contains(string(output(t, outs, "README.md")), "## "+o.Name+":") {
			t.Errorf("README.md does not describe %s", o.Name)
		}
	}
}

func TestExampleValues(t *testing.T) {
	_, outs := intuneExample(t)
	email := decodeJSON(t, "email.json", output(t, outs, "email.json"))
	for k, want := range map[string]any{
		"displayName":                    "Work Contacts – Email",
		"hostName":                       "outlook.office365.com",
		"authenticationMethod":           "usernameAndPassword",
		"useOAuth":                       true,
		"requireSsl":                     true,
		"easServices":                    "contacts",
		"easServicesUserOverrideEnabled": false,
		"emailAddressSource":             "primarySmtpAddress",
		"usernameSource":                 "userPrincipalName",
		"usernameAADSource":              "userPrincipalName",
	} {
		if email[k] != want {
			t.Errorf("email.json %s = %v, want %v", k, email[k], want)
		}
	}
	if _, ok := email["durationOfEmailToSync"]; ok {
		t.Errorf("email.json sets durationOfEmailToSync without mail_days")
	}

	r := decodeJSON(t, "restrictions.json", output(t, outs, "restrictions.json"))
	for k, want := range map[string]any{
		"documentsBlockManagedDocumentsInUnmanagedApps": true,
		"contactsAllowManagedToUnmanagedWrite":          false,
		"contactsAllowUnmanagedToManagedRead":           false,
	} {
		if r[k] != want {
			t.Errorf("restrictions.json %s = %v, want %v", k, r[k], want)
		}
	}
	for _, k := range []string{"documentsBlockUnmanagedDocumentsInManagedApps", "managedPasteboardRequired", "accountBlockModification"} {
		if _, ok := r[k]; ok {
			t.Errorf("restrictions.json sets %s, which the policy does not", k)
		}
	}

	d := decodeJSON(t, "outlook-devices.json", output(t, outs, "outlook-devices.json"))
	settings, _ := d["settings"].([]any)
	if len(settings) != 2 {
		t.Fatalf("outlook-devices.json has %d settings, want 2", len(settings))
	}
	for _, s := range settings {
		m := s.(map[string]any)
		if m["appConfigKeyType"] != "booleanType" || m["appConfigKeyValue"] != "false" {
			t.Errorf("outlook-devices.json setting %v, want booleanType \"false\"", m)
		}
	}
	if apps, ok := d["targetedMobileApps"].([]any); !ok || len(apps) != 0 {
		t.Errorf("outlook-devices.json targetedMobileApps = %v, want []", d["targetedMobileApps"])
	}

	if got, want := output(t, outs, "outlook-apps.json"), mustOutlookApps(t); !bytes.Equal(got, want) {
		t.Errorf("outlook-apps.json is not the Managed Apps body")
	}
}

func mustOutlookApps(t *testing.T) []byte {
	t.Helper()
	p, _ := intuneExample(t)
	data, err := policy{p}.outlookManagedApps(profiles.Options{Target: profiles.Intune})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCustomPayloadIsTheProfile(t *testing.T) {
	p, outs := intuneExample(t)
	m := decodeJSON(t, "custom.json", output(t, outs, "custom.json"))
	payload, err := base64.StdEncoding.DecodeString(m["payload"].(string))
	if err != nil {
		t.Fatalf("custom.json payload is not base64: %v", err)
	}
	want, err := p.Mobileconfig(profiles.Options{Target: profiles.Intune})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(payload, want) {
		t.Errorf("custom.json payload is not the Mobileconfig bytes")
	}
	if !bytes.Contains(payload, []byte("<string>{{mail}}</string>")) {
		t.Errorf("custom.json payload does not carry Intune tokens")
	}
	if m["payloadFileName"] != "contacts-only-eas.mobileconfig" || m["payloadName"] != "Work Contacts" {
		t.Errorf("custom.json payloadFileName/payloadName = %v / %v", m["payloadFileName"], m["payloadName"])
	}
}

func TestComplianceHasOneBlockAction(t *testing.T) {
	_, outs := intuneExample(t)
	m := decodeJSON(t, "compliance.json", output(t, outs, "compliance.json"))
	blocks := 0
	for _, rule := range m["scheduledActionsForRule"].([]any) {
		for _, a := range rule.(map[string]any)["scheduledActionConfigurations"].([]any) {
			if a.(map[string]any)["actionType"] == "block" {
				blocks++
			}
		}
	}
	if blocks != 1 {
		t.Errorf("compliance.json has %d block actions, want exactly 1", blocks)
	}
	if m["osMinimumVersion"] != "13.0" {
		t.Errorf("osMinimumVersion = %v, want 13.0", m["osMinimumVersion"])
	}
}

func TestComplianceMinimumVersion(t *testing.T) {
	for minIOS, want := range map[string]string{"": "13.0", "12.4": "13.0", "13.0": "13.0", "16.2": "16.2"} {
		src := "version: 1\nprofile:\n  name: t\n  identifier: com.example.t\n"
		if minIOS != "" {
			src += "  min_ios: \"" + minIOS + "\"\n"
		}
		p, ds := profiles.Decode("t.yaml", []byte(src+exchangeBlock("${user.email}", "${user.upn}", "[contacts]")))
		if ds.Errors() > 0 {
			t.Fatal(ds)
		}
		outs, _, err := Bundle(p, profiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := decodeJSON(t, "compliance.json", output(t, outs, "compliance.json"))
		if m["osMinimumVersion"] != want {
			t.Errorf("min_ios %q: osMinimumVersion = %v, want %s", minIOS, m["osMinimumVersion"], want)
		}
	}
}

const intuneHead = `version: 1
profile:
  name: t
  identifier: com.example.t
  display_name: Test
  min_ios: "13.0"
`

func exchangeBlock(email, username, sync string) string {
	return `exchange:
  host: outlook.office365.com
  email: ` + email + `
  username: ` + username + `
  auth: oauth
  sync: ` + sync + `
  users_can_change_sync: false
`
}

func TestEmailProfile(t *testing.T) {
	p := intunePolicy(t, intuneHead+exchangeBlock("${user.email}", "${user.shortname}", "[mail, contacts]")+"  mail_days: 14\n  prevent_move: true\n")
	outs, _, err := Bundle(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, "email.json", output(t, outs, "email.json"))
	for k, want := range map[string]any{
		"easServices":                             "email,contacts",
		"durationOfEmailToSync":                   "twoWeeks",
		"blockMovingMessagesToOtherEmailAccounts": true,
		"usernameAADSource":                       "samAccountName",
	} {
		if m[k] != want {
			t.Errorf("email.json %s = %v, want %v", k, m[k], want)
		}
	}
	for _, k := range []string{"usernameSource", "blockSendingEmailFromThirdPartyApps"} {
		if _, ok := m[k]; ok {
			t.Errorf("email.json sets %s", k)
		}
	}
}

func TestEasServicesValue(t *testing.T) {
	for _, tt := range []struct {
		sync []string
		want string
	}{
		{[]string{"mail", "contacts"}, "email,contacts"},
		{[]string{"contacts"}, "contacts"},
		{[]string{"notes", "calendars", "mail"}, "email,calendars,notes"},
		{profiles.DataTypes(), "email,contacts,calendars,reminders,notes"},
	} {
		set := map[string]bool{}
		for _, s := range tt.sync {
			set[s] = true
		}
		if got := easServicesValue(set); got != tt.want {
			t.Errorf("easServicesValue(%v) = %q, want %q", tt.sync, got, tt.want)
		}
	}
}

func TestEmailProfileRejectsWhatItCannotExpress(t *testing.T) {
	for _, tt := range []struct {
		name, src, path, msg string
	}{
		{"composite email", exchangeBlock("${user.shortname}@example.com", "${user.upn}", "[contacts]"), "exchange.email", `not "${user.shortname}@example.com"`},
		{"literal username", exchangeBlock("${user.email}", "jdoe", "[contacts]"), "exchange.username", `not "jdoe"`},
		{"shortname email", exchangeBlock("${user.shortname}", "${user.upn}", "[contacts]"), "exchange.email", "${user.email} (primarySmtpAddress) or ${user.upn} (userPrincipalName)"},
		{"variable account name", strings.Replace(exchangeBlock("${user.email}", "${user.upn}", "[contacts]"), "exchange:\n", "exchange:\n  account_name: ${user.name}\n", 1), "exchange.account_name", "fill in no variables"},
		{"variable host", strings.Replace(exchangeBlock("${user.email}", "${user.upn}", "[contacts]"), "outlook.office365.com", "${user.shortname}.example.com", 1), "exchange.host", "fill in no variables"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := profiles.Decode("t.yaml", []byte(intuneHead+tt.src))
			if ds.Errors() > 0 {
				t.Fatal(ds)
			}
			outs, warnings, err := Bundle(p, profiles.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range outs {
				if o.Name == "email.json" {
					t.Error("email.json written anyway")
				}
			}
			if warnings.Errors() > 0 || len(warnings) == 0 {
				t.Fatalf("want warnings only, got %v", warnings)
			}
			msg := warnings.String()
			for _, want := range []string{"email.json", tt.path + ": ", "Intune email profile", tt.msg, "t.yaml:"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
}

func TestFilesFollowBlocks(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string
	}{
		{"restrictions only", intuneHead + "restrictions:\n  allowOpenFromManagedToUnmanaged: false\n", []string{"custom.json", "restrictions.json", "README.md"}},
		{"exchange only", intuneHead + exchangeBlock("${user.email}", "${user.upn}", "[contacts]"), []string{"email.json", "custom.json", "compliance.json", "README.md"}},
		{"outlook only", intuneHead + "outlook:\n  save_contacts: false\n", []string{"outlook-devices.json", "outlook-apps.json", "outlook-android.json", "README.md"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			outs, _, err := Bundle(intunePolicy(t, tt.src), profiles.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := outputNames(outs); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("files are %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRestrictionsVersion(t *testing.T) {
	outs, _, err := Bundle(intunePolicy(t, intuneHead+"restrictions:\n  allowOpenFromManagedToUnmanaged: false\n  allowAccountModification: true\n"), profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, "restrictions.json", output(t, outs, "restrictions.json"))
	if m["documentsBlockManagedDocumentsInUnmanagedApps"] != true || m["accountBlockModification"] != false {
		t.Errorf("restrictions.json = %v", m)
	}
	readme := string(output(t, outs, "README.md"))
	if !strings.Contains(readme, "`POST https://graph.microsoft.com/v1.0/deviceManagement/deviceConfigurations`") {
		t.Errorf("README.md does not post v1.0-only restrictions to v1.0:\n%s", readme)
	}
	_, outs = intuneExample(t)
	if readme := string(output(t, outs, "README.md")); !strings.Contains(readme, "`contactsAllowManagedToUnmanagedWrite`, `contactsAllowUnmanagedToManagedRead` exist only in Graph beta") {
		t.Errorf("README.md does not say why restrictions.json needs beta:\n%s", readme)
	}
}

func TestOutlookAndroid(t *testing.T) {
	p := intunePolicy(t, intuneHead+"outlook:\n  save_contacts: false\n  users_can_change_save_contacts: false\n  work_accounts_only: true\n")
	outs, _, err := Bundle(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, "outlook-android.json", output(t, outs, "outlook-android.json"))
	if m["packageId"] != "app:com.microsoft.office.outlook" || m["profileApplicability"] != "default" {
		t.Errorf("outlook-android.json packageId/profileApplicability = %v / %v", m["packageId"], m["profileApplicability"])
	}
	raw, err := base64.StdEncoding.DecodeString(m["payloadJson"].(string))
	if err != nil {
		t.Fatalf("payloadJson is not base64: %v", err)
	}
	want := `{"kind":"androidenterprise#managedConfiguration","productId":"app:com.microsoft.office.outlook","managedProperty":[` +
		`{"key":"com.microsoft.outlook.Contacts.LocalSyncEnabled","valueBool":false},` +
		`{"key":"com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed","valueBool":false},` +
		`{"key":"com.microsoft.intune.mam.AllowedAccountUPNs","valueString":"{{userprincipalname}}"}]}`
	if string(raw) != want {
		t.Errorf("payloadJson decodes to\n%s\nwant\n%s", raw, want)
	}

	d := decodeJSON(t, "outlook-devices.json", output(t, outs, "outlook-devices.json"))
	var keys []string
	for _, s := range d["settings"].([]any) {
		s := s.(map[string]any)
		keys = append(keys, s["appConfigKey"].(string)+"="+s["appConfigKeyType"].(string)+":"+s["appConfigKeyValue"].(string))
	}
	if got, want := strings.Join(keys, " "), "com.microsoft.outlook.Contacts.LocalSyncEnabled=booleanType:false "+
		"com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed=booleanType:false "+
		"IntuneMAMAllowedAccountsOnly=stringType:Enabled IntuneMAMUPN=stringType:{{userprincipalname}}"; got != want {
		t.Errorf("outlook-devices.json settings\n%s\nwant\n%s", got, want)
	}
}

func TestBundleRefusesOtherTargets(t *testing.T) {
	p, _ := intuneExample(t)
	if _, _, err := Bundle(p, profiles.Options{Target: profiles.Jamf}); err == nil || !strings.Contains(err.Error(), "jamf") {
		t.Errorf("Bundle for jamf: err = %v", err)
	}
}

func TestEmailCertificate(t *testing.T) {
	src := intuneHead + strings.Replace(exchangeBlock("${user.email}", "${user.upn}", "[contacts]"), "auth: oauth", "auth: certificate\n  certificate: identity", 1) + `payloads:
  - name: identity
    type: com.apple.security.scep
    keys:
      PayloadContent:
        URL: https://scep.example.com/scep
`
	p, ds := profiles.Decode("t.yaml", []byte(src))
	if ds.Errors() > 0 {
		t.Fatal(ds)
	}
	outs, _, err := Bundle(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, "email.json", output(t, outs, "email.json"))
	if m["authenticationMethod"] != "certificate" || m["useOAuth"] != false {
		t.Errorf("email.json authenticationMethod/useOAuth = %v / %v", m["authenticationMethod"], m["useOAuth"])
	}
	if !strings.Contains(string(output(t, outs, "README.md")), "`identityCertificate`") {
		t.Errorf("README.md does not explain the identity certificate")
	}
}

// TestIntuneEmailWarnings: where email.json cannot say what the custom
// profile says, the bundle is still written and the difference is named.
func TestEmailWarnings(t *testing.T) {
	p := intunePolicy(t, intuneHead+exchangeBlock("${user.email}", "${user.shortname}", "[mail, contacts]"))
	outs, warnings, err := Bundle(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	output(t, outs, "email.json")
	got := warnings.String()
	for _, want := range []string{"exchange.username: email.json takes the user name from Entra ID's samAccountName", `exchange.sync: the Intune admin center offers only`, `"email,contacts"`} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings %q lack %q", got, want)
		}
	}
	if warnings.Errors() > 0 {
		t.Errorf("want warnings only: %v", warnings)
	}
	if _, warnings, _ := Bundle(intunePolicy(t, intuneHead+exchangeBlock("${user.email}", "${user.upn}", "[contacts]")), profiles.Options{}); len(warnings) > 0 {
		t.Errorf("the example's choices need no warning: %v", warnings)
	}
}

// readmeSections splits the bundle README into its "## file" sections.
func readmeSections(readme string) map[string]string {
	sections := map[string]string{}
	for _, part := range strings.Split(readme, "\n## ")[1:] {
		name, _, _ := strings.Cut(part, ":")
		sections[name] = part
	}
	return sections
}

// TestIntuneReadmeAdminCenter checks that the bundle README walks an admin
// through the Intune admin center for every file, not only through Graph:
// which template takes the .mobileconfig, and exactly what goes into the
// Managed Devices configuration's "Enter XML data" field.
func TestReadmeAdminCenter(t *testing.T) {
	p, outs := intuneExample(t)
	sections := readmeSections(string(output(t, outs, "README.md")))
	for _, o := range outs {
		if o.Name == "README.md" {
			continue
		}
		s, ok := sections[o.Name]
		if !ok {
			t.Errorf("README has no section for %s", o.Name)
			continue
		}
		if !strings.Contains(s, "\nIn the Intune admin center") || !strings.Contains(s, "\nWith Microsoft Graph") {
			t.Errorf("README section %s does not give both the admin center and the Graph steps:\n%s", o.Name, s)
		}
	}
	want := map[string][]string{
		"email.json":           {"**Templates** > **Email**", "**Email server**: `outlook.office365.com`", "**Exchange data to sync**: **Contacts only**", "**Allow users to change sync settings**: **No**", "**OAuth**: **Enable**"},
		"custom.json":          {"**Templates** > **Custom**", "**Configuration profile file**: upload `../contacts-only-eas.mobileconfig`", "not the signed"},
		"restrictions.json":    {"**Templates** > **Device restrictions**", "**Block viewing corporate documents in unmanaged apps**: **Yes**"},
		"outlook-devices.json": {"**Apps** > **Manage apps** > **Configuration** > **Create** > **Managed devices**", "**Enter XML data**", "only the `<dict>…</dict>`", "../contacts-only-eas.outlook.plist"},
		"outlook-apps.json":    {"**Apps** > **Manage apps** > **Configuration** > **Create** > **Managed apps**", "**General configuration settings**", "`com.microsoft.outlook.Contacts.LocalSyncEnabled` = `false`"},
		"outlook-android.json": {"**Android Enterprise**", "`com.microsoft.outlook.Contacts.LocalSyncEnabled`"},
		"compliance.json":      {"**Compliance**", "**Minimum OS version**: `13.0`"},
	}
	for file, phrases := range want {
		for _, phrase := range phrases {
			if !strings.Contains(sections[file], phrase) {
				t.Errorf("README section %s lacks %q", file, phrase)
			}
		}
	}

	// The XML to paste is the plist's <dict>, exactly: what the README shows
	// is what the .outlook.plist beside the bundle holds.
	plistData, err := p.OutlookManagedDevices(profiles.Options{Target: profiles.Intune})
	if err != nil {
		t.Fatal(err)
	}
	s := string(plistData)
	dict := s[strings.Index(s, "<dict>") : strings.LastIndex(s, "</dict>")+len("</dict>")]
	if !strings.Contains(sections["outlook-devices.json"], "```xml\n"+dict+"\n```") {
		t.Errorf("README section outlook-devices.json does not show the plist's <dict> to paste:\n%s\nwant:\n%s", sections["outlook-devices.json"], dict)
	}
}

// TestExampleOutlookLock: the Managed Apps body locks Save Contacts off as
// the example's NAME.outlook.plist does.
func TestExampleOutlookLock(t *testing.T) {
	s := string(mustOutlookApps(t))
	for _, key := range []string{"com.microsoft.outlook.Contacts.LocalSyncEnabled", "com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed"} {
		re := regexp.MustCompile(`"name": "` + regexp.QuoteMeta(key) + `",\s*"value": "false"`)
		if !re.MatchString(s) {
			t.Errorf("outlook-apps.json does not set %s to false", key)
		}
	}
}

func TestBundleMarksSecrets(t *testing.T) {
	head := "version: 1\nprofile: {name: t, identifier: com.example.t, min_ios: \"13.0\"}\n"
	exchange := func(auth string) string {
		return "exchange:\n  host: outlook.office365.com\n  email: ${user.email}\n  username: ${user.upn}\n  auth: " + auth + "\n" +
			"  sync: [contacts]\n  users_can_change_sync: false\n"
	}
	for _, tc := range []struct {
		name, src string
		secret    bool
	}{
		{"oauth", head + exchange("oauth"), false},
		{"eas password", head + exchange("password") + "  password: hunter2\n", true},
		{"pkcs12", head + "payloads:\n  - name: id\n    type: com.apple.security.pkcs12\n    keys:\n      PayloadContent: !!binary c2VjcmV0\n      Password: p12-pass\n", true},
		{"empty password", head + "payloads:\n  - name: w\n    type: com.apple.wifi.managed\n    keys:\n      SSID_STR: office\n      Password: \"\"\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := intunePolicy(t, tc.src)
			bundle, _, err := Bundle(p, profiles.Options{})
			if err != nil {
				t.Fatal(err)
			}
			objs, _, err := Objects(p, profiles.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range bundle {
				want := tc.secret && o.Name == "custom.json"
				if o.Secret != want {
					t.Errorf("%s: Secret = %v, want %v", o.Name, o.Secret, want)
				}
				if i < len(objs) && objs[i].Secret != want {
					t.Errorf("Objects: %s: Secret = %v, want %v", objs[i].File, objs[i].Secret, want)
				}
			}
		})
	}
}

// TestObjectsAreTheBundle: deploy POSTs what build writes, byte for byte,
// to the collection the README names.
func TestObjectsAreTheBundle(t *testing.T) {
	p, outs := intuneExample(t)
	objs, warnings, err := Objects(p, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, bundleWarnings, _ := Bundle(p, profiles.Options{})
	if warnings.String() != bundleWarnings.String() {
		t.Errorf("Objects warns %v, Bundle %v", warnings, bundleWarnings)
	}
	if len(objs) != len(outs)-1 {
		t.Fatalf("%d objects for %d bundle files", len(objs), len(outs))
	}
	readme := string(output(t, outs, "README.md"))
	for i, o := range objs {
		if o.File != outs[i].Name || !bytes.Equal(o.Body, outs[i].Data) {
			t.Errorf("object %d is %s, bundle file %s: bodies differ", i, o.File, outs[i].Name)
		}
		if !strings.Contains(readme, "## "+o.File+": "+o.Title+"\n") {
			t.Errorf("README.md has no section titled %s: %s", o.File, o.Title)
		}
		if !strings.Contains(readme, "`POST "+o.URL()+"`") {
			t.Errorf("README.md does not POST %s to %s", o.File, o.URL())
		}
	}
}
