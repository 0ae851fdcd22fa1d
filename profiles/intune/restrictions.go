package intune

import (
	"strings"
)

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

// deviceRestrictions maps the restrictions block onto iosGeneralDeviceConfiguration.
// The property names are in Graph's beta reference (intune-deviceconfig-
// iosgeneraldeviceconfiguration.md, 2024-08-01); the v1.0 page lacks the two
// contacts properties and managedPasteboardRequired.
func (p policy) deviceRestrictions() (bundleFile, error) {
	const file = "restrictions.json"
	r := p.Restrictions
	name, desc, err := p.head(file, "Restrictions")
	if err != nil {
		return bundleFile{}, err
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
	f := bundleFile{
		portal: portal,
		name:   file, title: "device restrictions (iosGeneralDeviceConfiguration)",
		endpoint: "deviceManagement/deviceConfigurations",
		after: []string{
			"", // the assign step, once the version is known
			"A property left out or set to `false` here (`…Block…`, `contactsAllow…`) is the admin center's *Not configured*: Apple's default.",
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
