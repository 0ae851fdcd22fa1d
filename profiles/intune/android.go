package intune

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

// Outlook's Android Enterprise identifiers as Intune writes them: the
// managed Google Play product id ("app:" + package name) in packageId and
// in the managed configuration's productId. Source: a request body the
// Intune admin center sent (deploymenttheory/terraform-provider-microsoft365,
// internal/services/resources/device_and_app_management/graph_beta/
// android_managed_device_app_configuration_policy/create_req.md) and a tenant
// export of an Outlook policy (…/graph_beta/mobile_app_configuration/
// resource_docs/create.req.md).
const outlookAndroidProductID = "app:" + OutlookAndroidPackageID

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
func (p policy) androidOutlookSettings() []profiles.Setting {
	var s []profiles.Setting
	for _, x := range p.OutlookSettings(false) {
		if strings.HasPrefix(x.Key, "com.microsoft.outlook.") {
			s = append(s, x)
		}
	}
	if w := p.Outlook.WorkAccountsOnly; w != nil && *w {
		s = append(s, profiles.Setting{Key: androidAllowedAccountsKey, Value: "${user.upn}"})
	}
	return s
}

// outlookAndroid writes the Android Enterprise app configuration as the
// Intune admin center does: packageId "app:" + package, payloadJson the
// base64 of a compact managedConfiguration whose managedProperty entries
// carry valueBool or valueString (sources at outlookAndroidProductID).
func (p policy) outlookAndroid() (bundleFile, error) {
	const file = "outlook-android.json"
	name, desc, err := p.outlookHead(file, "Android Enterprise")
	if err != nil {
		return bundleFile{}, err
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
			r, err := profiles.Render(v, profiles.Intune)
			if err != nil {
				return bundleFile{}, fmt.Errorf("%s: intune %s: %s: %w", p.Profile.Name, file, s.Key, err)
			}
			prop.ValueString = &r
		default:
			return bundleFile{}, fmt.Errorf("%s: intune %s: %s has a value of type %T", p.Profile.Name, file, s.Key, s.Value)
		}
		conf.ManagedProperty = append(conf.ManagedProperty, prop)
	}
	settings, err := portalSettings(p.androidOutlookSettings())
	if err != nil {
		return bundleFile{}, fmt.Errorf("%s: intune %s: %w", p.Profile.Name, file, err)
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
		return bundleFile{}, err
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
	return bundleFile{
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
