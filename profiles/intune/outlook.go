package intune

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mdmforge/mdmforge/profiles"
)

// Outlook's identifiers. Intune's app-protection objects name the iOS app in
// lower case, unlike the App Store bundle id com.microsoft.Office.Outlook.
const (
	OutlookIOSBundleID      = "com.microsoft.office.outlook"
	OutlookAndroidPackageID = "com.microsoft.office.outlook"
)

// outlookIOSAppStoreBundleID is Outlook for iOS's App Store bundle id, the
// bundleId of its Intune mobileApp object (Intune's app-protection objects
// spell it in lower case; see OutlookIOSBundleID).
const outlookIOSAppStoreBundleID = "com.microsoft.Office.Outlook"

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

// outlookHead is the display name and description of the Outlook app
// configurations, named after the Managed Apps one.
func (p policy) outlookHead(file, suffix string) (name, desc string, err error) {
	if name, err = profiles.Render(p.outlookDisplayName()+" – "+suffix, profiles.Intune); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: outlook.display_name: %w", p.Profile.Name, file, err)
	}
	if desc, err = profiles.Render(p.Profile.Description, profiles.Intune); err != nil {
		return "", "", fmt.Errorf("%s: intune %s: profile.description: %w", p.Profile.Name, file, err)
	}
	return name, desc, nil
}

func (p policy) outlookDevices() (bundleFile, error) {
	const file = "outlook-devices.json"
	name, desc, err := p.outlookHead(file, "iOS managed devices")
	if err != nil {
		return bundleFile{}, err
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
			if item.AppConfigKeyValue, err = profiles.Render(v, profiles.Intune); err != nil {
				return bundleFile{}, fmt.Errorf("%s: intune %s: %s: %w", p.Profile.Name, file, s.Key, err)
			}
		default:
			return bundleFile{}, fmt.Errorf("%s: intune %s: %s has a value of type %T", p.Profile.Name, file, s.Key, s.Value)
		}
		body.Settings = append(body.Settings, item)
	}
	xml, err := p.OutlookManagedDevices(profiles.Options{Target: profiles.Intune})
	if err != nil {
		return bundleFile{}, err
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
	return bundleFile{
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

func (p policy) outlookApps(opts profiles.Options) (bundleFile, error) {
	data, err := p.outlookManagedApps(opts)
	if err != nil {
		return bundleFile{}, err
	}
	var body graphTargetedManagedAppConfiguration
	if err := json.Unmarshal(data, &body); err != nil {
		return bundleFile{}, err
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
	return bundleFile{
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

type graphKeyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type graphAppIdentifier struct {
	ODataType string `json:"@odata.type"`
	BundleID  string `json:"bundleId,omitempty"`
	PackageID string `json:"packageId,omitempty"`
}

type graphManagedMobileApp struct {
	MobileAppIdentifier graphAppIdentifier `json:"mobileAppIdentifier"`
}

type graphTargetedManagedAppConfiguration struct {
	ODataType      string                  `json:"@odata.type"`
	DisplayName    string                  `json:"displayName"`
	Description    string                  `json:"description"`
	CustomSettings []graphKeyValue         `json:"customSettings"`
	Apps           []graphManagedMobileApp `json:"apps"`
}

// outlookManagedApps returns the Managed Apps app configuration policy as the
// JSON body Microsoft Graph's targetedManagedAppConfiguration takes, aimed at
// Outlook for iOS and Android. The Managed Apps channel exists only in
// Intune, so unlike NAME.outlook.plist it is part of the bundle alone.
func (p policy) outlookManagedApps(opts profiles.Options) ([]byte, error) {
	body := graphTargetedManagedAppConfiguration{
		ODataType:      "#microsoft.graph.targetedManagedAppConfiguration",
		DisplayName:    p.outlookDisplayName(),
		Description:    p.Profile.Description,
		CustomSettings: []graphKeyValue{},
		Apps: []graphManagedMobileApp{
			{graphAppIdentifier{ODataType: "#microsoft.graph.iosMobileAppIdentifier", BundleID: OutlookIOSBundleID}},
			{graphAppIdentifier{ODataType: "#microsoft.graph.androidMobileAppIdentifier", PackageID: OutlookAndroidPackageID}},
		},
	}
	target := p.TargetFor(opts.Target)
	for _, s := range p.OutlookSettings(true) {
		v, err := renderValue(s.Value, target)
		if err != nil {
			return nil, err
		}
		body.CustomSettings = append(body.CustomSettings, graphKeyValue{Name: s.Key, Value: settingText(v)})
	}
	var err error
	if body.DisplayName, err = profiles.Render(body.DisplayName, target); err != nil {
		return nil, err
	}
	if body.Description, err = profiles.Render(body.Description, target); err != nil {
		return nil, err
	}
	return encodeJSON(body)
}

func (p policy) outlookDisplayName() string {
	if p.Outlook.DisplayName != "" {
		return p.Outlook.DisplayName
	}
	return firstNonEmpty(p.Profile.DisplayName, p.Profile.Name) + " (Outlook)"
}

// renderValue writes an app configuration value (profiles.Setting.Value:
// a bool or a string) in the target's variable syntax.
func renderValue(v any, target profiles.Target) (any, error) {
	if s, ok := v.(string); ok {
		return profiles.Render(s, target)
	}
	return v, nil
}

func settingText(v any) string {
	if b, ok := v.(bool); ok {
		return strconv.FormatBool(b)
	}
	return fmt.Sprint(v)
}
