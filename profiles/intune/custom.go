package intune

import (
	"encoding/base64"
	"fmt"

	"github.com/mdmforge/mdmforge/profiles"
)

type graphIOSCustomConfiguration struct {
	ODataType       string `json:"@odata.type"`
	DisplayName     string `json:"displayName"`
	Description     string `json:"description"`
	PayloadName     string `json:"payloadName"`
	PayloadFileName string `json:"payloadFileName"`
	Payload         string `json:"payload"`
}

// customProfile carries the .mobileconfig itself, so that what Intune's
// native objects cannot say still reaches devices.
func (p policy) customProfile(opts profiles.Options) (bundleFile, error) {
	const file = "custom.json"
	profile, err := p.Mobileconfig(opts)
	if err != nil {
		return bundleFile{}, err
	}
	name, desc, err := p.head(file, "Custom profile")
	if err != nil {
		return bundleFile{}, err
	}
	payloadName, err := profiles.Render(firstNonEmpty(p.Profile.DisplayName, p.Profile.Name), profiles.Intune)
	if err != nil {
		return bundleFile{}, fmt.Errorf("%s: intune %s: profile.display_name: %w", p.Profile.Name, file, err)
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
	return bundleFile{
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
