//go:build windows

package outdir

import (
	"errors"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock on dir without waiting: a hidden lock
// file opened with no sharing, which a second opener cannot open, and which
// Windows deletes when it is closed, by the process or by its death.
func lockDir(dir string) (func(), error) {
	name, err := syscall.UTF16PtrFromString(filepath.Join(dir, ".mdmforge-lock"))
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_HIDDEN|fileFlagDeleteOnClose, 0)
	if err != nil {
		if errors.Is(err, errorSharingViolation) || errors.Is(err, syscall.ERROR_ACCESS_DENIED) {
			return nil, errLocked
		}
		return nil, err
	}
	return func() { syscall.CloseHandle(h) }, nil
}

const (
	fileFlagDeleteOnClose               = 0x04000000
	errorSharingViolation syscall.Errno = 32
)
