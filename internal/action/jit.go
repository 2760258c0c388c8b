package action

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/jit"
)

// mintJIT registers a just-in-time runner and hands its config to the
// workflow. The config is the step's secret: run() masks it before
// anything else is written, so nothing here logs it, and the Registrar only
// logs before a config exists.
func (s *step) mintJIT(ctx, cleanup context.Context, client *github.Client, cfg *config.Config) (*handover, error) {
	t, req := cfg.Target, cfg.JIT
	origin := "given"
	if req.Generated {
		origin = "unique to this run"
	}
	group := "the default runner group"
	if !req.Group.IsDefault() {
		group = "runner group " + req.Group.String()
	}
	s.info("Minting a just-in-time runner config for %s at %s: runner %q (%s), labels %s, %s", t, cfg.API.Redacted(), req.Name, origin, strings.Join(req.Labels, ", "), group)
	// Server text can quote the credential: s.info masks what the runner would.
	m := &jit.Registrar{Client: client, Log: s.info, Pause: s.policy().Pause}
	c, err := m.Register(ctx, cleanup, t, req)
	if err != nil {
		return nil, err
	}
	runnerURL := t.RunnerURL(cfg.Server)
	id := strconv.FormatInt(c.Runner.ID, 10)
	labels := fmt.Sprint(c.Runner.Labels)
	if len(c.Runner.Labels) == 0 {
		labels = fmt.Sprint(req.Labels)
	}
	mdLabels := make([]string, len(c.Runner.Labels))
	for i, l := range c.Runner.Labels {
		mdLabels[i] = l.Name.Markdown()
	}
	return &handover{
		outputs: []output{
			{"jit-config", c.Encoded, true},
			{"runner-id", id, false},
			{"runner-name", c.Runner.Name.String(), false},
		},
		log: []string{
			fmt.Sprintf("Registered just-in-time runner %q (id %s) for %s in runner group %s, with labels %s.", c.Runner.Name, id, t, c.Group, labels),
			labelsHint(cfg.Platform, req.Labels),
			"Start it within this job: hand steps.<id>.outputs.jit-config to ./run.sh on the runner's machine as the environment variable ACTIONS_RUNNER_INPUT_JITCONFIG, never on a command line (--jitconfig), where every process on the machine can read it.",
			"Runner URL: " + runnerURL,
		},
		summary: fmt.Sprintf("### Just-in-time runner registered\n\n| | |\n|---|---|\n| Runner | %s |\n| Runner ID | %s |\n| Labels | %s |\n| Runner group | %s (id %d) |\n| Target | %s `%s` |\n| Runner URL | %s |\n",
			c.Runner.Name.Markdown(), id, strings.Join(mdLabels, ", "), c.Group.Name.Markdown(), c.Group.ID, t.Scope, t.Name(), runnerURL),
		undo: c.Undo,
	}, nil
}

// labelsHint says which labels a job's runs-on can name: a JIT runner has
// exactly those it was registered with, and config.sh adds none of its own.
func labelsHint(p config.Platform, labels []string) string {
	if p.IsZero() {
		return fmt.Sprintf("A job's runs-on must name only labels this runner has: %s. A just-in-time runner has exactly the labels it was registered with; none are added for its OS or architecture (such as Linux or X64) as config.sh adds them. Set runner-platform to add them, or list them in runner-labels.", strings.Join(labels, ", "))
	}
	return fmt.Sprintf("A job's runs-on must name only labels this runner has: %s (%s are what config.sh gives a runner on %s, from runner-platform).", strings.Join(labels, ", "), strings.Join(config.SystemLabels(p), ", "), p)
}
