package intune

import (
	"fmt"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
)

// readme is the bundle's README.md: for each object, in the bundle's order,
// the admin center's steps and the Graph request that create it.
func (p policy) readme(files []bundleFile) ([]byte, error) {
	title, err := profiles.Render(firstNonEmpty(p.Profile.DisplayName, p.Profile.Name), profiles.Intune)
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
			"both, the device is sent the Exchange account twice. `mdmforge apply`\n" +
			"deploys the route the policy's `intune.profile` chooses: `custom` unless\n" +
			"it says `native`.\n")
	} else if has["restrictions.json"] && has["custom.json"] {
		b.WriteString("\n## Choose one route for the restrictions\n\n" +
			"`custom.json` carries the whole `.mobileconfig`, restrictions included;\n" +
			"`restrictions.json` is Intune's native profile for the same settings.\n" +
			"Assign one of them to a user, not both.\n")
	}
	b.WriteString(order(has))
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
func portalSettings(settings []profiles.Setting) ([]string, error) {
	var lines []string
	for _, s := range settings {
		v, err := renderValue(s.Value, profiles.Intune)
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
	// The policy's false is Apple's default, which Not configured keeps.
	return "**Not configured** (Apple's default, which is the policy's `false`)"
}

// order is the section saying which objects to create first: Outlook must
// already have its configuration (Save Contacts off) when the Exchange
// account starts syncing contacts, or it exports them a second time, and
// the compliance policy keeps devices below iOS 13, which ignore the
// data-type locks, away from the mailbox.
func order(has map[string]bool) string {
	var first, then []string
	for _, name := range []string{"outlook-devices.json", "outlook-apps.json", "outlook-android.json", "compliance.json"} {
		if has[name] {
			first = append(first, "`"+name+"`")
		}
	}
	for _, name := range []string{"email.json", "restrictions.json"} {
		if has[name] {
			then = append(then, "`"+name+"`")
		}
	}
	native := strings.Join(then, " with ")
	if has["custom.json"] {
		then = []string{"`custom.json`"}
		if native != "" {
			then[0] += ", or " + native
		}
	} else {
		then = []string{native}
	}
	if len(first) == 0 || then[0] == "" {
		return ""
	}
	last := ""
	if has[conditionalAccessFile] {
		last = "3. Last the Conditional Access policy, `" + conditionalAccessFile + "`, once devices\n" +
			"   can be marked compliant.\n"
	}
	return "\n## Create them in this order\n\n" +
		"1. First Outlook's configurations and the compliance policy:\n" +
		"   " + strings.Join(first, ", ") + ".\n" +
		"   Outlook then has Save Contacts off before any contact syncs, and devices\n" +
		"   below iOS 13, which ignore the data-type locks, are not compliant.\n" +
		"2. Then the Exchange account and the restrictions, by one route:\n" +
		"   " + strings.Join(then, ", ") + ".\n" + last + "\n" +
		"The sections below follow the files, not this order.\n"
}
