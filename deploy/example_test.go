package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/mdmforge/mdmforge/deploy"
)

// Render a plan for a terminal; the same plan renders as markdown for a
// pull-request comment, as json, or as GitHub annotations.
func ExamplePlan_Render() {
	p := &deploy.Plan{Format: deploy.FormatVersion, Target: "intune", Steps: []deploy.Step{
		{Action: deploy.Update, Policy: "contacts.yaml", Kind: "compliance", Name: "Work Contacts – Compliance", ID: "1b2c",
			Changes: []deploy.Change{{Kind: deploy.Changed, Path: "osMinimumVersion", Before: json.RawMessage(`"13.0"`), After: json.RawMessage(`"16.0"`)}},
			Assignments: &deploy.AssignmentChange{
				Before: []deploy.Assignment{{Kind: "include", Group: "Sales-iOS", ID: "9f1e"}},
				After:  []deploy.Assignment{{Kind: "include", Group: "Sales-iOS", ID: "9f1e"}, {Kind: "include", Group: "Sales-iPad", ID: "4d2a"}}}},
		{Action: deploy.NoChange, Policy: "contacts.yaml", Kind: "custom-profile", Name: "Work Contacts – Custom profile", ID: "7a8b"},
	}}
	p.Seal()
	if err := p.Render(os.Stdout, deploy.FormatText); err != nil {
		fmt.Println(err)
	}
	fmt.Println("changed:", p.Changed())
	// Output:
	// ~ update compliance "Work Contacts – Compliance" id 1b2c from contacts.yaml
	//     ~ osMinimumVersion: "13.0" → "16.0"
	//     assignments:
	//       + include Sales-iPad (4d2a)
	//       = include Sales-iOS (9f1e)
	// = no-change custom-profile "Work Contacts – Custom profile" id 7a8b from contacts.yaml
	//
	// intune: 1 to update, 1 unchanged
	// changed: true
}

// Read a plan file that plan --out wrote; a plan of another format or
// with unknown fields is refused.
func ExampleReadPlan() {
	p, err := deploy.ReadPlan(strings.NewReader(`{"format": 1, "target": "intune", "fingerprint": "sha256:00", "steps": []}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Summary())
	_, err = deploy.ReadPlan(strings.NewReader(`{"format": 2}`))
	fmt.Println(err)
	// Output:
	// intune: no changes (0 objects)
	// plan file: format 2, this mdmforge reads format 1
}
