// Package userfile reads the files a user names on the command line
// (profiles, certificates, keys, password files) the one careful way, and
// words the errors about them: the CLI and profiles/diff read their inputs
// through it, so a folder, a named pipe or an oversized file is refused
// with the same message by every command.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Read reads the file at path, refusing folders, special files and files
// larger than limit bytes, with messages that name the file.
func Read(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a FIFO would wait for a writer forever.
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, Cause(err))
	}
	switch {
	case info.IsDir():
		return nil, fmt.Errorf("%s is a folder, not a file", path)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, Cause(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, Cause(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, limit>>20)
	}
	return data, nil
}

// Cause drops the operation and path that an *fs.PathError or
// *os.LinkError repeats, for messages that name the path themselves.
func Cause(err error) error {
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
