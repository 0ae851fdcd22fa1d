package intune

import (
	"github.com/mdmforge/mdmforge/profiles"
	bodies "github.com/mdmforge/mdmforge/profiles/intune"
)

// deployable returns the objects of a policy that are deployed, in order.
func deployable(p *profiles.Policy) ([]bodies.Object, profiles.Diagnostics, error) {
	return bodies.Objects(p, profiles.Options{Target: profiles.Intune})
}

// assignmentsOf returns the groups a policy's objects are assigned to
// (names or object ids), and whether the policy manages assignments.
func assignmentsOf(p *profiles.Policy) (include, exclude []string, ok bool) {
	return nil, nil, false
}
