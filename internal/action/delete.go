package action

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/runners"
)

// deleteRunner removes the runner cfg names, unless it is running a job.
// One that is already gone is success, said in a notice: the clean-up job
// that runs it after a VM never came up must not fail for that.
func (s *step) deleteRunner(ctx context.Context, client *github.Client, cfg *config.Config) (*minted, error) {
	t, ref := cfg.Target, cfg.Runner
	s.say("Removing %s from %s at %s", ref, t, cfg.API.Redacted())
	d, err := runners.Delete(ctx, client, t, ref)
	if err != nil {
		return nil, err
	}
	runnerURL := t.RunnerURL(cfg.Server)
	id := ""
	if d.Runner.ID != 0 {
		id = strconv.FormatInt(d.Runner.ID, 10)
	}
	m := &minted{
		outputs: []output{
			{"deleted", strconv.FormatBool(d.Deleted)},
			{"runner-id", id},
			{"runner-name", d.Runner.Name},
			{"runner-url", runnerURL},
		},
	}
	// The name as GitHub sent it: data, made safe to show.
	shown := ref.String()
	if d.Runner.ID != 0 && d.Runner.Name != "" {
		shown = fmt.Sprintf("runner %q (id %d)", d.Runner.NameShown(), d.Runner.ID)
	}
	title := "Self-hosted runner already gone"
	switch {
	case d.Deleted:
		title = "Self-hosted runner removed"
		m.log = []string{fmt.Sprintf("Removed %s from %s; it was %s.", shown, t, d.Runner.State())}
	case d.Meanwhile:
		m.notice = fmt.Sprintf("%s was removed from %s by someone else while this step ran: nothing left to remove (deleted=false).", shown, t)
	default:
		m.notice = fmt.Sprintf("%s is not registered in %s: nothing to remove (deleted=false).", shown, t)
	}
	m.summary = fmt.Sprintf("### %s\n\n| | |\n|---|---|\n| Runner | `%s` |\n| Runner ID | %s |\n| Target | %s `%s` |\n",
		title, mdCode(d.Runner.Name), orUnknown(id), t.Scope, t.Name())
	return m, nil
}
