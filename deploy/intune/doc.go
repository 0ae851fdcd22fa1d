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
// display name: "Work Contacts – Require compliant iOS [mdmforge:com.example.contacts/conditional-access]".
// Objects are matched by marker and @odata.type, so a renamed policy
// updates its objects rather than creating second ones. With
// Options.Adopt, an unmarked object of the same type and exact display
// name is taken over (the update adds the marker); without it such an
// object is an error, as creating a second one beside it would be.
//
// Reading. Each collection is listed once per run (paging followed),
// assignments are read only for matched objects, each group named in the
// policies' assignments is resolved once, and the tenant's Outlook apps
// are listed once. Every problem of a run (an unknown or ambiguous group,
// Outlook missing, an unmarked object in the way) is reported together in
// a *deploy.ProblemsError before anything is written.
//
// Writing. A create POSTs the body with the marker; an update PATCHes only
// the changed properties with the concrete @odata.type, and always the
// whole payload when a custom profile changed. A compliance policy's
// block action goes inline on create and through scheduleActionsForRules
// afterwards; a Managed Apps configuration's apps go through targetApps.
// Assignments are compared as sets and /assign is called with the full
// set only when they differ. Every write is read back. A create whose
// answer was lost is looked up by display name and marker before it is
// sent again, so a retry never makes a second object. An apply with
// nothing to change makes no write.
//
// Pruning. Objects carrying a marker whose profile identifier is one of
// the policies' identifiers, but whose kind that policy no longer builds,
// are deleted with Options.Prune and otherwise only noted in the plan.
// Markers of other identifiers are never touched: a pipeline that plans
// one folder of policies must not delete another folder's objects.
// Unmarked objects are never deleted.
package intune
