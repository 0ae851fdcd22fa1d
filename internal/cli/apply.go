package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/intune"
	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/spf13/cobra"
)

type applyOptions struct {
	deployOptions
	Plan string
}

func newApplyCmd(streams *IO, runF func(*applyOptions) error) *cobra.Command {
	opts := &applyOptions{deployOptions: deployOptions{IO: streams}}
	cmd := &cobra.Command{
		Use:   "apply PATH...",
		Short: "Make the MDM (Intune unless --target says otherwise) what the policies say, writing only what differs",
		Long: `Apply plans as 'mdmforge plan' does, prints the plan, and then makes the MDM
so. For Intune (the default --target), it creates the objects that are
missing, PATCHes only the properties that differ (and always the whole
payload when a custom profile changed), calls /assign with the full set
only when the assignments differ, and reads every write back. Run twice
with nothing changed, the second run writes nothing.

There is no confirmation prompt, so apply runs in pipelines: 'mdmforge plan'
is the review step. With --plan FILE, apply applies exactly the plan that
'plan --out FILE' saved, after checking that the tenant and the policies are
still as they were when it was made; if anything changed, it refuses and
writes nothing. Review the new plan then.

A create whose answer was lost (a time-out, a dropped connection, a 5xx) is
looked up before it is sent again, so a retry never makes a second object.
If apply stops midway, running it again finishes the work. Throttling
(429) is waited out as Graph asks, and writes are paced under Intune's 100
per 20 seconds.

The policies given are the whole of what mdmforge manages in the tenant,
like a Terraform state. Without --prune, the objects mdmforge made that none
of them builds (a policy file removed, an identifier changed) are only
listed; with it they are deleted, each listed in the plan first. Give apply
all of a tenant's policies, or --prune deletes the objects of those left
out. Objects mdmforge did not make are never deleted.

` + nanoHelp + `

` + targetHelp + `

` + graphAuthHelp() + `

Apply exits 0 when the tenant is as the policies say (whether or not it
wrote anything), and 2 on any error.`,
		Example: `  $ mdmforge apply policies --auth github-oidc
      (GitHub Actions on main; the job needs permissions: id-token: write)

  $ mdmforge apply policies --auth azure-pipelines
      (Azure Pipelines: an AzureCLI@2 task with a federated service connection)

  $ mdmforge plan policies --auth device-code --out plan.json
  $ mdmforge apply policies --auth device-code --plan plan.json
      (at a terminal: review the plan, then apply exactly it)`,
		Args: atLeastOneArg("a policy file or folder to apply"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(cmd, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(opts)
		},
	}
	opts.register(cmd, "delete every object mdmforge made that none of the policies given builds")
	cmd.Flags().StringVar(&opts.Plan, "plan", "", "apply exactly the plan saved in `FILE` by 'plan --out'")
	completeFiles(cmd.Flags(), "plan", "json")
	return cmd
}

func applyRun(opts *applyOptions) error {
	var saved *deploy.Plan
	if opts.Plan != "" {
		// Read the plan first: a wrong file is found before the tenant.
		data, err := userfile.Read(opts.Plan, deploy.MaxPlanFile)
		if err != nil {
			return trouble(err)
		}
		if saved, err = deploy.ReadPlan(bytes.NewReader(data)); err != nil {
			return trouble(fmt.Errorf("%s: %w", opts.Plan, err))
		}
	}
	if saved != nil && saved.Target != opts.Target {
		return trouble(withHint(fmt.Errorf("%s is a plan for %s, not %s", opts.Plan, saved.Target, opts.Target), "apply it with --target "+saved.Target))
	}
	switch opts.Target {
	case deployNanoMDM:
		return nanoApplyRun(opts, saved)
	case deployJamf, deployFleet, deployKandji:
		return mdmApplyRun(opts, saved)
	}
	policies, g, err := opts.load()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	eo := opts.engine()
	plan := saved
	if plan == nil {
		// Plan, show it, then apply exactly that plan: what is printed is
		// what is written, even if the tenant changes in between.
		if plan, err = intune.Plan(ctx, g, policies, eo); err != nil {
			return opts.fail(err)
		}
	}
	planJSON, err := opts.showPlan(plan)
	if err != nil {
		return err
	}
	var res *deploy.Result
	if plan.Changed() || saved != nil {
		eo.Progress = opts.IO.Err
		res, err = intune.Apply(ctx, g, policies, plan, eo)
		if res == nil {
			res = &deploy.Result{}
		}
		if err != nil {
			fmt.Fprintf(opts.IO.Err, "mdmforge: %s before the error\n", summary(res))
			return opts.fail(err)
		}
	} else {
		res = &deploy.Result{Unchanged: len(plan.Steps)}
	}
	st := g.Stats()
	return opts.showResult(planJSON, res, fmt.Sprintf("%d Graph requests (%d writes, %d retried, %s waited)",
		st.Requests, st.Writes, st.Retries, st.Waited.Round(time.Second/10)))
}

// showPlan shows the plan before the writes start. JSON is one document,
// {"plan": …, "result": …}, written at the end: its plan is kept for
// showResult.
func (opts *applyOptions) showPlan(plan *deploy.Plan) (*bytes.Buffer, error) {
	var planJSON bytes.Buffer
	out := opts.IO.Out
	if opts.Format == deploy.FormatJSON {
		out = &planJSON
	}
	if err := plan.Render(out, opts.Format); err != nil {
		return nil, trouble(err)
	}
	return &planJSON, nil
}

// showResult says on stderr what the apply took (report) and ends the
// output with its result.
func (opts *applyOptions) showResult(planJSON *bytes.Buffer, res *deploy.Result, report string) error {
	fmt.Fprintln(opts.IO.Err, "mdmforge: "+report)
	if opts.Format == deploy.FormatJSON {
		return writeJSON(opts.IO.Out, map[string]any{"plan": json.RawMessage(planJSON.Bytes()), "result": resultJSON(res)})
	}
	return writeSummary(opts.IO.Out, opts.Format, res)
}

func resultJSON(r *deploy.Result) map[string]int {
	return map[string]int{
		"created": r.Created, "updated": r.Updated, "assigned": r.Assigned,
		"deleted": r.Deleted, "unchanged": r.Unchanged, "writes": r.Writes,
	}
}

// summary is the one line an apply ends with:
// "applied: 2 created, 1 updated, 1 assigned, 0 deleted, 3 unchanged (9 writes)".
func summary(r *deploy.Result) string {
	return fmt.Sprintf("applied: %d created, %d updated, %d assigned, %d deleted, %d unchanged (%s)",
		r.Created, r.Updated, r.Assigned, r.Deleted, r.Unchanged, plural(r.Writes, "write"))
}

func writeSummary(w io.Writer, format string, r *deploy.Result) error {
	var err error
	switch format {
	case deploy.FormatGitHub:
		_, err = fmt.Fprintf(w, "::notice title=mdmforge apply::%s\n", summary(r))
	case deploy.FormatMarkdown:
		_, err = fmt.Fprintf(w, "\n**%s**\n", summary(r))
	default:
		_, err = fmt.Fprintln(w, summary(r))
	}
	return err
}
