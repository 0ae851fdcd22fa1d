package outdir

import "errors"

// errLocked is lockDir's error when another process holds the lock.
var errLocked = errors.New("locked")

// ErrLocked is LockDir's error when another process holds the lock.
var ErrLocked = errLocked

// LockDir takes the exclusive lock build takes on --out, on the folder dir,
// without waiting: ErrLocked when another process holds it. Other commands
// that must not run twice on the same files (apply and its state file) take
// it too. The returned function releases it; so does the process's end.
func LockDir(dir string) (unlock func(), err error) { return lockDir(dir) }
