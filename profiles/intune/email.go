package intune

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

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

// dataTypes are the Exchange data types in Apple's order, copied once:
// easServicesValue runs for every bundle.
var dataTypes = profiles.DataTypes()

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

// adminCenterOffers reports whether the admin center offers this choice
// of data types; only those are known to be accepted (research: microsoft.md
// 2b, "Intune UI only offers").
func adminCenterOffers(sync map[string]bool) bool {
	key := easServicesValue(sync)
	for _, offered := range []string{"email,contacts,calendars,reminders,notes", "email", "calendars", "contacts,calendars", "contacts"} {
		if key == offered {
			return true
		}
	}
	return false
}

// usesVariables reports whether s refers to a variable.
func usesVariables(s string) bool { return len(profiles.VariablesIn(s)) > 0 }

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func (p policy) emailProfile() (bundleFile, error) {
	const file = "email.json"
	e := p.Exchange
	var skip profiles.Diagnostics
	fail := func(path, format string, args ...any) {
		skip = append(skip, p.warnf(path, "%s; %s not written", fmt.Sprintf(format, args...), file))
	}
	orCustom := "deploy " + p.Profile.Name + ".mobileconfig as an Intune custom profile, which takes any value"
	literal := func(path, s string) string {
		if usesVariables(s) {
			fail(path, "Intune email profiles fill in no variables; write the value itself, or %s", orCustom)
			return ""
		}
		out, _ := profiles.Render(s, profiles.Intune) // no variables: only unescapes $${
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
		EasServices:                             easServicesValue(e.Synced()),
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
	if body.DisplayName, body.Description, err = p.head(file, "Email"); err != nil {
		return bundleFile{}, err
	}
	if len(skip) > 0 {
		return bundleFile{}, &skipped{skip}
	}
	data, err := encodeJSON(body)
	var notes profiles.Diagnostics
	if attributeSources[e.Username] == "samAccountName" {
		notes = append(notes, p.warnf("exchange.username", "email.json takes the user name from Entra ID's samAccountName, which usually but not always equals ${user.shortname} ({{partialupn}}) in custom.json"))
	}
	if !adminCenterOffers(e.Synced()) {
		notes = append(notes, p.warnf("exchange.sync", "the Intune admin center offers only all data, mail, calendars, calendars and contacts, or contacts; email.json asks for %q, which Graph may refuse", body.EasServices))
	}
	f := bundleFile{
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
		"- **Authentication method**: **"+portalAuthMethods[b.AuthenticationMethod]+"**"+oauthNote(b.UseOAuth, b.AuthenticationMethod),
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

// EmailServices is the easServices value email.json holds for a
// com.apple.eas.account payload: the data types its EnableMail,
// EnableContacts, EnableCalendars, EnableReminders and EnableNotes keys
// turn on, written as Graph's flags enum ("contacts,calendars", or
// "none"). It reads the value back from the profile it is built from, so
// that a review can tell a copy of the profile's change from an edit of
// the bundle alone.
func EmailServices(payload map[string]any) string {
	sync := map[string]bool{}
	for _, t := range dataTypes {
		on, _ := payload["Enable"+strings.ToUpper(t[:1])+t[1:]].(bool)
		sync[t] = on
	}
	return easServicesValue(sync)
}

// EmailSyncDuration is the durationOfEmailToSync value email.json holds for
// an Exchange payload's MailNumberOfPastDaysToSync, and false for a number
// of days Graph has no value for.
func EmailSyncDuration(days int64) (string, bool) {
	d, ok := emailSyncDurations[int(days)]
	return d, ok
}

// oauthNote explains the admin center's odd pairing: with OAuth it wants
// "Username and password", yet no password is set or stored, since users
// sign in with Microsoft Entra ID on the device.
func oauthNote(oauth bool, method string) string {
	if !oauth || method != "usernameAndPassword" {
		return ""
	}
	return " (what Intune asks for with OAuth: no password is stored; users sign in with Microsoft Entra ID)"
}
