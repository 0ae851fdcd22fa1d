// Package intune writes what deploys a policy to Microsoft Intune: the
// Microsoft Graph request bodies of its objects and the NAME.intune folder
// that holds them.
//
// It owns the Intune-only outputs: the native Exchange email profile, the
// custom iOS profile carrying the .mobileconfig, device restrictions, the
// Outlook app configurations for iOS managed devices, Intune managed apps
// and Android Enterprise, and the iOS compliance policy, plus the README
// that says how to create each one by hand in the Intune admin center or
// with Graph.
//
// Objects returns each object as its JSON body with the Graph collection
// it is POSTed to, for a program that creates them; Bundle returns the
// same bodies as files, with the README, as mdmforge build writes them.
// Both write variables as Intune tokens, and both return warnings for what
// Intune's native objects cannot say as the profile does (email.json is
// then left out: the custom profile carries everything).
//
// What every MDM takes stays in package profiles: the policy model, the
// .mobileconfig and Outlook's app configuration keys with the
// NAME.outlook.plist built from them. This package only reads policies.
package intune
