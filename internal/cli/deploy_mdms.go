package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/deploy/fleet"
	"github.com/mdmforge/mdmforge/deploy/jamf"
	"github.com/mdmforge/mdmforge/deploy/kandji"
	"github.com/mdmforge/mdmforge/profiles"
)

// The MDMs that hold profiles as files: Jamf Pro, Fleet and Kandji.
const (
	deployJamf   = jamf.Target
	deployFleet  = fleet.Target
	deployKandji = kandji.Target
)

const targetHelp = `--target jamf, fleet or kandji deploys each policy's configuration profile
to that MDM instead, with the same guarantees: profiles matched by their
PayloadIdentifier, updated only when their content changed (compared by
value, so an MDM that rewrites UUIDs shows no change), deleted only with
--prune and only when mdmforge manages them. The server and credentials come
from MDMFORGE_JAMF_URL, MDMFORGE_JAMF_CLIENT_ID and MDMFORGE_JAMF_CLIENT_SECRET;
MDMFORGE_FLEET_URL, MDMFORGE_FLEET_TOKEN and MDMFORGE_FLEET_TEAM; or
MDMFORGE_KANDJI_URL and MDMFORGE_KANDJI_TOKEN (each secret also as NAME_FILE).
docs/deploy.md says what each MDM needs.`

// envHint adds, to an error about the server's environment variables
// that carries no hint of its own, where they are all described.
func envHint(err error) error {
	var he *deploy.HintError
	if errors.As(err, &he) {
		return err
	}
	return withHint(err, "docs/deploy.md (Environment variables) lists them; a secret may instead be in a file named by NAME_FILE, never on the command line")
}

// mdmRun is one MDM's plan and apply over loaded policies.
type mdmRun struct {
	name  string // for messages: "Jamf Pro"
	plan  func(ctx context.Context) (*deploy.Plan, error)
	apply func(ctx context.Context, saved *deploy.Plan) (*deploy.Result, error)
	stats func() (requests, writes, retries int, waited time.Duration)
}

// mdmLoad validates the policies for the target, as build does, then
// reads the environment: a policy error stops the run before a
// credential is read or a request made.
func (o *deployOptions) mdmLoad() (*mdmRun, int, error) {
	target, _ := profiles.ParseTarget(o.Target)
	policies, _, err := checkPolicies(o.IO, o.Paths, target, o.findingsFormat(), false, false)
	if err != nil {
		return nil, 0, trouble(err)
	}
	id, at, err := o.signer()
	if err != nil {
		return nil, 0, trouble(err)
	}
	var sign func([]byte) ([]byte, error)
	if id != nil {
		sign = func(b []byte) ([]byte, error) { return id.Sign(b, at) }
	}
	getenv := o.IO.getenv
	switch o.Target {
	case deployJamf:
		c, err := jamf.FromEnv(getenv, jamf.ClientOptions{})
		if err != nil {
			return nil, 0, trouble(envHint(err))
		}
		eo := jamf.Options{Adopt: o.Adopt, Prune: o.Prune, Signed: id != nil}
		return &mdmRun{name: "Jamf Pro",
			plan: func(ctx context.Context) (*deploy.Plan, error) { return jamf.Plan(ctx, c, policies, eo) },
			apply: func(ctx context.Context, saved *deploy.Plan) (*deploy.Result, error) {
				return jamf.Apply(ctx, c, policies, saved, eo)
			},
			stats: func() (int, int, int, time.Duration) {
				s := c.Stats()
				return s.Requests, s.Writes, s.Retries, s.Waited
			},
		}, len(policies), nil
	case deployFleet:
		c, err := fleet.FromEnv(getenv, fleet.ClientOptions{})
		if err != nil {
			return nil, 0, trouble(envHint(err))
		}
		eo := fleet.Options{Prune: o.Prune, Sign: sign}
		return &mdmRun{name: "Fleet",
			plan: func(ctx context.Context) (*deploy.Plan, error) { return fleet.Plan(ctx, c, policies, eo) },
			apply: func(ctx context.Context, saved *deploy.Plan) (*deploy.Result, error) {
				return fleet.Apply(ctx, c, policies, saved, eo)
			},
			stats: func() (int, int, int, time.Duration) {
				s := c.Stats()
				return s.Requests, s.Writes, s.Retries, s.Waited
			},
		}, len(policies), nil
	default:
		c, err := kandji.FromEnv(getenv, kandji.ClientOptions{})
		if err != nil {
			return nil, 0, trouble(envHint(err))
		}
		eo := kandji.Options{Prune: o.Prune, Sign: sign}
		return &mdmRun{name: "Kandji",
			plan: func(ctx context.Context) (*deploy.Plan, error) { return kandji.Plan(ctx, c, policies, eo) },
			apply: func(ctx context.Context, saved *deploy.Plan) (*deploy.Result, error) {
				return kandji.Apply(ctx, c, policies, saved, eo)
			},
			stats: func() (int, int, int, time.Duration) {
				s := c.Stats()
				return s.Requests, s.Writes, s.Retries, s.Waited
			},
		}, len(policies), nil
	}
}

func mdmPlanRun(opts *planOptions) error {
	run, n, err := opts.mdmLoad()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	plan, err := run.plan(ctx)
	if err != nil {
		return opts.fail(err)
	}
	req, _, retries, _ := run.stats()
	return opts.show(plan, fmt.Sprintf("planned %s with %d %s requests (%d retried)", countPolicies(n), req, run.name, retries))
}

func mdmApplyRun(opts *applyOptions, saved *deploy.Plan) error {
	run, _, err := opts.mdmLoad()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	plan := saved
	if plan == nil {
		// Plan, show it, then apply exactly that plan.
		if plan, err = run.plan(ctx); err != nil {
			return opts.fail(err)
		}
	}
	planJSON, err := opts.showPlan(plan)
	if err != nil {
		return err
	}
	res := &deploy.Result{Unchanged: len(plan.Steps)}
	if plan.Changed() || saved != nil {
		if res, err = run.apply(ctx, plan); err != nil {
			fmt.Fprintf(opts.IO.Err, "mdmforge: %s before the error\n", summary(res))
			return opts.fail(err)
		}
	}
	req, writes, retries, waited := run.stats()
	return opts.showResult(planJSON, res, fmt.Sprintf("%d %s requests (%d writes, %d retried, %s waited)",
		req, run.name, writes, retries, waited.Round(time.Second/10)))
}
