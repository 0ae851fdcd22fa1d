package outdir

import "errors"

// errLocked is lockDir's error when another process holds the lock.
var errLocked = errors.New("locked")
