package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/intune"
	"github.com/mdmforge/mdmforge/deploy/jamf"
	"github.com/mdmforge/mdmforge/deploy/nanomdm"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/roster"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The MDMs plan and apply deploy to.
const (
	deployIntune  = intune.Target
	deployNanoMDM = nanomdm.Target
)

// deployTargets are --target's values, in help's order.
var deployTargets = []string{deployIntune, deployNanoMDM, deployJamf, deployFleet, deployKandji}

// nanoHelp is what plan's and apply's help say of --target nanomdm.
const nanoHelp = `--target nanomdm deploys to NanoMDM instead: each policy's profile is queued
as an InstallProfile command to the enrollment ids of its
assignments.include (with --roster, each user's own profile to the ids of
the roster's enrollment_id column), signed with --sign. NanoMDM keeps no
profile inventory, so what was queued is recorded in a state file (--state,
default .mdmforge/nanomdm-state.json in the policies' folder) and only new or
changed profiles are queued. The server and key come from
MDMFORGE_NANOMDM_URL and MDMFORGE_NANOMDM_API_KEY; docs/deploy.md says more.`

// nanoFlags are plan's and apply's flags for --target nanomdm.
type nanoFlags struct {
	State    string
	Roster   string
	Sign     bool
	Identity identityFlags
}

func (f *nanoFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.State, "state", "", "nanomdm: the state `FILE` of what was queued (default: "+nanomdm.DefaultStatePath+" in the policies' folder)")
	completeFiles(fs, "state", "json")
	fs.StringVar(&f.Roster, "roster", "", "nanomdm: send each user of this CSV or JSON `FILE` their own profile, to the enrollments of its enrollment_id column")
	completeFiles(fs, "roster", "csv", "json")
	fs.BoolVar(&f.Sign, "sign", false, "nanomdm, fleet, kandji: send the profile signed with the given identity (jamf refuses signed profiles)")
	f.Identity.register(fs)
}

// checkTarget validates --target and the flags that go with it.
func (o *deployOptions) checkTarget(cmd *cobra.Command) error {
	if !slices.Contains(deployTargets, o.Target) {
		return usageError(cmd, "--target must be %s, not %q", orList(deployTargets), o.Target)
	}
	switch {
	case o.Adopt && o.Target == deployNanoMDM:
		return usageError(cmd, "--adopt is for Intune and Jamf Pro: NanoMDM keeps no profiles to take over")
	case o.Adopt && o.Target != deployIntune && o.Target != deployJamf:
		return usageError(cmd, "--adopt is for intune and jamf: %s matches profiles by their identifier alone", o.Target)
	case o.Target != deployNanoMDM && (o.Nano.State != "" || o.Nano.Roster != ""):
		return usageError(cmd, "--state and --roster are for --target nanomdm")
	case o.Target == deployJamf && o.Nano.Sign:
		// Refused before the identity's password is asked for.
		return trouble(withHint(jamf.ErrSigned.Err, jamf.ErrSigned.Hints...))
	case o.Target == deployIntune && (o.Nano.Sign || o.Nano.Identity.given()):
		return usageError(cmd, "--sign and the signer flags are for --target nanomdm, jamf, fleet or kandji: Intune delivers the unsigned profile over its own channel")
	}
	if o.Nano.Sign {
		if err := o.Nano.Identity.check(); err != nil {
			return usageError(cmd, "%v", err)
		}
	} else if o.Nano.Identity.given() {
		return usageError(cmd, "signing identity given without --sign")
	}
	return nil
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// signer loads the --sign identity, or returns nil without --sign.
func (o *deployOptions) signer() (*signing.Identity, time.Time, error) {
	if !o.Nano.Sign {
		return nil, time.Time{}, nil
	}
	at, err := signingTime()
	if err != nil {
		return nil, at, err
	}
	id, warnings, err := o.Nano.Identity.load(o.IO, at)
	if err != nil {
		return nil, at, err
	}
	printWarnings(o.IO, warnings)
	return id, at, nil
}

// nanoRun is what plan and apply for NanoMDM start with: the profiles
// built from the policies (or the roster), the client and the engine's
// options. Invalid policies and a bad roster stop the run before the
// environment is read.
type nanoRun struct {
	profs  []nanomdm.Profile
	client *nanomdm.Client
	eo     nanomdm.Options
	users  int
}

func (o *deployOptions) nanoLoad() (*nanoRun, error) {
	var policies []*profiles.Policy
	if o.Nano.Roster != "" {
		// The roster fills the variables in; the policy is checked as
		// build --roster checks it.
		var ds profiles.Diagnostics
		policies, ds = profiles.Load(o.Paths...)
		if err := printFindings(o.IO, o.findingsFormat(), ds); err != nil {
			return nil, trouble(err)
		}
		if len(policies) != 1 {
			return nil, trouble(withHint(fmt.Errorf("--roster sends one policy, got %d", len(policies)), "name a single policy file"))
		}
	} else {
		var err error
		if policies, _, err = checkPolicies(o.IO, o.Paths, profiles.NanoMDM, o.findingsFormat(), false, false); err != nil {
			return nil, trouble(err)
		}
	}
	var bo nanomdm.BuildOptions
	if id, at, err := o.signer(); err != nil {
		return nil, trouble(err)
	} else if id != nil {
		bo = nanomdm.BuildOptions{Signer: id, SignedAt: at}
	}
	run := &nanoRun{eo: nanomdm.Options{StatePath: o.Nano.State, Prune: o.Prune}}
	if run.eo.StatePath == "" {
		run.eo.StatePath = defaultStatePath(o.Paths)
	}
	var err error
	if o.Nano.Roster != "" {
		var r *roster.Reader
		if r, err = roster.Open(o.Nano.Roster); err != nil {
			return nil, trouble(err)
		}
		run.profs, err = nanomdm.FromRoster(policies[0], r, o.Nano.Roster, bo)
		r.Close()
	} else {
		run.profs, run.eo.Notes, err = nanomdm.FromPolicies(policies, bo)
	}
	if err != nil {
		return nil, o.fail(err)
	}
	cfg, err := nanomdm.ConfigFromEnv(o.IO.getenv)
	if err != nil {
		return nil, o.fail(err)
	}
	run.client = nanomdm.NewClient(cfg, nil)
	return run, nil
}

// defaultStatePath is the state file in the folder of the first policy
// path: the folder itself, or the file's.
func defaultStatePath(paths []string) string {
	dir := filepath.Dir(paths[0])
	if info, err := os.Stat(paths[0]); err == nil && info.IsDir() {
		dir = paths[0]
	}
	return filepath.Join(dir, nanomdm.DefaultStatePath)
}

func nanoPlanRun(opts *planOptions) error {
	run, err := opts.nanoLoad()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	plan, err := nanomdm.Plan(ctx, run.client, run.profs, run.eo)
	if err != nil {
		return opts.fail(err)
	}
	return opts.show(plan, fmt.Sprintf("planned %s against %s", plural(len(run.profs), "profile"), run.eo.StatePath))
}

func nanoApplyRun(opts *applyOptions, saved *deploy.Plan) error {
	run, err := opts.nanoLoad()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	plan := saved
	if plan == nil {
		if plan, err = nanomdm.Plan(ctx, run.client, run.profs, run.eo); err != nil {
			return opts.fail(err)
		}
	}
	planJSON, err := opts.showPlan(plan)
	if err != nil {
		return err
	}
	var res *deploy.Result
	if plan.Changed() || saved != nil {
		run.eo.Progress = opts.IO.Err
		res, err = nanomdm.Apply(ctx, run.client, run.profs, plan, run.eo)
		if res == nil {
			res = &deploy.Result{}
		}
		if err != nil {
			if res.Writes == 0 {
				fmt.Fprintf(opts.IO.Err, "mdmforge: nothing was queued\n")
			} else {
				fmt.Fprintf(opts.IO.Err, "mdmforge: %s before the error; what was queued is recorded in %s\n", summary(res), run.eo.StatePath)
			}
			return opts.fail(err)
		}
	} else {
		res = &deploy.Result{Unchanged: len(plan.Steps)}
	}
	return opts.showResult(planJSON, res, fmt.Sprintf("%s to NanoMDM; state in %s", plural(res.Writes, "enqueue request"), run.eo.StatePath))
}
