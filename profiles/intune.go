package profiles

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The Intune bundle: the Microsoft Graph request bodies that create a
// policy's objects in Intune. Property names and shapes were checked against
// Microsoft's Graph reference (microsoftgraph/microsoft-graph-docs-contrib,
// api-reference/{beta,v1.0}/resources/intune-*.md) and against requests the
// Intune admin center sends; docs/intune.md says what each file is for.

const graphRoot = "https://graph.microsoft.com/"

// Outlook's Android Enterprise identifiers as Intune writes them: the
// managed Google Play product id ("app:" + package name) in packageId and
// in the managed configuration's productId. Source: a request body the
// Intune admin center sent (deploymenttheory/terraform-provider-microsoft365,
// internal/services/resources/device_and_app_management/graph_beta/
// android_managed_device_app_configuration_policy/create_req.md) and a tenant
// export of an Outlook policy (…/graph_beta/mobile_app_configuration/
// resource_docs/create.req.md).
const outlookAndroidProductID = "app:" + OutlookAndroidPackageID

// outlookIOSAppStoreBundleID is Outlook for iOS's App Store bundle id, the
// bundleId of its Intune mobileApp object (Intune's app-protection objects
// spell it in lower case; see OutlookIOSBundleID).
const outlookIOSAppStoreBundleID = "com.microsoft.Office.Outlook"

// intuneMinIOS is the oldest iOS that honours the Exchange account's
// data-type choice and locks.
const intuneMinIOS = "13.0"

// intuneFile is one file of the bundle and how it is deployed.
type intuneFile struct {
	name     string
	title    string
	endpoint string // path under the Graph version, e.g. deviceManagement/deviceConfigurations
	beta     bool   // some property exists only in Graph beta
	betaWhy  string
	before   []string // steps before the POST
	after    []string // steps after it
	// portal is the same object clicked together in the Intune admin
	// center, step by step, and portalXML a block of XML to paste there.
	portal    []string
	portalXML string
	data      []byte
	notes     Diagnostics // warnings about what the file cannot say as the profile does
}

// IntuneBundle returns the Microsoft Graph request bodies that create the
// policy's objects in Intune, plus a README.md saying where each is POSTed
// and what to do next. Names are relative to the bundle's folder:
//
//   - email.json: the native Exchange email profile (exchange);
//   - custom.json: the .mobileconfig as a custom iOS profile (exchange,
//     restrictions or payloads);
//   - restrictions.json: Intune's device restrictions equivalent of the
//     restrictions block;
//   - outlook-devices.json, outlook-apps.json, outlook-android.json: the
//     Outlook app configurations for iOS managed devices, Intune managed
//     apps and Android Enterprise (outlook);
//   - compliance.json: an iOS compliance policy requiring the iOS version
//     the Exchange account's data-type locks need (exchange).
//
// variables are written as Intune tokens whatever the policy's target; a
// non-Intune opts.Target is an error. Intune's email profile takes no
// tokens, so an exchange email or username must be exactly ${user.email}
// or ${user.upn} (or ${user.shortname} for the username). Like Build, IntuneBundle does not validate.
//
// When Intune's native email profile cannot express the exchange block (a
// composite email address, a password, OAuth URLs), email.json is left out
// and the returned warnings say why; the custom profile carries the
// account in any case.
func (p *Policy) IntuneBundle(opts Options) ([]Output, Diagnostics, error) {
	if opts.Target != "" && opts.Target != Intune {
		return nil, nil, fmt.Errorf("%s: the Intune bundle writes variables as Intune tokens; it cannot be built for target %s", p.Profile.Name, opts.Target)
	}
	opts.Target = Intune
	hasProfile := p.Exchange != nil || p.Restrictions != nil || len(p.Payloads) > 0
	steps := []struct {
		when  bool
		build func() (intuneFile, error)
	}{
		{p.Exchange != nil, p.intuneEmail},
		{hasProfile, func() (intuneFile, error) { return p.intuneCustom(opts) }},
		{p.Restrictions != nil, p.intuneRestrictions},
		{p.Outlook != nil, p.intuneOutlookDevices},
		{p.Outlook != nil, func() (intuneFile, error) { return p.intuneOutlookApps(opts) }},
		{p.Outlook != nil, p.intuneOutlookAndroid},
		{p.Exchange != nil, p.intuneCompliance},
	}
	var files []intuneFile
	var warnings Diagnostics
	for _, s := range steps {
		if !s.when {
			continue
		}
		f, err := s.build()
		var sk *skipped
		if errors.As(err, &sk) {
			warnings = append(warnings, sk.why...)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, f.notes...)
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, warnings, nil
	}
	outs := make([]Output, 0, len(files)+1)
	for _, f := range files {
		if !json.Valid(f.data) {
			return nil, nil, fmt.Errorf("%s: intune %s is not valid JSON", p.Profile.Name, f.name)
		}
		// custom.json carries the profile, its secrets included, in base64.
		outs = append(outs, Output{Name: f.name, Data: f.data, Secret: f.name == "custom.json" && p.HoldsSecret()})
	}
	readme, err := p.intuneReadme(files)
	if err != nil {
		return nil, nil, err
	}
	return append(outs, Output{Name: "README.md", Data: readme}), warnings, nil
}

// skipped is a file of the bundle that cannot express the policy; the
// rest of the bundle (the custom profile carries everything) is still
// written.
type skipped struct{ why Diagnostics }

func (s *skipped) Error() string { return s.why.String() }

// encodeJSON writes a JSON document as every mdmforge output has it:
// 2-space indent, HTML characters as they are, one trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// intuneName is the display name of one of the bundle's objects.
func (p *Policy) intuneName(suffix string) (string, error) {
	return render(firstNonEmpty(p.Profile.DisplayName, p.Profile.Name)+" – "+suffix, Intune)
}

// intuneHead renders the display name and description every object has.
func (p *Policy) intuneHead(file, suffix string) (name, desc string, err error) {
	if name, err = p.intuneName(suffix); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: profile.display_name: %w", p.Profile.Name, file, err)
	}
	if desc, err = render(p.Profile.Description, Intune); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: profile.description: %w", p.Profile.Name, file, err)
	}
	return name, desc, nil
}

// assignStep is the follow-up that assigns an object created in collection;
// the README explains the body once.
func assignStep(collection string) string {
	return "Assign: `POST " + collection + "/{id}/assign`."
}

// The admin center's menus, as Microsoft's Intune documentation names them
// (MicrosoftDocs/memdocs: configuration/custom-settings-ios.md,
// configuration/email-settings-ios.md, apps/app-configuration-policies-use-ios.md,
// apps/app-configuration-policies-managed-app.md).
const (
	portalNewProfile   = "**Devices** > **Manage devices** > **Configuration** > **Create** > **New policy**"
	portalNewAppConfig = "**Apps** > **Manage apps** > **Configuration** > **Create**"
)

// portalProfileSteps opens a device configuration profile of an iOS template
// and names it.
func portalProfileSteps(template, name string) []string {
	return []string{
		"Go to " + portalNewProfile + ", choose **Platform**: **iOS/iPadOS** and **Profile type**: **Templates** > **" + template + "**, then **Create**.",
		"**Basics**: **Name**: `" + name + "`.",
	}
}

// portalAssign is the admin center's last page for every object.
func portalAssign(whom string) string {
	return "**Assignments**: add " + whom + "; then **Review + create** > **Create**."
}

// portalSettings lists app configuration keys and values as the admin
// center's key/value designers take them.
func portalSettings(settings []Setting) ([]string, error) {
	var lines []string
	for _, s := range settings {
		v, err := renderTree(s.Value, Intune)
		if err != nil {
			return nil, err
		}
		lines = append(lines, "- `"+s.Key+"` = `"+settingText(v)+"`")
	}
	return lines, nil
}

// dictXML is the <dict>…</dict> of an encoded property list: what
// Intune's "Enter XML data" field takes (Microsoft's example format for it
// is a bare <dict>).
func dictXML(data []byte) string {
	s := string(data)
	start, end := strings.Index(s, "<dict>"), strings.LastIndex(s, "</dict>")
	if start < 0 || end < start {
		return ""
	}
	return s[start : end+len("</dict>")]
}

func enableDisable(b bool) string {
	if b {
		return "**Enable**"
	}
	return "**Disable**"
}

func yesNo(b bool) string {
	if b {
		return "**Yes**"
	}
	return "**No**"
}

// yesOrNotConfigured is how a restrictions setting reads in the admin
// center: Yes sets it, Not configured leaves Apple's default.
func yesOrNotConfigured(b *bool) string {
	if b != nil && *b {
		return "**Yes**"
	}
	return "**Not configured**"
}

// --- email.json ---------------------------------------------------------------

type graphEasEmailProfile struct {
	ODataType                               string `json:"@odata.type"`
	DisplayName                             string `json:"displayName"`
	Description                             string `json:"description"`
	AccountName                             string `json:"accountName"`
	HostName                                string `json:"hostName"`
	AuthenticationMethod                    string `json:"authenticationMethod"`
	UseOAuth                                bool   `json:"useOAuth"`
	RequireSsl                              bool   `json:"requireSsl"`
	EmailAddressSource                      string `json:"emailAddressSource"`
	UsernameSource                          string `json:"usernameSource,omitempty"`
	UsernameAADSource                       string `json:"usernameAADSource"`
	EasServices                             string `json:"easServices"`
	EasServicesUserOverrideEnabled          bool   `json:"easServicesUserOverrideEnabled"`
	DurationOfEmailToSync                   string `json:"durationOfEmailToSync,omitempty"`
	BlockMovingMessagesToOtherEmailAccounts *bool  `json:"blockMovingMessagesToOtherEmailAccounts,omitempty"`
	BlockSendingEmailFromThirdPartyApps     *bool  `json:"blockSendingEmailFromThirdPartyApps,omitempty"`
}

// emailSyncDurations maps mail_days onto Graph's emailSyncDuration.
var emailSyncDurations = map[int]string{
	0: "unlimited", 1: "oneDay", 3: "threeDays", 7: "oneWeek", 14: "twoWeeks", 31: "oneMonth",
}

// attributeSources are the Entra ID attributes an Intune email profile can
// fill in, by the variable that stands for each: emailAddressSource and
// usernameSource (userEmailSource) take the first two, usernameAADSource
// (usernameSource) all three. ${user.shortname} is the UPN's prefix while
// samAccountName is the on-premises account name synced from Active
// Directory; they are usually, not always, the same.
var attributeSources = map[string]string{
	"${user.email}":     "primarySmtpAddress",
	"${user.upn}":       "userPrincipalName",
	"${user.shortname}": "samAccountName",
}

// easServicesValue writes sync data types as Graph's easServices, an OData
// flags enum: member names joined by commas (OData JSON Format 4.01, 7.1),
// in the order email, contacts, calendars, reminders, notes.
func easServicesValue(sync map[string]bool) string {
	var names []string
	for _, t := range dataTypes {
		if sync[t] {
			if t == "mail" {
				t = "email"
			}
			names = append(names, t)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// usesVariables reports whether s refers to a variable.
// intuneOffersServices reports whether the admin center offers this choice
// of data types; only those are known to be accepted (research: microsoft.md
// 2b, "Intune UI only offers").
func intuneOffersServices(sync map[string]bool) bool {
	key := easServicesValue(sync)
	for _, offered := range []string{"email,contacts,calendars,reminders,notes", "email", "calendars", "contacts,calendars", "contacts"} {
		if key == offered {
			return true
		}
	}
	return false
}

func usesVariables(s string) bool {
	used := false
	expand(s, func(Variable) (string, error) { used = true; return "", nil })
	return used
}

func (p *Policy) intuneEmail() (intuneFile, error) {
	const file = "email.json"
	e := p.Exchange
	var skip Diagnostics
	fail := func(path, format string, args ...any) {
		skip = append(skip, p.warnf(path, "%s; %s not written", fmt.Sprintf(format, args...), file))
	}
	orCustom := "deploy " + p.Profile.Name + ".mobileconfig as an Intune custom profile, which takes any value"
	literal := func(path, s string) string {
		if usesVariables(s) {
			fail(path, "Intune email profiles fill in no variables; write the value itself, or %s", orCustom)
			return ""
		}
		out, _ := render(s, Intune) // no variables: only unescapes $${
		return out
	}
	source := func(path, s string, allowed ...string) string {
		if src, ok := attributeSources[s]; ok && slices.Contains(allowed, src) {
			return src
		}
		var vars []string
		for v, src := range attributeSources {
			if slices.Contains(allowed, src) {
				vars = append(vars, fmt.Sprintf("%s (%s)", v, src))
			}
		}
		sort.Strings(vars)
		what := fmt.Sprintf("%q", s)
		if s == "" {
			what = "nothing"
		}
		fail(path, "Intune email profiles fill this in from an Entra ID attribute, so it must be exactly %s, not %s; use one of those, or %s",
			orList(vars), what, orCustom)
		return ""
	}

	accountPath := "exchange.account_name"
	if e.AccountName == "" {
		accountPath = "profile.display_name"
	}
	body := graphEasEmailProfile{
		ODataType:                               "#microsoft.graph.iosEasEmailProfileConfiguration",
		AccountName:                             literal(accountPath, firstNonEmpty(e.AccountName, p.Profile.DisplayName, p.Profile.Name)),
		HostName:                                literal("exchange.host", e.Host),
		UseOAuth:                                e.Auth == "oauth",
		RequireSsl:                              e.SSL == nil || *e.SSL,
		EasServices:                             easServicesValue(e.syncSet()),
		EasServicesUserOverrideEnabled:          e.UsersCanChangeSync == nil || *e.UsersCanChangeSync,
		BlockMovingMessagesToOtherEmailAccounts: e.PreventMove,
		BlockSendingEmailFromThirdPartyApps:     e.PreventAppSheet,
	}
	if e.Host == "" {
		fail("exchange.host", "Intune email profiles need the Exchange host name")
	}
	// Microsoft: with OAuth, choose "Username and password" unless the OAuth
	// server itself uses certificate authentication.
	body.AuthenticationMethod = "usernameAndPassword"
	if e.Auth == "certificate" {
		body.AuthenticationMethod = "certificate"
	}
	if e.Auth == "password" && e.Password != "" {
		fail("exchange.password", "Intune email profiles carry no password (users enter theirs on the device); remove it, or %s", orCustom)
	}
	if o := e.OAuth; e.Auth == "oauth" && o != nil && (o.SignInURL != "" || o.TokenRequestURL != "") {
		fail("exchange.oauth", "Intune email profiles have no OAuth sign-in or token URL; remove them, or %s", orCustom)
	}
	body.EmailAddressSource = source("exchange.email", e.Email, "primarySmtpAddress", "userPrincipalName")
	body.UsernameAADSource = source("exchange.username", e.Username, "primarySmtpAddress", "userPrincipalName", "samAccountName")
	if src := attributeSources[e.Username]; src != "samAccountName" {
		body.UsernameSource = src
	}
	if e.MailDays != nil {
		d, ok := emailSyncDurations[*e.MailDays]
		if !ok {
			fail("exchange.mail_days", "%d has no Intune equivalent", *e.MailDays)
		}
		body.DurationOfEmailToSync = d
	}
	var err error
	if body.DisplayName, body.Description, err = p.intuneHead(file, "Email"); err != nil {
		return intuneFile{}, err
	}
	if len(skip) > 0 {
		return intuneFile{}, &skipped{skip}
	}
	data, err := encodeJSON(body)
	var notes Diagnostics
	if attributeSources[e.Username] == "samAccountName" {
		notes = append(notes, p.warnf("exchange.username", "email.json takes the user name from Entra ID's samAccountName, which usually but not always equals ${user.shortname} ({{partialupn}}) in custom.json"))
	}
	if !intuneOffersServices(e.syncSet()) {
		notes = append(notes, p.warnf("exchange.sync", "the Intune admin center offers only all data, mail, calendars, calendars and contacts, or contacts; email.json asks for %q, which Graph may refuse", body.EasServices))
	}
	f := intuneFile{
		notes:  notes,
		portal: emailPortal(body),
		name:   file, title: "Exchange email profile (iosEasEmailProfileConfiguration)",
		endpoint: "deviceManagement/deviceConfigurations",
		beta:     true, betaWhy: "the iOS email profile exists only in Graph beta",
		after: []string{
			assignStep("https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations") +
				" Assign email profiles to user groups; Intune may not deliver them to device groups.",
			"Intune fills the address in from Entra ID (`emailAddressSource`) and the user name from `usernameAADSource`; the profile holds no tokens.",
			"Changing the profile later installs it again, and users sign in again.",
		},
		data: data,
	}
	if e.Auth == "certificate" {
		f.after = append(f.after, "Certificate authentication: set the profile's identity certificate (the `identityCertificate` relationship) to your tenant's SCEP or PKCS certificate profile, in the Intune admin center or through Graph; it is tenant-specific, so the file cannot name it. The certificate payload named by `exchange.certificate` travels only in custom.json.")
	}
	return f, err
}

// Admin center labels for email.json's values (Intune "Add e-mail settings
// for iOS and iPadOS devices", MicrosoftDocs/memdocs
// configuration/email-settings-ios.md).
var (
	portalAttributes = map[string]string{
		"userPrincipalName":  "User principal name",
		"primarySmtpAddress": "Primary SMTP address",
		"samAccountName":     "sAM Account Name",
	}
	portalAuthMethods = map[string]string{
		"usernameAndPassword": "Username and password",
		"certificate":         "Certificate",
	}
	portalServices = map[string]string{
		"email,contacts,calendars,reminders,notes": "All data",
		"email":              "Email only",
		"calendars":          "Calendar only",
		"contacts,calendars": "Calendar and Contacts only",
		"contacts":           "Contacts only",
	}
	portalSyncDurations = map[string]string{
		"unlimited": "Unlimited", "oneDay": "One day", "threeDays": "Three days",
		"oneWeek": "One week", "twoWeeks": "Two weeks", "oneMonth": "One month",
	}
)

func emailPortal(b graphEasEmailProfile) []string {
	services := "**" + portalServices[b.EasServices] + "**"
	if portalServices[b.EasServices] == "" {
		services = "not offered by the admin center for `" + b.EasServices + "`; create this profile with Graph, or deploy custom.json instead"
	}
	steps := append(portalProfileSteps("Email", b.DisplayName),
		"**Configuration settings**:",
		"- **Email server**: `"+b.HostName+"`",
		"- **Account name**: `"+b.AccountName+"`",
		"- **Username attribute from Microsoft Entra ID**: **"+portalAttributes[b.UsernameAADSource]+"**",
		"- **Email address attribute from Microsoft Entra ID**: **"+portalAttributes[b.EmailAddressSource]+"**",
		"- **Authentication method**: **"+portalAuthMethods[b.AuthenticationMethod]+"**",
		"- **SSL**: "+enableDisable(b.RequireSsl),
		"- **OAuth**: "+enableDisable(b.UseOAuth),
		"- **Exchange data to sync**: "+services,
		"- **Allow users to change sync settings**: "+yesNo(b.EasServicesUserOverrideEnabled),
	)
	if b.AuthenticationMethod == "certificate" {
		steps = append(steps, "- the identity certificate: your tenant's SCEP or PKCS certificate profile")
	}
	if d := b.DurationOfEmailToSync; d != "" {
		steps = append(steps, "- **Amount of email to synchronize**: **"+portalSyncDurations[d]+"**")
	}
	if m := b.BlockMovingMessagesToOtherEmailAccounts; m != nil {
		steps = append(steps, "- **Allow messages to be moved to other email accounts**: "+enableDisable(!*m))
	}
	if s := b.BlockSendingEmailFromThirdPartyApps; s != nil {
		steps = append(steps, "- **Allow email to be sent from third-party applications**: "+enableDisable(!*s))
	}
	return append(steps, portalAssign("user groups (Intune may not deliver email profiles to device groups)"))
}

// --- custom.json --------------------------------------------------------------

type graphIOSCustomConfiguration struct {
	ODataType       string `json:"@odata.type"`
	DisplayName     string `json:"displayName"`
	Description     string `json:"description"`
	PayloadName     string `json:"payloadName"`
	PayloadFileName string `json:"payloadFileName"`
	Payload         string `json:"payload"`
}

func (p *Policy) intuneCustom(opts Options) (intuneFile, error) {
	const file = "custom.json"
	profile, err := p.Mobileconfig(opts)
	if err != nil {
		return intuneFile{}, err
	}
	name, desc, err := p.intuneHead(file, "Custom profile")
	if err != nil {
		return intuneFile{}, err
	}
	payloadName, err := render(firstNonEmpty(p.Profile.DisplayName, p.Profile.Name), Intune)
	if err != nil {
		return intuneFile{}, fmt.Errorf("%s: intune %s: profile.display_name: %w", p.Profile.Name, file, err)
	}
	data, err := encodeJSON(graphIOSCustomConfiguration{
		ODataType:       "#microsoft.graph.iosCustomConfiguration",
		DisplayName:     name,
		Description:     desc,
		PayloadName:     payloadName,
		PayloadFileName: p.Profile.Name + ".mobileconfig",
		Payload:         base64.StdEncoding.EncodeToString(profile),
	})
	portal := append(portalProfileSteps("Custom", name),
		"**Configuration settings**: **Custom configuration profile name**: `"+payloadName+"` (devices show it); "+
			"**Configuration profile file**: upload `../"+p.Profile.Name+".mobileconfig`, the unsigned profile, not the signed `"+p.Profile.Name+".signed.mobileconfig`: "+
			"Intune fills in its `{{tokens}}` for each user and device, which a signature forbids. Intune takes files of up to 1,000,000 bytes.",
		portalAssign("the user groups that get the account"))
	return intuneFile{
		portal: portal,
		name:   file, title: "custom iOS profile carrying the .mobileconfig (iosCustomConfiguration)",
		endpoint: "deviceManagement/deviceConfigurations",
		after: []string{
			assignStep("https://graph.microsoft.com/v1.0/deviceManagement/deviceConfigurations"),
			"`payload` is the unsigned " + p.Profile.Name + ".mobileconfig, base64-encoded; Intune replaces its `{{tokens}}` for each user and device when it delivers it.",
		},
		data: data,
	}, err
}

// --- restrictions.json --------------------------------------------------------

type graphIOSGeneralDeviceConfiguration struct {
	ODataType                                     string `json:"@odata.type"`
	DisplayName                                   string `json:"displayName"`
	Description                                   string `json:"description"`
	DocumentsBlockManagedDocumentsInUnmanagedApps *bool  `json:"documentsBlockManagedDocumentsInUnmanagedApps,omitempty"`
	DocumentsBlockUnmanagedDocumentsInManagedApps *bool  `json:"documentsBlockUnmanagedDocumentsInManagedApps,omitempty"`
	ContactsAllowManagedToUnmanagedWrite          *bool  `json:"contactsAllowManagedToUnmanagedWrite,omitempty"`
	ContactsAllowUnmanagedToManagedRead           *bool  `json:"contactsAllowUnmanagedToManagedRead,omitempty"`
	ManagedPasteboardRequired                     *bool  `json:"managedPasteboardRequired,omitempty"`
	AccountBlockModification                      *bool  `json:"accountBlockModification,omitempty"`
}

func not(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := !*b
	return &v
}

// intuneRestrictions maps the restrictions block onto iosGeneralDeviceConfiguration.
// The property names are in Graph's beta reference (intune-deviceconfig-
// iosgeneraldeviceconfiguration.md, 2024-08-01); the v1.0 page lacks the two
// contacts properties and managedPasteboardRequired.
func (p *Policy) intuneRestrictions() (intuneFile, error) {
	const file = "restrictions.json"
	r := p.Restrictions
	name, desc, err := p.intuneHead(file, "Restrictions")
	if err != nil {
		return intuneFile{}, err
	}
	body := graphIOSGeneralDeviceConfiguration{
		ODataType:   "#microsoft.graph.iosGeneralDeviceConfiguration",
		DisplayName: name,
		Description: desc,
		DocumentsBlockManagedDocumentsInUnmanagedApps: not(r.AllowOpenFromManagedToUnmanaged),
		DocumentsBlockUnmanagedDocumentsInManagedApps: not(r.AllowOpenFromUnmanagedToManaged),
		ContactsAllowManagedToUnmanagedWrite:          r.AllowManagedToWriteUnmanagedContacts,
		ContactsAllowUnmanagedToManagedRead:           r.AllowUnmanagedToReadManagedContacts,
		ManagedPasteboardRequired:                     r.RequireManagedPasteboard,
		AccountBlockModification:                      not(r.AllowAccountModification),
	}
	var betaOnly []string
	for _, x := range []struct {
		set  *bool
		name string
	}{
		{r.AllowManagedToWriteUnmanagedContacts, "contactsAllowManagedToUnmanagedWrite"},
		{r.AllowUnmanagedToReadManagedContacts, "contactsAllowUnmanagedToManagedRead"},
		{r.RequireManagedPasteboard, "managedPasteboardRequired"},
	} {
		if x.set != nil {
			betaOnly = append(betaOnly, "`"+x.name+"`")
		}
	}
	portal := append(portalProfileSteps("Device restrictions", name), "**Configuration settings**, under **App Store, Doc Viewing, Gaming** (**Not configured** leaves Apple's default):")
	for _, x := range []struct {
		set   *bool
		label string
	}{
		{body.DocumentsBlockManagedDocumentsInUnmanagedApps, "Block viewing corporate documents in unmanaged apps"},
		{body.DocumentsBlockUnmanagedDocumentsInManagedApps, "Block viewing non-corporate documents in corporate apps"},
		{body.ContactsAllowManagedToUnmanagedWrite, "Allow managed apps to write contacts to unmanaged contacts accounts"},
		{body.ContactsAllowUnmanagedToManagedRead, "Allow unmanaged apps to read from managed contacts accounts"},
		{body.ManagedPasteboardRequired, "Allow copy/paste to be affected by managed open-in"},
	} {
		if x.set != nil {
			portal = append(portal, "- **"+x.label+"**: "+yesOrNotConfigured(x.set))
		}
	}
	if b := body.AccountBlockModification; b != nil {
		v := "**Not configured**"
		if *b {
			v = "**Block**"
		}
		portal = append(portal, "- under **General**, **Account modification**: "+v+" (supervised devices)")
	}
	portal = append(portal, portalAssign("the user or device groups"))
	data, err := encodeJSON(body)
	f := intuneFile{
		portal: portal,
		name:   file, title: "device restrictions (iosGeneralDeviceConfiguration)",
		endpoint: "deviceManagement/deviceConfigurations",
		after: []string{
			"", // the assign step, once the version is known
			"Intune's `…Block…` properties set to `false` mean *Not configured*, which is Apple's default.",
		},
		data: data,
	}
	if len(betaOnly) > 0 {
		f.beta = true
		f.betaWhy = strings.Join(betaOnly, ", ") + " exist only in Graph beta"
	}
	f.after[0] = assignStep(graphRoot + f.version() + "/deviceManagement/deviceConfigurations")
	return f, err
}

func (f intuneFile) version() string {
	if f.beta {
		return "beta"
	}
	return "v1.0"
}

// --- outlook-devices.json -----------------------------------------------------

type graphAppConfigurationSetting struct {
	AppConfigKey      string `json:"appConfigKey"`
	AppConfigKeyType  string `json:"appConfigKeyType"`
	AppConfigKeyValue string `json:"appConfigKeyValue"`
}

type graphIOSMobileAppConfiguration struct {
	ODataType          string                         `json:"@odata.type"`
	DisplayName        string                         `json:"displayName"`
	Description        string                         `json:"description"`
	TargetedMobileApps []string                       `json:"targetedMobileApps"`
	Settings           []graphAppConfigurationSetting `json:"settings"`
}

// intuneOutlookHead is the display name and description of the Outlook app
// configurations, named after the Managed Apps one.
func (p *Policy) intuneOutlookHead(file, suffix string) (name, desc string, err error) {
	if name, err = render(p.outlookDisplayName()+" – "+suffix, Intune); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: outlook.display_name: %w", p.Profile.Name, file, err)
	}
	if desc, err = render(p.Profile.Description, Intune); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: profile.description: %w", p.Profile.Name, file, err)
	}
	return name, desc, nil
}

func (p *Policy) intuneOutlookDevices() (intuneFile, error) {
	const file = "outlook-devices.json"
	name, desc, err := p.intuneOutlookHead(file, "iOS managed devices")
	if err != nil {
		return intuneFile{}, err
	}
	body := graphIOSMobileAppConfiguration{
		ODataType:          "#microsoft.graph.iosMobileAppConfiguration",
		DisplayName:        name,
		Description:        desc,
		TargetedMobileApps: []string{},
		Settings:           []graphAppConfigurationSetting{},
	}
	for _, s := range p.OutlookSettings(false) {
		item := graphAppConfigurationSetting{AppConfigKey: s.Key}
		switch v := s.Value.(type) {
		case bool:
			item.AppConfigKeyType, item.AppConfigKeyValue = "booleanType", settingText(v)
		case string:
			// Intune's own exports keep tokens in stringType values.
			item.AppConfigKeyType = "stringType"
			if item.AppConfigKeyValue, err = render(v, Intune); err != nil {
				return intuneFile{}, fmt.Errorf("%s: intune %s: %s: %w", p.Profile.Name, file, s.Key, err)
			}
		default:
			return intuneFile{}, fmt.Errorf("%s: intune %s: %s has a value of type %T", p.Profile.Name, file, s.Key, s.Value)
		}
		body.Settings = append(body.Settings, item)
	}
	xml, err := p.OutlookManagedDevices(Options{Target: Intune})
	if err != nil {
		return intuneFile{}, err
	}
	portal := []string{
		"Go to " + portalNewAppConfig + " > **Managed devices**.",
		"**Basics**: **Name**: `" + name + "`; **Platform**: **iOS/iPadOS**; **Targeted app**: **Select app** > Outlook (added to Intune as an App Store or VPP app first).",
		"**Settings**: **Configuration settings format**: **Enter XML data**, and paste only the `<dict>…</dict>` of `../" + p.Profile.Name + ".outlook.plist`, shown below: " +
			"not the `<?xml …?>`, `<!DOCTYPE …>` and `<plist>` lines around it, as Microsoft's example format for this field is a bare `<dict>`. " +
			"(Or choose **Use configuration designer** and add each key with the type and value `settings` gives it in this file.)",
		portalAssign("the user groups that use Outlook"),
	}
	data, err := encodeJSON(body)
	return intuneFile{
		portal: portal, portalXML: dictXML(xml),
		name: file, title: "Managed Devices app configuration for Outlook for iOS (iosMobileAppConfiguration)",
		endpoint: "deviceAppManagement/mobileAppConfigurations",
		before: []string{
			"put the Intune id of Outlook for iOS in `targetedMobileApps` (Outlook must have been added to Intune as an App Store or VPP app). List the candidates with " +
				"`GET https://graph.microsoft.com/v1.0/deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.iosStoreApp') or isof('microsoft.graph.iosVppApp')` " +
				"and take the `id` of the one whose `bundleId` is `" + outlookIOSAppStoreBundleID + "` (compare without case).",
		},
		after: []string{
			assignStep("https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations"),
			"Keep one Managed Devices configuration for Outlook per user: Intune does not resolve two that set the same key.",
		},
		data: data,
	}, err
}

// --- outlook-apps.json --------------------------------------------------------

func (p *Policy) intuneOutlookApps(opts Options) (intuneFile, error) {
	data, err := p.OutlookManagedApps(opts)
	if err != nil {
		return intuneFile{}, err
	}
	var body graphTargetedManagedAppConfiguration
	if err := json.Unmarshal(data, &body); err != nil {
		return intuneFile{}, err
	}
	portal := []string{
		"Go to " + portalNewAppConfig + " > **Managed apps**.",
		"**Basics**: **Name**: `" + body.DisplayName + "`; **Target policy to**: **Selected apps**; **Select public apps**: Outlook, for iOS/iPadOS and for Android.",
		"**Settings**: under **General configuration settings**, add each name and value:",
	}
	for _, s := range body.CustomSettings {
		portal = append(portal, "- `"+s.Name+"` = `"+s.Value+"`")
	}
	portal = append(portal, portalAssign("the user groups whose work accounts Outlook signs in"))
	return intuneFile{
		portal: portal,
		name:   "outlook-apps.json", title: "Managed Apps app configuration for Outlook for iOS and Android (targetedManagedAppConfiguration)",
		endpoint: "deviceAppManagement/targetedManagedAppConfigurations",
		beta:     true, betaWhy: "the body names its apps inline, as the Intune admin center does on beta; on v1.0, remove `apps`, POST it, then POST `{\"apps\": […]}` (the removed list) to `…/targetedManagedAppConfigurations/{id}/targetApps`",
		after: []string{
			assignStep("https://graph.microsoft.com/beta/deviceAppManagement/targetedManagedAppConfigurations"),
			"No ids to fill in: the apps are named by bundle and package id. Outlook fetches the settings through the Intune App SDK once the user signs in with the work account, enrolled or not.",
		},
		data: data,
	}, err
}

// --- outlook-android.json -----------------------------------------------------

type graphAndroidManagedStoreAppConfiguration struct {
	ODataType            string   `json:"@odata.type"`
	DisplayName          string   `json:"displayName"`
	Description          string   `json:"description"`
	TargetedMobileApps   []string `json:"targetedMobileApps"`
	PackageID            string   `json:"packageId"`
	PayloadJSON          string   `json:"payloadJson"`
	ProfileApplicability string   `json:"profileApplicability"`
	AppSupportsOemConfig bool     `json:"appSupportsOemConfig"`
	PermissionActions    []any    `json:"permissionActions"`
}

// androidManagedConfiguration is Google Play EMM's managedConfiguration as
// Intune stores it, base64-encoded, in payloadJson.
type androidManagedConfiguration struct {
	Kind            string                   `json:"kind"`
	ProductID       string                   `json:"productId"`
	ManagedProperty []androidManagedProperty `json:"managedProperty"`
}

type androidManagedProperty struct {
	Key         string  `json:"key"`
	ValueBool   *bool   `json:"valueBool,omitempty"`
	ValueString *string `json:"valueString,omitempty"`
}

// androidAllowedAccountsKey restricts Outlook for Android (and other
// Microsoft apps) to the listed accounts: a string of ;-separated UPNs.
// Source: Intune "Add app configuration policies for managed Android
// Enterprise devices" (MicrosoftDocs/memdocs, memdocs/intune/apps/
// app-configuration-policies-use-android.md).
const androidAllowedAccountsKey = "com.microsoft.intune.mam.AllowedAccountUPNs"

// androidOutlookSettings are the Managed Devices settings Outlook for Android
// takes: Outlook's own keys, and for work_accounts_only the Android
// allowed-accounts key in place of the iOS-only IntuneMAM* keys. Turning it
// off needs no key: without one, any account is allowed.
func (p *Policy) androidOutlookSettings() []Setting {
	var s []Setting
	for _, x := range p.OutlookSettings(false) {
		if strings.HasPrefix(x.Key, "com.microsoft.outlook.") {
			s = append(s, x)
		}
	}
	if w := p.Outlook.WorkAccountsOnly; w != nil && *w {
		s = append(s, Setting{Key: androidAllowedAccountsKey, Value: "${user.upn}"})
	}
	return s
}

// intuneOutlookAndroid writes the Android Enterprise app configuration as the
// Intune admin center does: packageId "app:" + package, payloadJson the
// base64 of a compact managedConfiguration whose managedProperty entries
// carry valueBool or valueString (sources at outlookAndroidProductID).
func (p *Policy) intuneOutlookAndroid() (intuneFile, error) {
	const file = "outlook-android.json"
	name, desc, err := p.intuneOutlookHead(file, "Android Enterprise")
	if err != nil {
		return intuneFile{}, err
	}
	conf := androidManagedConfiguration{
		Kind:            "androidenterprise#managedConfiguration",
		ProductID:       outlookAndroidProductID,
		ManagedProperty: []androidManagedProperty{},
	}
	for _, s := range p.androidOutlookSettings() {
		prop := androidManagedProperty{Key: s.Key}
		switch v := s.Value.(type) {
		case bool:
			prop.ValueBool = &v
		case string:
			r, err := render(v, Intune)
			if err != nil {
				return intuneFile{}, fmt.Errorf("%s: intune %s: %s: %w", p.Profile.Name, file, s.Key, err)
			}
			prop.ValueString = &r
		default:
			return intuneFile{}, fmt.Errorf("%s: intune %s: %s has a value of type %T", p.Profile.Name, file, s.Key, s.Value)
		}
		conf.ManagedProperty = append(conf.ManagedProperty, prop)
	}
	settings, err := portalSettings(p.androidOutlookSettings())
	if err != nil {
		return intuneFile{}, fmt.Errorf("%s: intune %s: %w", p.Profile.Name, file, err)
	}
	portal := append([]string{
		"Go to " + portalNewAppConfig + " > **Managed devices**.",
		"**Basics**: **Name**: `" + name + "`; **Platform**: **Android Enterprise**; **Profile Type**: **All Profile Types**; **Targeted app**: **Select app** > Outlook (approved in managed Google Play and synced to Intune first).",
		"**Settings**: **Configuration settings format**: **Use configuration designer**; **Add** each key, with this value:",
	}, settings...)
	portal = append(portal,
		"Still in **Settings**, under **Permissions**, you may pre-grant Outlook's contacts permissions, which Save Contacts needs on Android.",
		portalAssign("the user groups that use Outlook"))
	var payload bytes.Buffer
	enc := json.NewEncoder(&payload)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(conf); err != nil {
		return intuneFile{}, err
	}
	data, err := encodeJSON(graphAndroidManagedStoreAppConfiguration{
		ODataType:            "#microsoft.graph.androidManagedStoreAppConfiguration",
		DisplayName:          name,
		Description:          desc,
		TargetedMobileApps:   []string{},
		PackageID:            outlookAndroidProductID,
		PayloadJSON:          base64.StdEncoding.EncodeToString(bytes.TrimSuffix(payload.Bytes(), []byte("\n"))),
		ProfileApplicability: "default",
		AppSupportsOemConfig: false,
		PermissionActions:    []any{},
	})
	return intuneFile{
		portal: portal,
		name:   file, title: "Android Enterprise app configuration for Outlook for Android (androidManagedStoreAppConfiguration)",
		endpoint: "deviceAppManagement/mobileAppConfigurations",
		beta:     true, betaWhy: "Android Enterprise app configurations exist only in Graph beta",
		before: []string{
			"put the Intune id of Outlook for Android in `targetedMobileApps` (approve Outlook in managed Google Play and sync Intune with it first). List the candidates with " +
				"`GET https://graph.microsoft.com/beta/deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.androidManagedStoreApp')` " +
				"and take the `id` of the one whose `packageId` is `" + OutlookAndroidPackageID + "`.",
		},
		after: []string{
			assignStep("https://graph.microsoft.com/beta/deviceAppManagement/mobileAppConfigurations"),
			"`payloadJson` is the managed configuration, base64-encoded JSON, as Intune stores it. `profileApplicability` `default` applies it to work profiles and fully managed devices alike. Save Contacts on Android also needs Outlook's contacts permissions, which you may pre-grant in `permissionActions`.",
		},
		data: data,
	}, err
}

// --- compliance.json ----------------------------------------------------------

type graphIOSCompliancePolicy struct {
	ODataType               string                   `json:"@odata.type"`
	DisplayName             string                   `json:"displayName"`
	Description             string                   `json:"description"`
	OSMinimumVersion        string                   `json:"osMinimumVersion"`
	ScheduledActionsForRule []graphScheduledRuleItem `json:"scheduledActionsForRule"`
}

type graphScheduledRuleItem struct {
	RuleName                      string                      `json:"ruleName"`
	ScheduledActionConfigurations []graphComplianceActionItem `json:"scheduledActionConfigurations"`
}

type graphComplianceActionItem struct {
	ActionType                string   `json:"actionType"`
	GracePeriodHours          int      `json:"gracePeriodHours"`
	NotificationTemplateID    string   `json:"notificationTemplateId"`
	NotificationMessageCCList []string `json:"notificationMessageCCList"`
}

// intuneCompliance requires the iOS version the Exchange account's data-type
// choice and locks need. Graph refuses a compliance policy without exactly
// one block action (microsoftgraph/microsoft-graph-docs issues 7746, 7912).
func (p *Policy) intuneCompliance() (intuneFile, error) {
	const file = "compliance.json"
	name, _, err := p.intuneHead(file, "Compliance")
	if err != nil {
		return intuneFile{}, err
	}
	min := intuneMinIOS
	if osVersion.MatchString(p.Profile.MinIOS) && !versionLess(p.Profile.MinIOS, intuneMinIOS) {
		min = p.Profile.MinIOS
	}
	data, err := encodeJSON(graphIOSCompliancePolicy{
		ODataType:        "#microsoft.graph.iosCompliancePolicy",
		DisplayName:      name,
		Description:      "Requires iOS " + min + " or later. Older iOS ignores the Exchange account's data-type choice and locks, and would sync mail, calendars, reminders and notes as well.",
		OSMinimumVersion: min,
		ScheduledActionsForRule: []graphScheduledRuleItem{{
			RuleName: "PasswordRequired",
			ScheduledActionConfigurations: []graphComplianceActionItem{{
				ActionType:                "block",
				GracePeriodHours:          0,
				NotificationTemplateID:    "",
				NotificationMessageCCList: []string{},
			}},
		}},
	})
	portal := []string{
		"Go to **Devices** > **Manage devices** > **Compliance** > **Create policy**, choose **Platform**: **iOS/iPadOS**, then **Create**.",
		"**Basics**: **Name**: `" + name + "`.",
		"**Compliance settings**: **Device Properties** > **Operating System Version** > **Minimum OS version**: `" + min + "`.",
		"**Actions for noncompliance**: keep **Mark device noncompliant**, **Immediately**.",
		portalAssign("the user groups that get the Exchange account"),
	}
	return intuneFile{
		portal: portal,
		name:   file, title: "iOS compliance policy (iosCompliancePolicy)",
		endpoint: "deviceManagement/deviceCompliancePolicies",
		after: []string{
			assignStep("https://graph.microsoft.com/v1.0/deviceManagement/deviceCompliancePolicies") +
				" Assign it to the users who get the Exchange account.",
			"`scheduledActionsForRule` is the single *mark non-compliant* action Graph requires when it creates a compliance policy; add notifications in the Intune admin center if you want them.",
		},
		data: data,
	}, err
}

// --- README.md ----------------------------------------------------------------

func (p *Policy) intuneReadme(files []intuneFile) ([]byte, error) {
	title, err := render(firstNonEmpty(p.Profile.DisplayName, p.Profile.Name), Intune)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, f := range files {
		has[f.name] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Intune objects for %s\n\n", title)
	fmt.Fprintf(&b, "Built by mdmforge from the policy `%s`; rebuild rather than edit.\n", p.Profile.Name)
	b.WriteString("Each section below is one Intune object, with two ways to create it: by\n" +
		"hand in the Microsoft Intune admin center (https://intune.microsoft.com),\n" +
		"or with Microsoft Graph. Both create the same object: create each one way,\n" +
		"not both.\n" +
		"\n" +
		"In the admin center, the steps name each page and field with the value to\n" +
		"enter. Files named `../…` are beside this folder, in the build's output.\n" +
		"\n" +
		"With Graph, each `.json` file is the body of one request: POST it with\n" +
		"`Content-Type: application/json`, for example with\n" +
		"`Invoke-MgGraphRequest -Method POST -Uri URL -Body (Get-Content -Raw FILE)`.\n" +
		"The response's `id` is the object's `{id}` in the follow-up steps.\n" +
		"Assign each object with the body\n" +
		"`{\"assignments\":[{\"target\":{\"@odata.type\":\"#microsoft.graph.groupAssignmentTarget\",\"groupId\":\"GROUP-ID\"}}]}`\n" +
		"(the `id` of an Entra ID group).\n" +
		"Device configurations and compliance policies need the permission\n" +
		"`DeviceManagementConfiguration.ReadWrite.All`; app configurations\n" +
		"`DeviceManagementApps.ReadWrite.All`.\n")
	if has["email.json"] && has["custom.json"] {
		b.WriteString("\n## Choose one route for the Exchange account\n\n" +
			"`custom.json` carries the whole `.mobileconfig`: the Exchange account, the\n" +
			"restrictions and any other payloads. `email.json` (and `restrictions.json`)\n" +
			"are Intune's native profiles for the same settings, shown setting by setting\n" +
			"in the Intune admin center. Assign **one** route to a user, not both: with\n" +
			"both, the device is sent the Exchange account twice.\n")
	} else if has["restrictions.json"] && has["custom.json"] {
		b.WriteString("\n## Choose one route for the restrictions\n\n" +
			"`custom.json` carries the whole `.mobileconfig`, restrictions included;\n" +
			"`restrictions.json` is Intune's native profile for the same settings.\n" +
			"Assign one of them to a user, not both.\n")
	}
	for _, f := range files {
		fmt.Fprintf(&b, "\n## %s: %s\n\n", f.name, f.title)
		b.WriteString("In the Intune admin center:\n\n")
		n := 0
		for _, s := range f.portal {
			if strings.HasPrefix(s, "- ") {
				fmt.Fprintf(&b, "   %s\n", s) // a value of the step above
				continue
			}
			n++
			fmt.Fprintf(&b, "%d. %s\n", n, s)
		}
		if f.portalXML != "" {
			fmt.Fprintf(&b, "\n```xml\n%s\n```\n", f.portalXML)
		}
		b.WriteString("\nWith Microsoft Graph:\n\n")
		for _, s := range f.before {
			fmt.Fprintf(&b, "- Before: %s\n", s)
		}
		fmt.Fprintf(&b, "- `POST %s%s/%s`", graphRoot, f.version(), f.endpoint)
		if f.beta {
			fmt.Fprintf(&b, " (beta: %s)", f.betaWhy)
		}
		b.WriteString("\n")
		for _, s := range f.after {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	return []byte(b.String()), nil
}
