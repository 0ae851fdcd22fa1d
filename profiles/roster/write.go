package roster

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdmforge/mdmforge/signing"
)

// Options are how Write writes the users' profiles.
type Options struct {
	// Signer, if set, also signs each profile, at SignedAt, into
	// NAME.signed.mobileconfig beside NAME.mobileconfig.
	Signer   *signing.Identity
	SignedAt time.Time
	// Written, if set, is called each time a user's files are written,
	// from any goroutine: a progress bar counts them.
	Written func()
}

// Write renders the profile of every good row into dir, named by
// FileName, rendering and signing on every core, and returns how many
// users it wrote. It stops at the first error, naming the row's line.
// Files holding a secret are readable by their owner only. A plan is
// written once: its rows are freed as they are written.
func (p *Plan) Write(dir string, opts Options) (int, error) {
	perm := os.FileMode(0o666)
	if p.tmpl.HoldsSecret() {
		perm = 0o600
	}
	workers := runtime.GOMAXPROCS(0)
	rows := make(chan Row, workers*4)
	var written atomic.Int64
	var firstErr error
	var once sync.Once
	fail := func(err error) { once.Do(func() { firstErr = err }) }
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for row := range rows {
				if failed.Load() {
					continue
				}
				if err := p.writeUser(dir, row, opts, perm); err != nil {
					fail(fmt.Errorf("%s:%d: %w", p.name, row.Line, err))
					failed.Store(true)
					continue
				}
				written.Add(1)
				if opts.Written != nil {
					opts.Written()
				}
			}
		}()
	}
	p.rows.each(func(row Row) { rows <- row })
	close(rows)
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return int(written.Load()), nil
}

func (p *Plan) writeUser(dir string, row Row, opts Options, perm os.FileMode) error {
	data, err := p.tmpl.Render(row.Values)
	if err != nil {
		return err
	}
	key := FileName(row.Values[p.keyColumn])
	if err := os.WriteFile(filepath.Join(dir, key+".mobileconfig"), data, perm); err != nil {
		return fmt.Errorf("cannot write: %v", unwrapPath(err))
	}
	if opts.Signer == nil {
		return nil
	}
	signed, err := opts.Signer.Sign(data, opts.SignedAt)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, key+".signed.mobileconfig"), signed, perm); err != nil {
		return fmt.Errorf("cannot write: %v", unwrapPath(err))
	}
	return nil
}
