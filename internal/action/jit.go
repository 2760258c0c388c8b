package action

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/jit"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// mintJIT registers a just-in-time runner and hands its config to the
// workflow. The config is the step's secret: run() masks it before
// anything else is written, so nothing here logs it, and the Registrar only
// logs before a config exists.
func (s *step) mintJIT(ctx context.Context, client *github.Client, cfg *config.Config) (*minted, error) {
	t, req := cfg.Target, cfg.JIT
	origin := "given"
	if req.Generated {
		origin = "unique to this run"
	}
	s.say("Minting a just-in-time runner config for %s at %s: runner %q (%s), labels %s, %s", t, cfg.API.Redacted(), req.Name, origin, strings.Join(req.Labels, ", "), groupShown(req.Group))
	m := &jit.Registrar{
		Client: client,
		// Server text can quote the credential: mask what the runner would.
		Log: func(msg string) { s.say("%s", msg) },
	}
	c, err := m.Register(ctx, t, req)
	if err != nil {
		return nil, err
	}
	runnerURL := t.RunnerURL(cfg.Server)
	id := strconv.FormatInt(c.Runner.ID, 10)
	// Names and labels as GitHub sent them: data, made safe to show.
	labels := c.Runner.LabelNames()
	if len(labels) == 0 {
		labels = req.Labels
	}
	for i, l := range labels {
		labels[i] = untrusted.Clean(l)
	}
	return &minted{
		secret: c.Encoded,
		outputs: []output{
			{"jit-config", c.Encoded},
			{"runner-id", id},
			{"runner-name", c.Runner.Name},
			{"runner-url", runnerURL},
		},
		log: []string{
			fmt.Sprintf("Registered just-in-time runner %q (id %s) for %s in runner group %s, with labels %s.", c.Runner.Name, id, t, untrusted.Clean(c.Group.String()), strings.Join(labels, ", ")),
			"Start it within this job: give steps.<id>.outputs.jit-config to ./run.sh --jitconfig on the runner's machine, through env: rather than inline in a script.",
			"Runner URL: " + runnerURL,
		},
		summary: fmt.Sprintf("### Just-in-time runner registered\n\n| | |\n|---|---|\n| Runner | `%s` |\n| Runner ID | %s |\n| Labels | %s |\n| Runner group | %s (id %d) |\n| Target | %s `%s` |\n| Runner URL | %s |\n",
			mdCode(c.Runner.Name), id, mdLabels(labels), mdText(c.Group.Name), c.Group.ID, t.Scope, t.Name(), runnerURL),
		undo: func(ctx context.Context, cause error) error { return m.Undo(ctx, t, c, cause) },
	}, nil
}

func groupShown(g config.Group) string {
	if g.IsDefault() {
		return "the default runner group"
	}
	return "runner group " + g.String()
}

// The summary is markdown: names and labels come from the workflow and
// GitHub, so keep them from breaking out of their table cell or code span.
func mdText(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(untrusted.Clean(s))
}

func mdCode(s string) string { return strings.ReplaceAll(mdText(s), "`", "'") }

func mdLabels(labels []string) string {
	shown := make([]string, len(labels))
	for i, l := range labels {
		shown[i] = "`" + mdCode(l) + "`"
	}
	return strings.Join(shown, ", ")
}
