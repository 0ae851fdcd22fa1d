package intune

import (
	"regexp"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

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

// minIOS is the oldest iOS that honours the Exchange account's data-type
// choice and locks.
const minIOS = "13.0"

// compliancePolicy requires the iOS version the Exchange account's data-type
// choice and locks need. Graph refuses a compliance policy without exactly
// one block action (microsoftgraph/microsoft-graph-docs issues 7746, 7912).
func (p policy) compliancePolicy() (bundleFile, error) {
	const file = "compliance.json"
	name, _, err := p.head(file, "Compliance")
	if err != nil {
		return bundleFile{}, err
	}
	min := minIOS
	if atLeast(p.Profile.MinIOS, minIOS) {
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
	return bundleFile{
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

// atLeast reports whether v is a well-formed iOS version (13, 16.4, 17.0.1)
// at least min, a well-formed one too; Validate reports a malformed v.
func atLeast(v, min string) bool {
	return osVersion.MatchString(v) && schema.CompareVersions(v, min) >= 0
}

var osVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}$`)
