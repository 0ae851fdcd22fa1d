package cli

import (
	"errors"
	"io/fs"
	"os"
)

// unwrapPath drops the operation and path an error repeats: messages name
// the path themselves.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
