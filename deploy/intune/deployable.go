package intune

import (
	"github.com/mdmforge/mdmforge/profiles"
	bodies "github.com/mdmforge/mdmforge/profiles/intune"
)

// deployable returns the objects apply deploys for a policy, in order.
func deployable(p *profiles.Policy) ([]bodies.Object, profiles.Diagnostics, error) {
	return bodies.Deployable(p, profiles.Options{Target: profiles.Intune})
}

// assignmentsOf returns the groups a policy's objects are assigned to
// (names or object ids), and whether the policy manages assignments: a
// policy without an assignments section leaves the tenant's as they are.
func assignmentsOf(p *profiles.Policy) (include, exclude []string, ok bool) {
	if p == nil || p.Assignments == nil {
		return nil, nil, false
	}
	return p.Assignments.Include, p.Assignments.Exclude, true
}
