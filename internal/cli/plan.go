package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/graph"
	"github.com/mdmforge/mdmforge/deploy/intune"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/spf13/cobra"
)

// deployOptions are what plan and apply share: the policies, how to
// match the tenant's objects, and how to reach Graph.
type deployOptions struct {
	IO     *IO
	Paths  []string
	Format string
	Adopt  bool
	Prune  bool
	Graph  graphFlags
	// Target is the MDM: intune, nanomdm (with Nano's flags), jamf, fleet
	// or kandji.
	Target string
	Nano   nanoFlags
}

func (o *deployOptions) register(cmd *cobra.Command, pruneHelp string) {
	fs := cmd.Flags()
	fs.StringVar(&o.Format, "format", deploy.FormatText, "`FORMAT` of the plan: text, markdown, json or github")
	completeValues(fs, "format", deploy.FormatText, deploy.FormatMarkdown, deploy.FormatJSON, deploy.FormatGitHub)
	fs.BoolVar(&o.Adopt, "adopt", false, "take over an existing object mdmforge did not make when its type and exact display name match")
	fs.BoolVar(&o.Prune, "prune", false, pruneHelp)
	o.Graph.register(fs)
	fs.StringVar(&o.Target, "target", deployIntune, "`MDM` to deploy to: intune, nanomdm, jamf, fleet or kandji (docs/deploy.md)")
	completeValues(fs, "target", deployTargets...)
	o.Nano.register(fs)
}

// check validates the command line before anything is read.
func (o *deployOptions) check(cmd *cobra.Command, args []string) error {
	o.Paths = args
	switch o.Format {
	case deploy.FormatText, deploy.FormatMarkdown, deploy.FormatJSON, deploy.FormatGitHub:
	default:
		return usageError(cmd, "--format must be text, markdown, json or github, not %q", o.Format)
	}
	if err := o.Graph.check(); err != nil {
		return usageError(cmd, "%v", err)
	}
	return o.checkTarget(cmd)
}

func (o *deployOptions) engine() intune.Options {
	return intune.Options{Adopt: o.Adopt, Prune: o.Prune}
}

// load reads and validates the policies for Intune, as build does, and
// then builds the Graph client: a policy error stops the run before any
// credential is asked for or request made.
func (o *deployOptions) load() ([]*profiles.Policy, *graph.Client, error) {
	policies, _, err := checkPolicies(o.IO, o.Paths, profiles.Intune, o.findingsFormat(), false, true)
	if err != nil {
		return nil, nil, trouble(err)
	}
	g, err := o.Graph.client(o.IO)
	if err != nil {
		return nil, nil, trouble(err)
	}
	return policies, g, nil
}

// trouble makes err exit 2, like diff(1): plan's 1 means "changes".
func trouble(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return &exitError{code: exitTrouble, err: ee.err, hints: ee.hints}
	}
	var he *deploy.HintError
	if errors.As(err, &he) {
		return &exitError{code: exitTrouble, err: he.Err, hints: he.Hints}
	}
	return &exitError{code: exitTrouble, err: err}
}

// findingsFormat is the --format findings are printed in: markdown is
// for the plan only.
func (o *deployOptions) findingsFormat() string {
	if o.Format == deploy.FormatMarkdown {
		return formatText
	}
	return o.Format
}

// fail turns an engine or Graph error into the message and hints the user
// needs: each problem found as a finding, the engine's hints (the
// permission a 403 lacks), and what a refused token or a lost write means.
func (o *deployOptions) fail(err error) error {
	if errors.Is(err, context.Canceled) {
		return &exitError{code: exitTrouble, err: errors.New("interrupted"), hints: []string{"nothing more was sent; run the command again to finish"}}
	}
	var hints []string
	var he *deploy.HintError
	if errors.As(err, &he) {
		hints = append(hints, he.Hints...)
	}
	var pe *deploy.ProblemsError
	if errors.As(err, &pe) {
		// One finding a line, positioned, like validate's.
		ds := append(profiles.Diagnostics(nil), pe.Diagnostics...)
		ds.Sort()
		if perr := printFindings(o.IO, o.findingsFormat(), ds); perr != nil {
			err = fmt.Errorf("%s in the policies and the tenant; nothing written", countProblems(len(ds)))
		}
		hints = append(hints, pe.Hints...)
	}
	var te *graph.TokenError
	var ge *graph.Error
	switch {
	case errors.As(err, &ge) && ge.Status == 401:
		// First what a refused token most often means; then the engine's
		// permission.
		cloud, _ := graph.LookupCloud(o.Graph.Cloud)
		hints = append([]string{"Graph refused the token: it expired, or it is for another tenant, cloud or audience (it must be for " + cloud.GraphURL + "/.default)"}, hints...)
	case len(hints) > 0:
		// The engine knows better what the request was for.
	case errors.As(err, &te) && o.Graph.Auth == "":
		// DefaultAzureCredential found nothing: the user picked no kind,
		// so name the ones that work where people usually run this.
		hints = append(hints, "DefaultAzureCredential found no credential that works here; pick one with --auth: after 'az login', --auth azure-cli; at a terminal, --auth device-code; in GitHub Actions, --auth github-oidc ('mdmforge plan --help' lists every kind)")
	case errors.As(err, &te):
		hints = append(hints, "check the --auth kind and its environment variables ('mdmforge plan --help' lists them), and --cloud")
	case graph.Unreachable(err):
		hints = append(hints, o.unreachableHint())
		if graph.OutcomeUnknown(err) {
			hints = append(hints, "then run apply again: it looks the object up before writing, so nothing is created twice")
		}
	case graph.NotGraph(err):
		if v := o.IO.getenv(graphURLEnv); v != "" {
			hints = append(hints, fmt.Sprintf("is %s (%s) a Graph endpoint? It must be Graph's scheme and host, such as https://graph.microsoft.com, or a proxy to it", graphURLEnv, v))
		} else {
			hints = append(hints, "something other than Graph answered: a proxy or captive portal on this network?")
		}
	case errors.As(err, &ge) && ge.Unknown:
		hints = append(hints, "run apply again: it looks the object up before writing, so nothing is created twice")
	}
	return &exitError{code: exitTrouble, err: err, hints: hints}
}

// unreachableHint says what to check when Graph did not answer: the
// host comes from MDMFORGE_GRAPH_URL if set, else from --cloud.
func (o *deployOptions) unreachableHint() string {
	if v := o.IO.getenv(graphURLEnv); v != "" {
		return fmt.Sprintf("Graph did not answer at %s: check %s (unset it to use --cloud's host) and the network", v, graphURLEnv)
	}
	cloud, _ := graph.LookupCloud(o.Graph.Cloud)
	return fmt.Sprintf("Graph did not answer at %s: check the network (a proxy or firewall?) and --cloud (%s)", cloud.GraphURL, cloud.Name)
}

func countProblems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}

// signalContext is cancelled by Ctrl-C or SIGTERM (a CI job cancelled), so
// a run stops between requests rather than in the middle of one.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

type planOptions struct {
	deployOptions
	Out string
}

func newPlanCmd(streams *IO, runF func(*planOptions) error) *cobra.Command {
	opts := &planOptions{deployOptions: deployOptions{IO: streams}}
	cmd := &cobra.Command{
		Use:   "plan PATH...",
		Short: "Show what apply would change in the MDM (Intune unless --target says otherwise)",
		Long: `Plan compares the Intune objects the policies build with what the tenant has,
and prints what apply would do to each: create, update, assign, delete or
no change, with the properties that differ. A custom profile's payload is
decoded and diffed like 'mdmforge diff' does, with what devices go through
(users signing in again, a second profile, a payload removed). Secrets are
never shown, so the plan is safe to post on a pull request.

Plan is the review step and changes nothing in the MDM. For Intune it only
reads the tenant (read permissions are enough); for Fleet with --prune it
also sends a dry-run POST, which Fleet checks and does not apply. --out
saves the plan, and 'apply --plan FILE' then applies exactly that plan,
refusing if the MDM or the policies changed in between.

Objects are matched by the marker mdmforge writes into their description,
so a renamed policy updates its objects instead of creating second ones.
An object mdmforge did not make but that has the same type and exact name
is an error unless --adopt takes it over.

The policies given are the whole of what mdmforge manages in the tenant,
like a Terraform state: every object carrying an mdmforge marker that none
of them builds (its policy file removed, its identifier changed, a kind
the policy no longer builds) is listed as a note, and with --prune as a
delete step, so the plan shows each delete before apply makes it. Plan
all of a tenant's policies in one run.

The policies are loaded and validated as build does, for the --target MDM
(intune by default); any finding stops the run before the MDM is read.

Formats: text (for a terminal), markdown (for a pull-request comment),
json (the plan file itself) and github (annotations and a summary).

` + nanoHelp + `

` + targetHelp + `

` + graphAuthHelp() + `

Plan exits 0 when the tenant is as the policies say, 1 when apply would
change something, and 2 on any error (an invalid policy, a sign-in or
Graph error), like diff.`,
		Example: `  $ mdmforge plan policies --auth device-code
      (at a terminal: sign in as an Intune admin with the code printed on stderr)

  $ mdmforge plan policies --auth github-oidc --format markdown > plan.md
      (GitHub Actions on a pull request; the job needs permissions: id-token: write)

  $ mdmforge plan policies --auth github-oidc --out plan.json
  $ mdmforge apply policies --auth github-oidc --plan plan.json
      (save the reviewed plan, then apply exactly it)`,
		Args: atLeastOneArg("a policy file or folder to plan"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(cmd, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return planRun(opts)
		},
	}
	opts.register(cmd, "plan the deletion of every object mdmforge made that none of the policies given builds")
	cmd.Flags().StringVar(&opts.Out, "out", "", "also save the plan to `FILE` for 'apply --plan'")
	completeFiles(cmd.Flags(), "out", "json")
	return cmd
}

func planRun(opts *planOptions) error {
	switch opts.Target {
	case deployNanoMDM:
		return nanoPlanRun(opts)
	case deployJamf, deployFleet, deployKandji:
		return mdmPlanRun(opts)
	}
	policies, g, err := opts.load()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	plan, err := intune.Plan(ctx, g, policies, opts.engine())
	if err != nil {
		return opts.fail(err)
	}
	st := g.Stats()
	return opts.show(plan, fmt.Sprintf("planned %s with %d Graph requests (%d retried)", countPolicies(len(policies)), st.Requests, st.Retries))
}

// show saves the plan under --out and renders it, then says on stderr what
// making it took (report); the exit status is 1 when apply would change
// something, like diff's.
func (opts *planOptions) show(plan *deploy.Plan, report string) error {
	if opts.Out != "" {
		if err := writePlanFile(opts.Out, plan); err != nil {
			return trouble(err)
		}
	}
	if err := plan.Render(opts.IO.Out, opts.Format); err != nil {
		return trouble(err)
	}
	fmt.Fprintln(opts.IO.Err, "mdmforge: "+report)
	if plan.Changed() {
		return &exitError{code: ExitFailure}
	}
	return nil
}

// writePlanFile saves the plan atomically: a reader never sees half a
// plan, and a failed write leaves an older plan as it was. A plan holds no
// secrets (deploy redacts them), so it is written 0644 like build's files.
func writePlanFile(path string, plan *deploy.Plan) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = plan.Write(f); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	return nil
}
