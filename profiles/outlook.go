package profiles

import (
	"fmt"
	"reflect"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"howett.net/plist"
)

// Outlook's app configuration keys, and the Managed Devices plist built from
// them that every MDM takes. Intune's Graph forms of the same keys, Managed
// Apps included, are written by package profiles/intune.

// OutlookSettings returns Outlook's app configuration keys in a fixed order.
// managedApps selects the Managed Apps (Intune App SDK) channel, which alone
// takes the ContactSync field keys; the Managed Devices channel alone takes
// the allowed-accounts keys.
func (p *Policy) OutlookSettings(managedApps bool) []Setting {
	o := p.Outlook
	var s []Setting
	add := func(key string, v any) { s = append(s, Setting{Key: key, Value: v}) }
	if o.SaveContacts != nil {
		add("com.microsoft.outlook.Contacts.LocalSyncEnabled", *o.SaveContacts)
	}
	if o.UsersCanChangeSaveContacts != nil {
		add("com.microsoft.outlook.Contacts.LocalSyncEnabled.UserChangeAllowed", *o.UsersCanChangeSaveContacts)
	}
	if managedApps {
		if f := o.ContactFields; f != nil {
			fv, ft := reflect.ValueOf(f).Elem(), reflect.TypeOf(f).Elem()
			for i := 0; i < ft.NumField(); i++ {
				if b := fv.Field(i).Interface().(*bool); b != nil {
					add("com.microsoft.outlook.ContactSync."+ft.Field(i).Tag.Get("outlook"), *b)
				}
			}
		}
		return s
	}
	if o.WorkAccountsOnly != nil {
		mode := "Disabled"
		if *o.WorkAccountsOnly {
			mode = "Enabled"
		}
		add("IntuneMAMAllowedAccountsOnly", mode)
		// Outlook matches the allowed account by UPN; Microsoft requires
		// MDMs other than Intune to send it too.
		add("IntuneMAMUPN", "${user.upn}")
	}
	return s
}

// Setting is one app configuration key and its typed value.
type Setting struct {
	Key   string
	Value any // bool or string
}

// OutlookManagedDevices returns the Managed Devices app configuration as a
// property list whose <dict> is what Intune's "XML data" field, Jamf Pro and
// Workspace ONE take.
func (p *Policy) OutlookManagedDevices(opts Options) ([]byte, error) {
	dict := map[string]any{}
	for _, s := range p.OutlookSettings(false) {
		dict[s.Key] = s.Value
	}
	rendered, err := renderTree(dict, p.TargetFor(opts.Target))
	if err != nil {
		return nil, err
	}
	data, err := encodePlist(rendered)
	if err != nil {
		return nil, err
	}
	var back map[string]any
	if _, err := plist.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(propertylist.Normalize(back), propertylist.Normalize(rendered)) {
		return nil, fmt.Errorf("%s: the Outlook app configuration does not read back", p.Profile.Name)
	}
	return data, nil
}
