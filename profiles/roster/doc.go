// Package roster builds one finished profile per user: it reads a roster
// of users (a CSV file whose header names the columns, or a JSON array of
// objects) in bounded memory, checks every row against a policy's
// profiles.Template, reporting each bad row with its line, and writes each
// good user's profile, signed if asked, on every core.
//
// A roster is read once: Check keeps the values the profiles need, packed,
// and Write renders from them, so a roster that changes while a build runs
// cannot have rows written that were not checked. Users' files are named
// by the first of the upn, email, id, shortname or name columns the roster
// has, through FileName, which keeps distinct users apart and avoids names
// Windows refuses.
package roster
