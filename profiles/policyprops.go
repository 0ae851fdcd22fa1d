package profiles

import "reflect"

// The policy format's descriptions, enumerations and patterns are a table of
// their own because three readers share it: the JSON Schema, explain's
// PolicySettings, and the test that checks it against the Policy type.

// policyProp is what the schema says about one setting of the policy format,
// by YAML path ("exchange.sync", "payloads[].name"), beyond its Go type.
type policyProp struct {
	desc     string
	required []string // for a block: its required settings
	enum     []any
	constant any
	pattern  string
	minItems int
	unique   bool
}

var (
	dateRE      = `^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$`
	httpsRE     = `^[Hh][Tt][Tt][Pp][Ss]://`
	payloadName = `^[A-Za-z0-9][A-Za-z0-9_-]*$`
)

// policyProps describes every setting of the format; the descriptions are
// short forms of docs/policy.md. A test checks that each field of Policy has
// an entry and each entry a field.
var policyProps = map[string]policyProp{
	"": {
		desc:     "An mdmforge policy: compiles into an Apple configuration profile and Outlook app configurations. See docs/policy.md.",
		required: []string{"version", "profile"},
	},
	"version": {desc: "The policy format version: 1.", constant: FormatVersion},
	"target": {
		desc: "The MDM that delivers the outputs and fills in variables such as ${user.email}: intune, jamf, workspaceone, kandji, fleet, or generic (fills in none). mdmforge build --target overrides it; default generic.",
		enum: []any{"intune", "jamf", "workspaceone", "kandji", "fleet", "generic"},
	},
	"profile": {
		desc:     "The profile's own metadata: the top level of the .mobileconfig.",
		required: []string{"name", "identifier"},
	},
	"profile.name": {
		desc:    "Output file names (NAME.mobileconfig, …): letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100. Unique across the policies of a run.",
		pattern: `^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`,
	},
	"profile.identifier": {
		// No pattern: devices take any identifier, and an imported one must
		// stay as it is; validate warns about new ones that are not reverse DNS.
		desc: "PayloadIdentifier, reverse DNS (com.example.mdm.contacts; another form is a warning, except in an imported policy); no variables. Every payload identifier and UUID derives from it: keep it once the profile is deployed.",
	},
	"profile.display_name": {desc: "PayloadDisplayName. Default: name."},
	"profile.organization": {desc: "PayloadOrganization."},
	"profile.description":  {desc: "PayloadDescription; also the Outlook app configuration's description."},
	"profile.platform": {
		desc: "The platform the profile is for; Apple's schema is checked for it. Default: iOS.",
		enum: strs(platforms),
	},
	"profile.install": {
		desc: "How the profile reaches devices: mdm (uploaded to an MDM) or manual (users install it; warns about MDM-only payloads and keys). Default: mdm.",
		enum: []any{"mdm", "manual"},
	},
	"profile.supervised": {
		desc: "true when every device the profile is for is supervised: settings that work on supervised devices only are then not warned about. Written nowhere. Default: false.",
	},
	"profile.imported": {
		desc: "true in a policy written by mdmforge import: build then writes display_name, organization and description only when the policy sets them (empty ones included), keeps keys.PayloadVersion as written, converts no value to the type Apple's schema names, holds identifiers to no form, and lets keys hold the removal keys removal does not set. Default: false.",
	},
	"profile.uuid": {
		desc: "PayloadUUID override, for a profile migrated from elsewhere. Default: a UUIDv5 of identifier.",
	},
	"profile.min_ios": {
		desc:    `The oldest iOS the profile is meant for, quoted ("13.0"); warnings compare settings with it. Written nowhere.`,
		pattern: osVersion.String(),
	},
	"profile.removal": {desc: "When and whether the profile may be removed."},
	"profile.removal.disallowed": {
		desc: "PayloadRemovalDisallowed: users cannot remove the profile. Honoured on supervised devices only.",
	},
	"profile.removal.date": {
		desc:    "RemovalDate: the device removes the profile then. 2027-06-30 or 2027-06-30T18:00:00Z.",
		pattern: dateRE,
	},
	"profile.removal.after": {
		desc:    "DurationUntilRemoval: a whole number and d, h, m or s, e.g. 90d.",
		pattern: durationRE.String(),
	},
	"exchange": {
		desc:     "An Exchange ActiveSync account: a com.apple.eas.account payload.",
		required: []string{"auth"},
	},
	"exchange.account_name": {desc: "PayloadDisplayName: the account's name in Settings. Default: profile.display_name."},
	"exchange.host":         {desc: "Host: host name or IP address, no scheme or path."},
	"exchange.email":        {desc: "EmailAddress, e.g. ${user.email}; without it iOS asks."},
	"exchange.username":     {desc: "UserName, e.g. ${user.upn}; needed for installs without user interaction, as MDM installs are."},
	"exchange.auth": {
		desc: "How the account signs in: oauth (Microsoft Entra ID, no password in the profile), password (users type it, or password: holds it) or certificate (an identity certificate payload).",
		enum: []any{"oauth", "password", "certificate"},
	},
	"exchange.oauth": {desc: "Optional OAuth endpoints; without them iOS discovers them."},
	"exchange.oauth.sign_in_url": {
		desc:    "OAuthSignInURL, https. With it iOS skips autodiscovery, so host is required.",
		pattern: httpsRE,
	},
	"exchange.oauth.token_request_url": {desc: "OAuthTokenRequestURL, https.", pattern: httpsRE},
	"exchange.password": {
		desc: "Password, auth: password only, stored in plain text in the profile. Leave it out and iOS asks the user.",
	},
	"exchange.certificate": {
		desc:    "PayloadCertificateUUID, auth: certificate only: the name of a payloads entry of type com.apple.security.scep, .pkcs12 or .acme.",
		pattern: payloadName,
	},
	"exchange.sync": {
		desc:     "EnableMail … EnableNotes: the data types to sync (iOS 13+); the others are turned off. Default: all five.",
		minItems: 1,
		unique:   true,
	},
	"exchange.sync[]": {
		desc: "A data type to sync.",
		enum: []any{"mail", "contacts", "calendars", "reminders", "notes"},
	},
	"exchange.users_can_change_sync": {
		desc: "Enable…UserOverridable (iOS 13+): false locks the data types so users cannot turn the others on. Default: true.",
	},
	"exchange.ssl":       {desc: "SSL. Default: true."},
	"exchange.mail_days": {desc: "MailNumberOfPastDaysToSync; 0 means no limit. Only with mail synced.", enum: []any{0, 1, 3, 7, 14, 31}},
	"exchange.prevent_move": {
		desc: "PreventMove: messages cannot be moved to other accounts.",
	},
	"exchange.prevent_app_sheet": {desc: "PreventAppSheet: mail can be sent from Apple Mail only."},
	"restrictions": {
		desc: "A com.apple.applicationaccess payload with the keys that govern where managed data may go; written only when set.",
	},
	"restrictions.allowOpenFromManagedToUnmanaged": {
		desc: "Apple's default: true. false: documents from managed apps and accounts open only in managed apps.",
	},
	"restrictions.allowOpenFromUnmanagedToManaged": {
		desc: "Apple's default: true. false: documents from unmanaged apps do not open in managed apps.",
	},
	"restrictions.allowManagedToWriteUnmanagedContacts": {
		desc: "Apple's default: false. iOS 12+; takes effect only when allowOpenFromManagedToUnmanaged is false; must be installed by MDM.",
	},
	"restrictions.allowUnmanagedToReadManagedContacts": {
		desc: "Apple's default: false. iOS 12+; takes effect only when allowOpenFromManagedToUnmanaged is false; must be installed by MDM.",
	},
	"restrictions.requireManagedPasteboard": {
		desc: "Apple's default: false. iOS 15+: copy and paste follow the two open-in keys.",
	},
	"restrictions.allowAccountModification": {
		desc: "Apple's default: true. Enforced on supervised devices only.",
	},
	"outlook": {
		desc: "Outlook for iOS and Android app configuration, written as NAME.outlook.plist (Managed Devices, any MDM) and, for target intune, NAME.intune/outlook-apps.json (Managed Apps).",
	},
	"outlook.display_name": {desc: "The Intune policy's displayName. Default: profile.display_name + \" (Outlook)\"."},
	"outlook.save_contacts": {
		desc: "com.microsoft.outlook.Contacts.LocalSyncEnabled: Outlook's Save Contacts export.",
	},
	"outlook.users_can_change_save_contacts": {
		desc: "com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed.",
	},
	"outlook.contact_fields": {
		desc: "com.microsoft.outlook.ContactSync.<Field>Allowed (Managed Apps only): which fields Save Contacts may export. Each defaults to true.",
	},
	"outlook.work_accounts_only": {
		desc: "IntuneMAMAllowedAccountsOnly and IntuneMAMUPN (Managed Devices only): only the work account may be added.",
	},
	"payloads": {desc: "Other Apple payloads, written with Apple's key names."},
	"payloads[]": {
		desc:     "An Apple payload. mdmforge sets PayloadType, PayloadVersion, PayloadIdentifier, PayloadUUID and PayloadDisplayName from the entry's type, identifier, uuid and display_name.",
		required: []string{"name", "type"},
	},
	"payloads[].name": {
		desc:    "Reference name, unique in the policy: letters, digits, '_' and '-'. Also the payload identifier's suffix.",
		pattern: payloadName,
	},
	"payloads[].type":         {desc: "Apple's PayloadType, e.g. com.apple.security.scep."},
	"payloads[].display_name": {desc: "PayloadDisplayName. Default: name."},
	"payloads[].identifier": {
		desc: "PayloadIdentifier override. Default: profile.identifier + \".\" + name.",
	},
	"payloads[].uuid": {
		desc: "PayloadUUID override, for a payload migrated from elsewhere. Default: a UUIDv5 of the payload identifier.",
	},
	"payloads[].keys": {
		desc: "The payload's own keys, with Apple's names and plist types (a value may also be !uuid NAME, another payload's UUID).",
	},
	"assignments": {
		desc: "Who gets the policy's Intune objects (mdmforge plan and apply): Microsoft Entra ID groups, each by display name or object id. Every object of the policy gets the same assignments.",
	},
	"assignments.include": {
		desc:   "Groups assigned the policy's objects (groupAssignmentTarget): display names or object ids. A name must match exactly one group in the tenant.",
		unique: true,
	},
	"assignments.include[]": {desc: "A group's display name or object id (GUID)."},
	"assignments.exclude": {
		desc:   "Groups excluded from the assignment (exclusionGroupAssignmentTarget): display names or object ids, none also in include.",
		unique: true,
	},
	"assignments.exclude[]": {desc: "A group's display name or object id (GUID)."},
	"intune": {
		desc: "How mdmforge apply deploys the policy to Intune (target intune only); the NAME.intune bundle offers every object whatever it says.",
	},
	"intune.profile": {
		desc: "custom: the .mobileconfig as one custom profile (iosCustomConfiguration), which carries every setting; native: Intune's email profile and device restrictions instead, refused with payloads or an exchange block they cannot express. Default: custom.",
		enum: []any{IntuneProfileCustom, IntuneProfileNative},
	},
	"intune.conditional_access": {
		desc: "A Conditional Access policy requiring iOS devices marked compliant for Office 365 Exchange Online, for the groups of assignments: off, report-only (logged, not enforced) or enforce. Needs assignments.include and exchange. Default: off.",
		enum: []any{ConditionalAccessOff, ConditionalAccessReportOnly, ConditionalAccessEnforce},
	},
	"profile.keys": {
		desc: "Other top-level keys of the profile, with Apple's names and plist types (ConsentText, TargetDeviceType, …).",
	},
}

func init() {
	for _, f := range reflect.VisibleFields(reflect.TypeFor[ContactFields]()) {
		name := f.Tag.Get("yaml")
		policyProps["outlook.contact_fields."+name] = policyProp{
			desc: "com.microsoft.outlook.ContactSync." + f.Tag.Get("outlook") + ". Default: true.",
		}
	}
}
