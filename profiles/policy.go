package profiles

import "go.yaml.in/yaml/v3"

// FormatVersion is the policy format this package reads. A policy states the
// version it was written for, so the format can change without silently
// changing what old files mean.
const FormatVersion = 1

// Policy is one policy file: the profile it compiles into and the blocks that
// fill it. Field comments name the Apple or Microsoft key each one becomes;
// docs/policy.md is the reference for authors.
type Policy struct {
	Version      int             `yaml:"version"`
	Target       string          `yaml:"target"` // the MDM whose variable syntax outputs use; --target overrides it
	Profile      ProfileInfo     `yaml:"profile"`
	Exchange     *Exchange       `yaml:"exchange"`
	Restrictions *Restrictions   `yaml:"restrictions"`
	Outlook      *Outlook        `yaml:"outlook"`
	Payloads     []Payload       `yaml:"payloads"`
	Assignments  *Assignments    `yaml:"assignments"` // who gets the policy's objects: Entra ID groups, for mdmforge plan and apply
	Intune       *IntuneSettings `yaml:"intune"`      // how mdmforge apply deploys the policy to Intune (target intune only)

	// File is the name the policy was decoded from, used in positions.
	File string `yaml:"-"`

	pos     map[string]Pos
	strings []stringField
}

// Pos is where the setting at a YAML path (exchange.host, payloads[0].keys)
// is written in the policy's file, or the nearest enclosing setting that is:
// where a finding about it points.
func (p *Policy) Pos(path string) Pos { return p.at(path) }

// ProfileInfo is the profile's own metadata: the top level of the
// .mobileconfig.
type ProfileInfo struct {
	Name         string    `yaml:"name"`         // output file names: NAME.mobileconfig, NAME.outlook.plist, …
	Identifier   string    `yaml:"identifier"`   // PayloadIdentifier; payload identifiers and every UUID derive from it
	DisplayName  string    `yaml:"display_name"` // PayloadDisplayName (default: name)
	Organization string    `yaml:"organization"` // PayloadOrganization
	Description  string    `yaml:"description"`  // PayloadDescription
	Platform     string    `yaml:"platform"`     // iOS (default), macOS, tvOS, visionOS or watchOS: the schema checks use it
	MinIOS       string    `yaml:"min_ios"`      // oldest OS version the profile is meant for; drives version warnings
	Install      string    `yaml:"install"`      // mdm (default) or manual: manual warns about MDM-only payloads and keys
	Supervised   bool      `yaml:"supervised"`   // the devices are supervised: no warnings about supervised-only settings
	UUID         string    `yaml:"uuid"`         // PayloadUUID override, for profiles migrated from elsewhere (mdmforge import)
	Imported     bool      `yaml:"imported"`     // written by mdmforge import: build writes Payload keys as set, no defaults (docs/policy.md)
	Removal      *Removal  `yaml:"removal"`
	Keys         yaml.Node `yaml:"keys"` // other top-level keys as Apple names them (ConsentText, TargetDeviceType, …)
}

// Removal says when and whether the profile may be removed.
type Removal struct {
	Disallowed *bool  `yaml:"disallowed"` // PayloadRemovalDisallowed (supervised devices only)
	Date       string `yaml:"date"`       // RemovalDate, e.g. 2027-06-30 or 2027-06-30T18:00:00Z
	After      string `yaml:"after"`      // DurationUntilRemoval, e.g. 90d or 36h
}

// Exchange is a com.apple.eas.account payload.
type Exchange struct {
	AccountName        string   `yaml:"account_name"`          // PayloadDisplayName: the account's name in Settings
	Host               string   `yaml:"host"`                  // Host
	Email              string   `yaml:"email"`                 // EmailAddress
	Username           string   `yaml:"username"`              // UserName
	Auth               string   `yaml:"auth"`                  // oauth, password or certificate
	OAuth              *OAuth   `yaml:"oauth"`                 // OAuthSignInURL, OAuthTokenRequestURL
	Password           string   `yaml:"password"`              // Password (auth: password only; plain text in the profile)
	Certificate        string   `yaml:"certificate"`           // name of the payloads entry holding the identity (auth: certificate)
	Sync               []string `yaml:"sync"`                  // Enable{Mail,Contacts,Calendars,Reminders,Notes}
	UsersCanChangeSync *bool    `yaml:"users_can_change_sync"` // Enable…UserOverridable
	SSL                *bool    `yaml:"ssl"`                   // SSL (default true)
	MailDays           *int     `yaml:"mail_days"`             // MailNumberOfPastDaysToSync: 0 (no limit), 1, 3, 7, 14 or 31
	PreventMove        *bool    `yaml:"prevent_move"`          // PreventMove
	PreventAppSheet    *bool    `yaml:"prevent_app_sheet"`     // PreventAppSheet
}

// Synced is the set of data types (DataTypes) the account syncs: those of
// Sync, or every type, Apple's default, when the policy does not say.
func (e *Exchange) Synced() map[string]bool { return e.syncSet() }

// OAuth holds the optional OAuth endpoints; without them iOS discovers them.
type OAuth struct {
	SignInURL       string `yaml:"sign_in_url"`       // OAuthSignInURL
	TokenRequestURL string `yaml:"token_request_url"` // OAuthTokenRequestURL
}

// Restrictions is a com.apple.applicationaccess payload limited to the keys
// that govern managed data flow. The setting names are Apple's key names.
type Restrictions struct {
	AllowOpenFromManagedToUnmanaged      *bool `yaml:"allowOpenFromManagedToUnmanaged"`
	AllowOpenFromUnmanagedToManaged      *bool `yaml:"allowOpenFromUnmanagedToManaged"`
	AllowManagedToWriteUnmanagedContacts *bool `yaml:"allowManagedToWriteUnmanagedContacts"`
	AllowUnmanagedToReadManagedContacts  *bool `yaml:"allowUnmanagedToReadManagedContacts"`
	RequireManagedPasteboard             *bool `yaml:"requireManagedPasteboard"`
	AllowAccountModification             *bool `yaml:"allowAccountModification"`
}

// Outlook is the app configuration for Outlook for iOS and Android.
type Outlook struct {
	DisplayName                string         `yaml:"display_name"`                   // name of the app configuration policy in Intune
	SaveContacts               *bool          `yaml:"save_contacts"`                  // com.microsoft.outlook.Contacts.LocalSyncEnabled
	UsersCanChangeSaveContacts *bool          `yaml:"users_can_change_save_contacts"` // ….LocalSyncEnabled.UserChangeAllowed
	ContactFields              *ContactFields `yaml:"contact_fields"`                 // com.microsoft.outlook.ContactSync.*Allowed (Managed Apps only)
	WorkAccountsOnly           *bool          `yaml:"work_accounts_only"`             // IntuneMAMAllowedAccountsOnly (Managed Devices only)
}

// ContactFields chooses which contact fields Outlook's Save Contacts export
// may write. The outlook tag is the suffix of the Outlook key.
type ContactFields struct {
	Address        *bool `yaml:"address" outlook:"AddressAllowed"`
	Birthday       *bool `yaml:"birthday" outlook:"BirthdayAllowed"`
	Company        *bool `yaml:"company" outlook:"CompanyAllowed"`
	Department     *bool `yaml:"department" outlook:"DepartmentAllowed"`
	Email          *bool `yaml:"email" outlook:"EmailAllowed"`
	InstantMessage *bool `yaml:"instant_message" outlook:"InstantMessageAllowed"`
	JobTitle       *bool `yaml:"job_title" outlook:"JobTitleAllowed"`
	Nickname       *bool `yaml:"nickname" outlook:"NicknameAllowed"`
	Notes          *bool `yaml:"notes" outlook:"NotesAllowed"`
	PhoneHome      *bool `yaml:"phone_home" outlook:"PhoneHomeAllowed"`
	PhoneHomeFax   *bool `yaml:"phone_home_fax" outlook:"PhoneHomeFaxAllowed"`
	PhoneMobile    *bool `yaml:"phone_mobile" outlook:"PhoneMobileAllowed"`
	PhoneOther     *bool `yaml:"phone_other" outlook:"PhoneOtherAllowed"`
	PhonePager     *bool `yaml:"phone_pager" outlook:"PhonePagerAllowed"`
	PhoneWork      *bool `yaml:"phone_work" outlook:"PhoneWorkAllowed"`
	PhoneWorkFax   *bool `yaml:"phone_work_fax" outlook:"PhoneWorkFaxAllowed"`
	Prefix         *bool `yaml:"prefix" outlook:"PrefixAllowed"`
	Suffix         *bool `yaml:"suffix" outlook:"SuffixAllowed"`
}

// Assignments are the Microsoft Entra ID groups the policy's Intune objects
// are assigned to, every object alike: each entry is a group's display name
// or its object id (a GUID). mdmforge plan and apply resolve names to ids in
// the tenant; a name that matches no group, or several, is an error there.
type Assignments struct {
	Include []string `yaml:"include"` // groupAssignmentTarget for each group
	Exclude []string `yaml:"exclude"` // exclusionGroupAssignmentTarget for each group
}

// IntuneSettings choose which Intune objects mdmforge apply creates for
// the policy. The NAME.intune bundle offers every object whatever they say,
// for admins who create them by hand.
type IntuneSettings struct {
	// Profile is custom (default: the .mobileconfig as one custom profile)
	// or native (Intune's own email profile and device restrictions).
	Profile string `yaml:"profile"`
	// ConditionalAccess is off (default), report-only or enforce: whether
	// a Conditional Access policy requires devices marked compliant for
	// Exchange Online on iOS, and whether Entra ID enforces it.
	ConditionalAccess string `yaml:"conditional_access"`
}

// The values of IntuneSettings.Profile and IntuneSettings.ConditionalAccess.
const (
	IntuneProfileCustom = "custom"
	IntuneProfileNative = "native"

	ConditionalAccessOff        = "off"
	ConditionalAccessReportOnly = "report-only"
	ConditionalAccessEnforce    = "enforce"
)

// IntuneProfile is the route mdmforge apply deploys the profile by:
// IntuneProfileCustom unless the policy says native.
func (p *Policy) IntuneProfile() string {
	if p.Intune != nil && p.Intune.Profile != "" {
		return p.Intune.Profile
	}
	return IntuneProfileCustom
}

// ConditionalAccess is the policy's Conditional Access setting:
// ConditionalAccessOff, ConditionalAccessReportOnly or
// ConditionalAccessEnforce.
func (p *Policy) ConditionalAccess() string {
	if p.Intune != nil && p.Intune.ConditionalAccess != "" {
		return p.Intune.ConditionalAccess
	}
	return ConditionalAccessOff
}

// Payload is any other Apple payload, written with Apple's key names. Other
// payloads and the exchange block refer to it by Name.
type Payload struct {
	Name        string    `yaml:"name"`         // reference name, unique in the policy; also the identifier suffix
	Type        string    `yaml:"type"`         // PayloadType, e.g. com.apple.security.scep
	DisplayName string    `yaml:"display_name"` // PayloadDisplayName
	Identifier  string    `yaml:"identifier"`   // PayloadIdentifier override (default: profile.identifier + "." + name)
	UUID        string    `yaml:"uuid"`         // PayloadUUID override, for migrated profiles
	Keys        yaml.Node `yaml:"keys"`         // the payload's own keys, as Apple names them; !uuid NAME refers to another payload
}

// dataTypes are the Exchange data types in the order Apple lists them.
var dataTypes = []string{"mail", "contacts", "calendars", "reminders", "notes"}

// DataTypes lists the Exchange data types a policy may sync, in the order
// Apple lists them.
func DataTypes() []string { return append([]string(nil), dataTypes...) }
