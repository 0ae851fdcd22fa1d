// Package nanomdm plans and applies policies to NanoMDM
// (github.com/micromdm/nanomdm), the open-source MDM server: a profile
// reaches a device as an InstallProfile command queued through NanoMDM's
// API, PUT /v1/enqueue/{ids}, with Basic auth as the user "nanomdm".
//
// Targets. The enrollments a policy's profile goes to are the enrollment
// ids (device UDIDs or user-channel ids) of its assignments.include, or,
// for a per-user build, each roster user's enrollment_id column
// (FromRoster): each user's own profile goes to that user's enrollments.
// NanoMDM has no groups, so assignments.exclude is an error.
//
// State. NanoMDM keeps no inventory of the profiles it delivered, so
// mdmforge keeps one: a state file (State) keyed by enrollment id and
// profile identifier, holding the SHA-256 of the unsigned profile, of the
// bytes queued, and the command's UUID. Plan compares the profiles the
// policies build with it: never queued is a create, another hash an
// update, the same hash no change. Apply queues only creates and updates,
// records each command NanoMDM accepted, and writes the file atomically
// (a temporary file, fsync, rename) once, at the end, also when an error
// stopped it midway; when nothing was queued it writes nothing. The file
// keeps no profile bytes, so no secret: a plan shows that a profile's
// content changed, not how (mdmforge diff of the two builds shows that).
// Signing again is not a change: the hash compared is the unsigned
// profile's, and whether it was sent signed.
//
// Commands. A command's CommandUUID is derived (UUIDv5) from the request
// type, the profile identifier, the SHA-256 of the bytes sent, and each
// enrollment id with the UUID of the command the state file last records
// for it. A request retried after its answer was lost therefore carries
// the same UUID, and NanoMDM refuses the second copy ("command already
// exists"), which Apply counts as queued: no duplicate. Going back to an
// earlier profile still makes a new UUID, since the previous command
// differs. After a lost state file the first apply queues every profile
// again; NanoMDM answers "already exists" for a command it still holds
// with the same bytes for the same enrollments, which is then counted as
// queued. A second InstallProfile of the same identifier reinstalls the
// profile in place: harmless, but devices show it.
//
// What NanoMDM cannot say. Its enqueue API queues commands for any id
// with its key-value storages (filekv, inmem): an unknown enrollment id
// is accepted and the command waits for a device that never comes. Its
// SQL storages refuse the whole request (a foreign key); Apply then sends
// each id alone, queues for the known ones and reports the unknown ones
// by id. Plan checks the URL and the API key with an
// enqueue request that names no enrollment and carries no command, which
// NanoMDM refuses after authenticating it; it queues nothing.
//
// Pruning. With Options.Prune, an enrollment and identifier the state file
// records that no policy delivers any more gets a RemoveProfile command
// and leaves the state file; without it, the plan notes it. The state file
// holds only what mdmforge queued, so only mdmforge's profiles are removed.
package nanomdm
