package action

import (
	"fmt"
	"strconv"

	"context"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/runners"
)

// deleteRunner removes the runner cfg names, unless it is running a job.
// One that is already gone is success, said in a notice: the clean-up job
// that runs it after a VM never came up must not fail for that. Once the
// runner is removed, that is what the step reports.
func (s *step) deleteRunner(ctx context.Context, client *github.Client, cfg *config.Config) (*handover, error) {
	t, ref := cfg.Target, cfg.Runner
	s.info("Removing %s from %s at %s", ref, t, cfg.API.Redacted())
	d, err := runners.Delete(ctx, client, t, ref)
	if err != nil {
		return nil, err
	}
	r := d.Runner
	id := ""
	if r.ID != 0 {
		id = strconv.FormatInt(r.ID, 10)
	}
	h := &handover{
		outputs: []output{
			{"deleted", strconv.FormatBool(d.Outcome == runners.Removed), false},
			{"runner-id", id, false},
			{"runner-name", r.Name.String(), false},
		},
		done: d.Outcome == runners.Removed,
	}
	shown := ref.String()
	if r.ID != 0 && !r.Name.IsEmpty() {
		shown = fmt.Sprintf("runner %q (id %d)", r.Name, r.ID)
	}
	title := "Self-hosted runner already gone"
	switch d.Outcome {
	case runners.Removed:
		title = "Self-hosted runner removed"
		h.log = []string{fmt.Sprintf("Removed %s from %s; it was %s.", shown, t, r.State())}
	case runners.RemovedByOther:
		h.notice = fmt.Sprintf("%s was removed from %s by someone else while this step ran: nothing left to remove (deleted=false).", shown, t)
	default:
		h.notice = fmt.Sprintf("%s is not registered in %s: nothing to remove (deleted=false).", shown, t)
	}
	h.summary = fmt.Sprintf("### %s\n\n| | |\n|---|---|\n| Runner | %s |\n| Runner ID | %s |\n| Target | %s `%s` |\n",
		title, r.Name.Markdown(), orUnknown(id), t.Scope, t.Name())
	return h, nil
}
