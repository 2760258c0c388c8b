package action

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/runners"
)

// waitRunner waits until the runner cfg names is online, idle or gone,
// saying each change of its status in the log as it comes, on the step's
// clock.
func (s *step) waitRunner(ctx context.Context, client *github.Client, cfg *config.Config) (*handover, error) {
	t, ref, want := cfg.Target, cfg.Runner, cfg.WaitFor
	p := s.policy()
	start := p.Now()
	s.info("Waiting for %s in %s at %s to be %s (timeout %s)", ref, t, cfg.API.Redacted(), want, s.timeout)
	var rows strings.Builder
	changed := func(r *runners.Runner) {
		after := retry.Round(p.Now().Sub(start))
		if r == nil {
			s.info("%s is not registered in %s yet", upperFirst(ref.String()), t)
			fmt.Fprintf(&rows, "| %s | not registered yet | |\n", after)
			return
		}
		s.info("%s is %s", upperFirst(r.Describe()), r.State())
		fmt.Fprintf(&rows, "| %s | %s | %t |\n", after, r.Status.Markdown(), r.Busy)
	}
	r, err := runners.Wait(ctx, client, t, ref, want, p, changed)
	if errors.Is(err, runners.ErrTimedOut) {
		return nil, fmt.Errorf("%w. A wait usually needs a larger timeout than %s: raise the timeout input, up to %s", err, config.ShortDuration(s.timeout), config.ShortDuration(config.MaxTimeout))
	}
	if err != nil {
		return nil, err
	}
	status, busy := r.Status.String(), strconv.FormatBool(r.Busy)
	took := retry.Round(p.Now().Sub(start))
	line := fmt.Sprintf("%s is %s, as waited for, after %s.", upperFirst(r.Describe()), r.State(), took)
	if want == config.WaitGone {
		status, busy = "gone", "false"
		line = fmt.Sprintf("%s is gone from %s, as waited for, after %s.", upperFirst(r.Describe()), t, took)
		if r.ID == 0 {
			line = fmt.Sprintf("%s is not registered in %s, as waited for.", upperFirst(ref.String()), t)
		}
		fmt.Fprintf(&rows, "| %s | gone | |\n", took)
	}
	outputs, summary := aboutRunner("Self-hosted runner "+string(want), r, t)
	return &handover{
		outputs: append(outputs, output{"runner-status", status, false}, output{"runner-busy", busy, false}),
		log:     []string{line},
		summary: summary + "\n| after | status | busy |\n|---|---|---|\n" + rows.String(),
	}, nil
}

// upperFirst starts a log line with a capital: "Runner "vm-1" (id 41) ...".
// s is a runner's description, which starts with "runner".
func upperFirst(s string) string {
	return strings.ToUpper(s[:1]) + s[1:]
}
