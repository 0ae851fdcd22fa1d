package profiles_test

import (
	"fmt"

	"github.com/mdmforge/mdmforge/profiles"
)

// IsGroupID tells an assignments entry that is a group's object id from a
// display name, which plan and apply look up in the tenant.
func ExampleIsGroupID() {
	for _, g := range []string{"iOS contacts pilot", "6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b"} {
		fmt.Println(g, profiles.IsGroupID(g))
	}
	// Output:
	// iOS contacts pilot false
	// 6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b true
}

// A policy says how mdmforge apply deploys it; without an intune section
// it gets the custom profile and no Conditional Access policy.
func ExamplePolicy_IntuneProfile() {
	p, _ := profiles.Decode("p.yaml", []byte("version: 1\nprofile: {name: p, identifier: com.example.p}\nrestrictions: {allowOpenFromManagedToUnmanaged: false}\n"))
	fmt.Println(p.IntuneProfile(), p.ConditionalAccess())
	// Output: custom off
}
