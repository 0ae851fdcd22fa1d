package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/internal/outdir"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/intune"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
)

type buildOptions struct {
	IO        *IO
	Paths     []string
	Out       string
	Sign      bool
	Identity  identityFlags
	Target    targetFlag
	Roster    string
	KeepGoing bool
	Check     bool
	Format    findingsFormat
	Strict    bool
}

func newBuildCmd(streams *IO, runF func(*buildOptions) error) *cobra.Command {
	opts := &buildOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "build PATH... --out DIR",
		Short: "Compile policies into profiles and Outlook app configurations",
		Long: `Build validates policy files, and folders of them, and compiles each policy
NAME into DIR:

  NAME.mobileconfig    Apple configuration profile (XML property list)
  NAME.outlook.plist   Outlook Managed Devices app configuration, for every
                       target (Intune "XML data", Jamf Pro, Workspace ONE)

For target intune, DIR/NAME.intune/ holds the Microsoft Graph request bodies
that create the same objects in Intune (email profile, custom profile,
restrictions, Outlook app configurations for managed devices, managed apps
and Android, compliance policy), with a README saying where each goes, in
the Intune admin center and in Graph. The Managed Apps configuration
(outlook-apps.json) exists only there: that channel is Intune's alone.

Outputs are byte-identical for the same policy, and PayloadUUIDs derive from
identifiers, so uploading a rebuilt profile updates devices in place. If any
policy has an error nothing is written. DIR is locked for the run and its
files are replaced all at once: a build interrupted by a crash is completed
by the next one. Files holding a password are readable by their owner only.
DIR/manifest.json lists every output with its SHA-256 and source policy, for
upload steps.

With --check, build writes nothing: it compiles in memory, compares with the
files in --out and exits 1 listing stale, missing and extra files, so CI
fails when committed outputs no longer match their policies.

With --sign, each profile is also signed into NAME.signed.mobileconfig beside
the unsigned one: upload the unsigned file to Intune, Jamf Pro or Fleet, and
hand the signed one to users who install profiles themselves. The identity
flags and password sources are those of 'mdmforge sign'.

With --roster, build writes one finished profile per user into DIR/NAME/, for
MDMs that deliver a file as is (NanoMDM, web portals, profiles sent to users
directly). The roster is a CSV file whose header row names the columns, or a
JSON array of objects, with the variables as they appear after "user."
(email, upn, name, shortname, id). Files are named after the first of the
upn, email, id, shortname or name columns the roster has. Every row is
checked first and problems are reported with their line numbers; nothing is
written unless --keep-going is given, which writes every good row. The
roster is read once, keeping only the columns the profile uses, and the
profiles are rendered on all cores.

With --strict, warnings count as errors: build reports them as errors, exits
1 and writes nothing, so CI cannot publish what validate warned about.`,
		Example: `  $ mdmforge build examples --out out
  $ mdmforge build policies/contacts.yaml policies/wifi.yaml --out dist
  $ mdmforge build policies --out dist --check --format github
  $ MDMFORGE_SIGNER_PASSWORD=… mdmforge build policies --out dist --sign --signer signer.p12
  $ mdmforge build contacts.yaml --roster users.csv --out dist --sign --signer signer.p12`,
		Args: atLeastOneArg("a policy file or folder to build"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.Out == "" {
				return usageError(cmd, "missing --out DIR, the folder to write the outputs to")
			}
			if _, err := opts.Target.parse(); err != nil {
				return usageError(cmd, "--target: %v", err)
			}
			if opts.KeepGoing && opts.Roster == "" {
				return usageError(cmd, "--keep-going goes with --roster")
			}
			if opts.Check && opts.Roster != "" {
				return usageError(cmd, "--check compares policy outputs, not roster builds")
			}
			if err := opts.Format.check(); err != nil {
				return usageError(cmd, "%v", err)
			}
			if opts.Sign {
				if err := opts.Identity.check(); err != nil {
					return usageError(cmd, "%v", err)
				}
			} else if opts.Identity.given() {
				return usageError(cmd, "signing identity given without --sign")
			}
			if runF != nil {
				return runF(opts)
			}
			return buildRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "`DIR` to write the outputs to (created if missing)")
	completeDirs(cmd.Flags(), "out")
	cmd.Flags().BoolVar(&opts.Sign, "sign", false, "also write NAME.signed.mobileconfig, signed with the given identity")
	opts.Identity.register(cmd.Flags())
	opts.Target.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.Roster, "roster", "", "build one profile per user of this CSV or JSON `FILE`")
	completeFiles(cmd.Flags(), "roster", "csv", "json")
	cmd.Flags().BoolVar(&opts.KeepGoing, "keep-going", false, "with --roster, write the good rows even if some are bad")
	cmd.Flags().BoolVar(&opts.Check, "check", false, "write nothing; fail if the files in --out differ from what the policies build")
	opts.Format.register(cmd.Flags())
	registerStrict(cmd, &opts.Strict)
	return cmd
}

func buildRun(opts *buildOptions) error {
	target, _ := opts.Target.parse()
	var policies []*profiles.Policy
	var ds profiles.Diagnostics
	var err error
	var out *outdir.Dir
	if !opts.Check {
		// Lock --out before any work, so that of two builds started
		// together the second is refused at once, not the first after
		// all of its work. A failed build leaves the folder as it was.
		if out, err = outdir.Open(opts.Out, opts.IO.Err); err != nil {
			return err
		}
		defer out.Close()
	}
	if opts.Roster != "" {
		// The roster fills the variables in, whatever the target.
		policies, ds = profiles.Load(opts.Paths...)
		var promoted int
		ds, promoted = strictFindings(ds, opts.Strict)
		err = strictHint(printFindings(opts.IO, opts.Format.value, ds), promoted)
		if err == nil && len(policies) != 1 {
			return withHint(fmt.Errorf("--roster builds one policy, got %d", len(policies)), "name a single policy file")
		}
	} else {
		policies, ds, err = checkPolicies(opts.IO, opts.Paths, target, opts.Format.value, opts.Strict, false)
	}
	if err != nil {
		return err
	}
	var id *signing.Identity
	var at time.Time
	if opts.Sign {
		if at, err = signingTime(); err != nil {
			return err
		}
		var warnings []string
		if id, warnings, err = opts.Identity.load(opts.IO, at); err != nil {
			return err
		}
		printWarnings(opts.IO, warnings)
		if opts.Strict {
			// compileAll warns about signed copies that hold variables;
			// --strict counts those, and the identity's warnings, as errors.
			n := len(warnings)
			for _, p := range policies {
				if opts.Roster == "" && p.TargetFor(target) != profiles.Generic && p.UsesVariables() {
					fmt.Fprintf(opts.IO.Err, "mdmforge: warning: %s.signed.mobileconfig would hold %s variables, which no MDM can fill in without breaking the signature; sign per-user builds (--roster) instead\n",
						p.Profile.Name, p.TargetFor(target))
					n++
				}
			}
			if n > 0 {
				what := fmt.Sprintf("%d warnings", n)
				if n == 1 {
					what = "1 warning"
				}
				return withHint(fmt.Errorf("--strict: signing gave %s; nothing written", what), "--strict counts warnings as errors")
			}
		}
	}
	if opts.Roster != "" {
		return rosterRun(opts, out, policies[0], id, at)
	}
	files, more, err := compileAll(opts, policies, target, id, at)
	if err != nil {
		return err
	}
	more, promoted := strictFindings(more, opts.Strict)
	report(opts.IO, opts.Format.value, more)
	ds = append(ds, more...)
	if more.Errors() > 0 {
		// Only --strict makes compile findings errors; stop before writing.
		if opts.Format.value == formatJSON {
			writeJSON(opts.IO.Out, map[string]any{"findings": jsonFindings(ds)})
		}
		return strictHint(&exitError{code: ExitFailure, err: more.Err()}, promoted)
	}
	if opts.Check {
		// A journal means an interrupted build: the files are part old.
		if outdir.Interrupted(opts.Out) {
			return withHint(fmt.Errorf("%s is not up to date: a build into it was interrupted", opts.Out),
				"run the same mdmforge build without --check, which completes it, and commit the result")
		}
		return checkOutputs(opts, files)
	}
	stale, warnings := out.PreviousOutputs(files)
	printWarnings(opts.IO, warnings)
	changed, err := out.Stage(files)
	if err != nil {
		return err
	}
	for _, rel := range stale {
		out.Remove(rel)
	}
	removed, err := out.Commit()
	if err != nil {
		return err
	}
	if removed > 0 {
		fmt.Fprintf(opts.IO.Err, "mdmforge: removed %d files an earlier build wrote that the policies no longer build\n", removed)
	}
	switch opts.Format.value {
	case formatJSON:
		paths := make([]string, len(files))
		for i, f := range files {
			paths[i] = filepath.ToSlash(f.Path)
		}
		if err := writeJSON(opts.IO.Out, map[string]any{"findings": jsonFindings(ds), "outputs": paths, "changed": len(changed)}); err != nil {
			return err
		}
	case formatText:
		for _, f := range files {
			fmt.Fprintln(opts.IO.Out, f.Path)
		}
	}
	fmt.Fprintf(opts.IO.Err, "mdmforge: built %s into %s (%d files, %d changed)%s\n",
		countPolicies(len(policies)), opts.Out, len(files), len(changed), warningSuffix(ds))
	return nil
}

// compileAll compiles every policy's outputs in memory, signed copies and
// Intune bundles included, followed by the manifest that lists them.
func compileAll(opts *buildOptions, policies []*profiles.Policy, target profiles.Target, id *signing.Identity, at time.Time) ([]outdir.File, profiles.Diagnostics, error) {
	var files []outdir.File
	var ds profiles.Diagnostics
	var entries []outdir.Entry
	var dup error
	owner := map[string]string{}
	add := func(p *profiles.Policy, name string, data []byte) {
		// Validation keeps policy names apart; this guards what they
		// become, on case-insensitive file systems too.
		key := strings.ToLower(filepath.ToSlash(name))
		if first, taken := owner[key]; taken && dup == nil {
			dup = fmt.Errorf("%s and %s both build %s", first, p.File, name)
		}
		owner[key] = p.File
		files = append(files, outdir.File{Path: filepath.Join(opts.Out, name), Data: data})
		e := outdir.NewEntry(opts.Out, name, p.File, data)
		if id != nil && strings.HasSuffix(name, ".signed.mobileconfig") {
			e.Signer = outdir.Fingerprint(id.Certificate)
		}
		entries = append(entries, e)
	}
	for _, p := range policies {
		outs, err := p.Build(profiles.Options{Target: target})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p.File, err)
		}
		if id != nil && p.TargetFor(target) != profiles.Generic && p.UsesVariables() {
			fmt.Fprintf(opts.IO.Err, "mdmforge: warning: %s.signed.mobileconfig holds %s variables, which no MDM can fill in without breaking the signature; sign per-user builds (--roster) instead\n",
				p.Profile.Name, p.TargetFor(target))
		}
		for _, o := range outs {
			add(p, o.Name, o.Data)
			files[len(files)-1].Secret = o.Secret
			if id != nil && strings.HasSuffix(o.Name, ".mobileconfig") {
				signed, err := id.Sign(o.Data, at)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", o.Name, err)
				}
				add(p, strings.TrimSuffix(o.Name, ".mobileconfig")+".signed.mobileconfig", signed)
				files[len(files)-1].Secret = o.Secret
			}
		}
		if p.TargetFor(target) == profiles.Intune {
			bundle, warnings, err := intune.Bundle(p, profiles.Options{Target: profiles.Intune})
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", p.File, err)
			}
			ds = append(ds, warnings...)
			for _, o := range bundle {
				add(p, filepath.Join(p.Profile.Name+".intune", o.Name), o.Data)
				files[len(files)-1].Secret = o.Secret
			}
		}
	}
	if dup != nil {
		return nil, nil, dup
	}
	manifest, err := outdir.Manifest(entries)
	if err != nil {
		return nil, nil, err
	}
	files = append(files, outdir.File{Path: filepath.Join(opts.Out, outdir.ManifestName), Data: manifest})
	return files, ds, nil
}
