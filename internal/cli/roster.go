package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/roster"
	"github.com/mdmforge/mdmforge/signing"
)

// checkRoster reads and checks the roster once; a syntax error stops the
// whole build, --keep-going or not.
func checkRoster(path string, tmpl *profiles.Template) (*roster.Plan, profiles.Diagnostics, error) {
	r, err := roster.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	plan, ds, err := roster.Check(r, tmpl)
	var syntax *roster.SyntaxError
	if errors.As(err, &syntax) {
		return nil, nil, withHint(err, "nothing was written; fix the roster and build again")
	}
	return plan, ds, err
}

// rosterBuild writes one profile per good row into DIR/NAME, from the rows
// checkRoster kept. The files go to a staging folder that replaces
// DIR/NAME only when every one is written.
func rosterBuild(opts *buildOptions, out *outdir.Dir, p *profiles.Policy, plan *roster.Plan, id *signing.Identity, at time.Time) (int, error) {
	staging, err := out.StageFolder(p.Profile.Name)
	if err != nil {
		return 0, err
	}
	var written atomic.Int64
	stop := opts.progress(p.Profile.Name, plan.Users(), &written)
	n, err := plan.Write(staging, roster.Options{Signer: id, SignedAt: at, Written: func() { written.Add(1) }})
	stop()
	if err != nil {
		return 0, err
	}
	if _, err := out.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// progress shows a bar on a terminal, redrawn ten times a second; the
// returned function stops it. Elsewhere it shows nothing: the command ends
// with a one-line summary instead.
func (opts *buildOptions) progress(name string, total int, done *atomic.Int64) func() {
	if !opts.IO.ErrTerminal || total == 0 {
		return func() {}
	}
	start := time.Now()
	quit := make(chan struct{})
	finished := make(chan struct{})
	draw := func() {
		n := int(done.Load())
		const width = 30
		fill := width * n / total
		rate := float64(n) / max(time.Since(start).Seconds(), 1e-9)
		fmt.Fprintf(opts.IO.Err, "\r%s [%s%s] %d/%d profiles  %.0f/s ", name,
			strings.Repeat("=", fill), strings.Repeat(" ", width-fill), n, total, rate)
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				draw()
				fmt.Fprintln(opts.IO.Err)
				return
			case <-t.C:
				draw()
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// rosterRun builds one profile per roster user. Rows with problems are all
// reported with their lines; nothing is written unless --keep-going, which
// writes every good row and still fails the command.
func rosterRun(opts *buildOptions, out *outdir.Dir, p *profiles.Policy, id *signing.Identity, at time.Time) error {
	tmpl, err := p.Template()
	if err != nil {
		return err
	}
	start := time.Now()
	plan, ds, err := checkRoster(opts.Roster, tmpl)
	if err != nil {
		return err
	}
	for _, d := range ds {
		fmt.Fprintln(opts.IO.Err, d.String())
	}
	if len(ds) > 0 && (!opts.KeepGoing || plan.Users() == 0) {
		e := &exitError{code: ExitFailure, err: fmt.Errorf("%s in %s; nothing written", plural(len(ds), "bad row"), opts.Roster)}
		if plan.Users() > 0 {
			e.hints = []string{"--keep-going writes the good rows anyway"}
		}
		return e
	}
	n, err := rosterBuild(opts, out, p, plan, id, at)
	if err != nil {
		return err
	}
	dir := filepath.Join(opts.Out, p.Profile.Name)
	elapsed := time.Since(start)
	fmt.Fprintln(opts.IO.Out, dir)
	fmt.Fprintf(opts.IO.Err, "mdmforge: built %s into %s in %.1fs (%.0f/s)\n", plural(n, "profile"), dir, elapsed.Seconds(), float64(n)/max(elapsed.Seconds(), 1e-9))
	if len(ds) > 0 {
		return &exitError{code: ExitFailure, err: fmt.Errorf("skipped %s of %s", plural(len(ds), "bad row"), opts.Roster)}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
