// Package intune plans and applies policies to Microsoft Intune through
// Microsoft Graph: Plan compares the objects profiles/intune builds for
// each policy with what the tenant has, and Apply makes the tenant so,
// writing only what differs.
//
// Identity. Every object mdmforge makes carries a marker derived from the
// policy's profile identifier and the object's kind, as the last line of
// its description:
//
//	mdmforge:com.example.contacts/custom-profile
//
// A Conditional Access policy has no description, so its marker ends its
// display name, in brackets: "Work Contacts – Require compliant iOS
// devices for Exchange Online [mdmforge:com.example.contacts/conditional-access]".
// Objects are matched by marker and @odata.type, so a renamed policy
// updates its objects rather than creating second ones. With
// Options.Adopt, an unmarked object of the same type and exact display
// name is taken over (the update adds the marker); without it such an
// object is an error, as creating a second one beside it would be.
//
// Reading. Each collection is listed once per run (paging followed), in
// beta when an object of it needs beta, with the navigation properties
// compared expanded (assignments, a compliance policy's actions, a
// Managed Apps configuration's apps): planning reads a fixed number of
// pages, not a request per object (…/{id}/assignments is read only for an
// object whose list left its assignments out). Each group the policies'
// assignments name is resolved once, and the tenant's Outlook apps are
// listed once. Conditional Access policies are read only when a policy
// sets intune.conditional_access (off included, so that the policy made
// before is found). Every problem of a run (an unknown or ambiguous
// group, Outlook missing, an unmarked object in the way) is reported
// together in a *deploy.ProblemsError before anything is written.
//
// Comparing. Only the properties mdmforge sends are compared: Graph
// returns every property with its default, and server-set ones. Values
// compare as JSON values (numbers by value, key order and the order of
// named settings and of id sets irrelevant); the custom profile's payload
// is decoded and compared as a configuration profile with profiles/diff,
// its consequences in the plan.
//
// Writing. A create POSTs the body with the marker; an update PATCHes only
// the changed properties with the concrete @odata.type, and always the
// whole payload when a custom profile changed. A compliance policy's
// block action goes inline on create and through scheduleActionsForRules
// afterwards; a Managed Apps configuration's apps go through targetApps.
// Assignments are compared as sets and /assign is called with the full
// set only when they differ; a policy without an assignments section
// leaves its objects' assignments as they are. Every write is read back,
// assignments too, again after a wait while a replica lags. The client retries what may be
// repeated (deploy/graph); a create whose answer was lost is looked up by
// display name and marker before it is sent again, so a retry never makes
// a second object. An apply with nothing to change makes no write.
//
// Pruning. The policies of a run are the whole of what mdmforge manages
// in the tenant, as a Terraform state is: every object carrying an
// mdmforge marker that no policy of the run builds (its policy file
// removed, its identifier changed, a kind the policy no longer builds) is
// deleted with Options.Prune, and otherwise noted in the plan. Each
// delete is a step of the plan before Apply makes it. Unmarked objects
// are never deleted. Conditional Access policies are read, and so pruned,
// only when a policy of the run sets intune.conditional_access.
package intune
